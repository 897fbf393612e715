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
