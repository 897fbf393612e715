/** Photo collection orders (图像采集订单) and the 学信网 flag import: pure helpers, no React. The server still decides. */
import { can } from './permissions';
import type { CollectionActionType, CollectionStatus, Role } from './api/types';

/** Chinese labels for the order states, as core's COLLECTION_STATUS_LABELS (the server also sends `statusLabel`). */
export const COLLECTION_STATUS_LABEL: Record<CollectionStatus, string> = {
  created: '已创建',
  submitted: '已提交，待初审',
  first_review_passed: '初审合格，待支付',
  paid: '已支付，待终审',
  final_passed: '终审通过，待制作上传',
  completed: '已完成（已上传学信网）',
  shipped: '已发货',
  rejected: '已驳回',
};

export const COLLECTION_STATUS_COLOR: Record<CollectionStatus, string> = {
  created: 'default',
  submitted: 'gold',
  first_review_passed: 'cyan',
  paid: 'orange',
  final_passed: 'blue',
  completed: 'geekblue',
  shipped: 'green',
  rejected: 'red',
};

export const COLLECTION_STATUS_ORDER: CollectionStatus[] = ['created', 'submitted', 'first_review_passed', 'paid', 'final_passed', 'completed', 'shipped', 'rejected'];

/** Button labels for the collector's actions. */
export const COLLECTION_ACTION_LABEL: Partial<Record<CollectionActionType, string>> = {
  collection_first_review_pass: '初审通过',
  collection_final_pass: '终审通过',
  collection_reject: '驳回',
  collection_complete: '已标准化并上传学信网',
  collection_ship: '寄出纸质照片',
};

/**
 * The actions a collection centre (or admin) is offered on an order in `status` — the core state machine:
 * submitted → first review pass / reject; paid → final pass / reject; final_passed → complete; completed → ship.
 */
export function collectorActions(role: Role, status: CollectionStatus): CollectionActionType[] {
  return collectorSteps(status).filter((a) => can(role, a));
}

function collectorSteps(status: CollectionStatus): CollectionActionType[] {
  switch (status) {
    case 'submitted':
      return ['collection_first_review_pass', 'collection_reject'];
    case 'paid':
      return ['collection_final_pass', 'collection_reject'];
    case 'final_passed':
      return ['collection_complete'];
    case 'completed':
      return ['collection_ship'];
    default:
      return [];
  }
}

/** Which review a rejection belongs to (初审 / 终审), for the dialog title. */
export function rejectStage(status: CollectionStatus): string {
  return status === 'paid' ? '终审驳回' : '初审驳回';
}

/** Money in 分 shown as yuan (67.00 元). */
export function yuan(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : `${(fen / 100).toFixed(2)} 元`;
}

/** Header words that are not identifiers (a pasted or uploaded list may start with a header row). */
const HEADER = /学号|身份证|姓名|identifier|xuehao/i;

/**
 * The 学号 / 身份证号 in a pasted list or a CSV/TXT file (导入学信网名单): one per line, or the cells of a
 * CSV row (comma, tab, semicolon, spaces). Takes, per row, the cells that look like an identifier
 * (digits, maybe a final X): 学号 are 13 digits, 身份证号 18; other lengths are kept so the server can say
 * what is wrong with them. Header cells and names are skipped; duplicates are listed once.
 */
export function parseIdentifiers(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (!line.trim()) continue;
    for (const raw of line.split(/[,，;；\t ]+/)) {
      const cell = raw.trim().replace(/^["'=]+|["']+$/g, '').toUpperCase();
      if (!cell || HEADER.test(cell)) continue;
      if (!/^\d{6,}[\dX]?$/.test(cell)) continue;
      if (seen.has(cell)) continue;
      seen.add(cell);
      out.push(cell);
    }
  }
  return out;
}
