import { describe, expect, it } from 'vitest';
import type { PhotoReport } from '@gradpass/photo';
import { BatchTally } from './summary.js';
import { displayWidth, formatTable } from './text.js';

const rep = (verdict: PhotoReport['verdict'], fails: string[] = [], reviews: string[] = [], code?: string): PhotoReport => ({
  file: 'x.jpg',
  verdict,
  checks: [
    ...fails.map((id) => ({ id: id as PhotoReport['checks'][number]['id'], status: 'fail' as const, value: null, limit: null, message: '不通过' })),
    ...reviews.map((id) => ({ id: id as PhotoReport['checks'][number]['id'], status: 'review' as const, value: null, limit: null, message: '需复核' })),
  ],
  ...(code ? { error: { code, message: '无法处理' } } : {}),
});

describe('BatchTally', () => {
  it('counts verdicts and rules, sorted by count, with Chinese and English names', () => {
    const t = new BatchTally();
    t.add(rep('pass'));
    t.add(rep('fail', ['size.bytes', 'dpi']));
    t.add(rep('fail', ['size.bytes']));
    t.add(rep('review', [], ['background.colour']));
    t.add(rep('error', [], [], 'NOT_AN_IMAGE'));
    t.add(rep('fail', ['size.bytes'], [], 'SOURCE_TOO_SMALL'), 3);
    expect(t.total).toBe(6);
    expect(t.verdicts).toEqual({ pass: 1, fail: 3, review: 1, error: 1 });
    expect(t.exitCode()).toBe(1);
    const text = t.format(2000);
    const ruleLines = text.split('\n').filter((l) => /^(size\.bytes|dpi|background\.colour)\s/.test(l));
    expect(ruleLines.map((l) => l.split(/\s+/)[0])).toEqual(['size.bytes', 'dpi', 'background.colour']); // ties: more failures first
    expect(text).toContain('文件大小');
    expect(text).toContain('File size');
    expect(text).toContain('NOT_AN_IMAGE');
    expect(text).toContain('平均编码次数 Encodes per photo：3.00');
  });

  it('counts skipped non-photo files in the summary without making them errors', () => {
    const t = new BatchTally();
    t.add(rep('pass'));
    t.skip();
    t.skip();
    expect(t.format(1000)).toContain('已跳过 2 个非照片文件');
    expect(t.verdicts.error).toBe(0);
    expect(t.exitCode()).toBe(0);
    expect(new BatchTally().format(0)).not.toContain('已跳过');
  });

  it('exit code 0 only when every photo passed, 1 for an empty batch', () => {
    const t = new BatchTally();
    expect(t.exitCode()).toBe(1);
    expect(t.format(0)).toContain('NO_PHOTOS');
    t.add(rep('pass'));
    expect(t.exitCode()).toBe(0);
  });
});

describe('text helpers', () => {
  it('measures Chinese as two columns and aligns tables', () => {
    expect(displayWidth('文件a')).toBe(5);
    const lines = formatTable([['规则', 'n'], ['文件大小', '12']], ['left', 'right']).split('\n');
    expect(displayWidth(lines[2])).toBe(displayWidth(lines[0].padEnd(lines[2].length)));
    expect(lines[2]).toBe('文件大小  12');
  });
});
