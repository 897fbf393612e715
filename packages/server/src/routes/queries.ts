import { CERTIFICATE_STATUS_LABELS } from '@gradpass/core';
import { APPLICATION_STATES } from '../services/applications.js';
import { pageQuery, str, int } from './schemas.js';

/** Keyset paging (游标分页) beside page/pageSize: the `nextCursor` of the previous answer; `page` is then ignored. */
const cursorQuery = {
  cursor: { type: 'integer', minimum: 0, description: '上一页返回的 nextCursor；给出时按游标翻页，忽略 page' },
} as const;

/** Query-string schemas shared by list, export and report routes. */
export const studentQuery = {
  type: 'object',
  properties: {
    ...pageQuery,
    ...cursorQuery,
    q: str,
    orgId: int,
    state: { type: 'string', enum: APPLICATION_STATES },
    flag: { type: 'string', enum: ['chsi_photo_missing', 'identity_doubtful', 'continuing'] },
    photoStatus: { type: 'string', enum: ['none', 'pending', 'checking', 'pass', 'fail', 'review', 'error'] },
    batchId: int,
    failedRule: { type: 'string', description: '照片未通过（fail/review）的规则，如 geometry.eye-line' },
  },
} as const;
export type StudentQuery = {
  page: number;
  pageSize: number;
  cursor?: number;
  q?: string;
  orgId?: number;
  state?: string;
  flag?: 'chsi_photo_missing' | 'identity_doubtful' | 'continuing';
  photoStatus?: string;
  failedRule?: string;
  batchId?: number;
};
export const applicationQuery = {
  type: 'object',
  properties: {
    ...pageQuery,
    ...cursorQuery,
    q: str,
    orgId: int,
    state: { type: 'string', enum: APPLICATION_STATES },
    batchId: int,
  },
} as const;
export type ApplicationQuery = {
  page: number;
  pageSize: number;
  cursor?: number;
  q?: string;
  orgId?: number;
  state?: string;
  batchId?: number;
};
export const certificateQuery = {
  type: 'object',
  properties: {
    ...pageQuery,
    ...cursorQuery,
    q: str,
    orgId: int,
    state: { type: 'string', enum: Object.keys(CERTIFICATE_STATUS_LABELS) },
    batchId: int,
    studentId: int,
  },
} as const;
export type CertificateQuery = {
  page: number;
  pageSize: number;
  cursor?: number;
  q?: string;
  orgId?: number;
  state?: string;
  batchId?: number;
  studentId?: number;
};
