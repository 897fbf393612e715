import { type Selectable } from 'kysely';
import type {
  OrgTable,
  UserTable,
  StudentTable,
  PhotoTable,
  BatchTable,
  ApplicationTable,
  CertificateTable,
  AuditTable,
  IdentityDocumentTable,
  SessionTable,
  CollectionOrderTable,
} from '../db/schema.js';

/** Row types of the tables (one per table). */
export type OrgRow = Selectable<OrgTable>;
export type UserRow = Selectable<UserTable>;
export type StudentRow = Selectable<StudentTable>;
export type PhotoRow = Selectable<PhotoTable>;
export type BatchRow = Selectable<BatchTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type CertificateRow = Selectable<CertificateTable>;
export type AuditRow = Selectable<AuditTable>;
export type IdentityDocumentRow = Selectable<IdentityDocumentTable>;
export type SessionRow = Selectable<SessionTable>;
export type CollectionOrderRow = Selectable<CollectionOrderTable>;

/** A count column as a number (PostgreSQL returns bigint counts as strings). */
export const num = (v: unknown): number => Number(v ?? 0);

/**
 * Ids per statement when a list of ids is sent as bind parameters (分批查询): far below the 32,766 parameters of
 * SQLite and the 65,535 of PostgreSQL, so a query about every student of a province never fails on its size.
 */
export const ID_CHUNK = 1000;

/** Runs `fn` on consecutive slices of `ids` (at most {@link ID_CHUNK} each) and concatenates the answers. */
export async function inChunks<T>(ids: readonly number[], fn: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) out.push(...(await fn(ids.slice(i, i + ID_CHUNK))));
  return out;
}

/**
 * Which organisations a list covers (管辖范围): `orgPath`, a subtree by its materialised path (`/1/7/` = node 7
 * under 1 and everything below; {@link ALL_ORGS} = every organisation, no filter at all), or else explicit `orgIds`.
 */
export interface OrgScope {
  orgIds?: number[];
  orgPath?: string;
}
/** The scope of the national root when it is the only root: nothing to filter. */
export const ALL_ORGS = '/';

/** A keyset page (游标分页): rows after `cursor` (an id) in id order, or the classic page number. */
export interface PageRequest {
  page: number;
  pageSize: number;
  /** The last id of the previous page; when given, `page` is ignored and no row is skipped by OFFSET. */
  cursor?: number;
}
/**
 * Counted totals stop here (计数上限): a filter the counters cannot answer is counted exactly up to this many rows;
 * beyond it the total says "at least" (`totalExact: false`) instead of reading every matching row of the table.
 */
export const COUNT_CAP = 10_000;

export interface Page<T> {
  rows: T[];
  total: number;
  /** False when `total` is {@link COUNT_CAP}: there are at least that many. */
  totalExact: boolean;
  /** The cursor of the next page, null on the last page. */
  nextCursor: number | null;
}
export const nextCursorOf = (rows: Array<{ id: number }>, pageSize: number): number | null =>
  rows.length === pageSize && rows.length ? rows[rows.length - 1].id : null;

/** What a search box holds (检索词): an exact 学号 (13 digits), an exact 身份证号 (18), digits, or a name. */
export type SearchTerm =
  | { kind: 'xuehao'; value: string }
  | { kind: 'idcard'; value: string }
  | { kind: 'digits'; value: string }
  | { kind: 'text'; value: string };
export function searchTerm(raw: string): SearchTerm {
  const v = raw.trim();
  if (/^\d{13}$/.test(v)) return { kind: 'xuehao', value: v };
  if (/^\d{17}[\dXx]$/.test(v)) return { kind: 'idcard', value: v.toUpperCase() };
  if (/^\d+[Xx]?$/.test(v)) return { kind: 'digits', value: v.toUpperCase() };
  return { kind: 'text', value: v };
}
/** `value` with LIKE's wildcards escaped (use with `escape '\'`). */
export const likeEscaped = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
