import { describe, expect, it } from 'vitest';
import type { CollectionStatus, Role } from './api/types';
import { COLLECTION_STATUS_LABEL, COLLECTION_STATUS_ORDER, collectorActions, parseIdentifiers, rejectStage, yuan } from './collection';
import { homeFor, menuFor } from './layout/menu';

describe('collection order actions offered to the collection centre (采集中心操作)', () => {
  it('follows the seed-004 state machine: first review, final review, complete, ship', () => {
    const table: Record<CollectionStatus, string[]> = {
      created: [],
      submitted: ['collection_first_review_pass', 'collection_reject'],
      first_review_passed: [],
      paid: ['collection_final_pass', 'collection_reject'],
      final_passed: ['collection_complete'],
      completed: ['collection_ship'],
      shipped: [],
      rejected: [],
    };
    for (const s of COLLECTION_STATUS_ORDER) expect(collectorActions('collector', s)).toEqual(table[s]);
    for (const role of ['student', 'centre_staff', 'province_reviewer'] as Role[]) {
      for (const s of COLLECTION_STATUS_ORDER) expect(collectorActions(role, s)).toEqual([]);
    }
    expect(rejectStage('submitted')).toBe('初审驳回');
    expect(rejectStage('paid')).toBe('终审驳回');
  });

  it('labels every state in Chinese and shows fees in yuan', () => {
    for (const s of COLLECTION_STATUS_ORDER) expect(COLLECTION_STATUS_LABEL[s]).toMatch(/[\u4e00-\u9fa5]/);
    expect(yuan(6700)).toBe('67.00 元');
    expect(yuan(null)).toBe('—');
  });

  it('collectors land on the orders page', () => {
    expect(homeFor('collector')).toBe('/collection');
    // their orders and the notices their centre receives (reminders of overdue paper copies) — nothing else
    expect(menuFor('collector').map((m) => m.path)).toEqual(['/collection', '/notifications']);
    expect(menuFor('student').map((m) => m.path)).not.toContain('/collection');
  });
});

describe('parseIdentifiers (导入学信网名单)', () => {
  it('reads one identifier per line, CSV cells, skips headers and names, keeps order, drops duplicates', () => {
    const csv = '\uFEFF学号,姓名,身份证号\r\n2237001200001,张伟,37010219900101001x\n2237001200002\t李娜\n\n2237001200001\n="2237001200003"\n';
    expect(parseIdentifiers(csv)).toEqual(['2237001200001', '37010219900101001X', '2237001200002', '2237001200003']);
  });
  it('keeps wrong-length numbers for the server to explain, ignores words', () => {
    expect(parseIdentifiers('12345678\nabc\n张三 2237001200009')).toEqual(['12345678', '2237001200009']);
    expect(parseIdentifiers('')).toEqual([]);
  });
});
