import type { Generated } from 'kysely';

/** Booleans are stored as 0/1 integers so the same SQL runs on SQLite and PostgreSQL. */
export type Bool01 = number;

export interface OrgTable {
  id: Generated<number>;
  name: string;
  kind: string;
  parent_id: number | null;
  path: string;
  created_at: string;
}
export interface UserTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  display_name: string;
  role: string;
  org_id: number;
  student_id: number | null;
  created_at: string;
  /** 1 = must choose a new password before using the API (initial password; migration 006). */
  must_change_password: Generated<number>;
  /** 停用时间 (migration 011); null while the account is in use. */
  disabled_at?: string | null;
}
export interface SessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  expires_at: string;
  created_at: string;
}
export interface StudentTable {
  id: Generated<number>;
  xuehao: string;
  id_card: string;
  name: string;
  org_id: number;
  programme: string;
  level: string;
  enrol_term: string;
  chsi_photo_missing: Bool01;
  identity_doubtful: Bool01;
  continuing: Bool01;
  identity_status: string;
  identity_decided_by: number | null;
  identity_decided_at: string | null;
  identity_reason: string | null;
  photo_id: number | null;
  created_at: string;
  updated_at: string;
}
export interface PhotoTable {
  id: Generated<number>;
  student_id: number;
  source: string;
  file_name: string;
  storage_path: string;
  bytes: number;
  sha256: string;
  status: string;
  checks_json: string | null;
  failed_rules: string | null;
  uploaded_by: number | null;
  uploaded_at: string;
  checked_at: string | null;
  /** 人工复核 (migration 007): a person's decision on a `review` photo; null until someone decides. */
  review_decision?: string | null;
  review_note?: string | null;
  reviewed_by?: number | null;
  reviewed_by_name?: string | null;
  reviewed_at?: string | null;
  /** Cached comparison with the 学信网 reference photo (JSON: reference path, 同一人, 同版 with scores). */
  reference_json?: string | null;
}
export interface IdentityDocumentTable {
  id: Generated<number>;
  student_id: number;
  file_name: string;
  storage_path: string;
  bytes: number;
  uploaded_by: number;
  uploaded_at: string;
}
export interface ReferencePhotoTable {
  student_id: number;
  file_name: string;
  storage_path: string;
  bytes: number;
  uploaded_by: number;
  uploaded_at: string;
}
export interface BatchTable {
  id: Generated<number>;
  name: string;
  org_id: number;
  first_start: string;
  first_end: string;
  second_start: string | null;
  second_end: string;
  deadline: string;
  collection_deadline: string | null;
  created_at: string;
}
export interface ApplicationTable {
  id: Generated<number>;
  student_id: number;
  batch_id: number;
  state: string;
  degree_requested: Bool01;
  signed_at: string | null;
  same_version_confirmed_at: string | null;
  photo_id: number | null;
  returned_by: string | null;
  submission_count: number;
  version: number;
  registration_number: string | null;
  last_reason: string | null;
  created_at: string;
  updated_at: string;
  /** 同版 gate override (migration 007): why a photo comparing as another person/shot was submitted anyway. */
  reference_override_reason?: string | null;
  reference_override_by_name?: string | null;
  reference_override_at?: string | null;
}
export interface CertificateTable {
  id: Generated<number>;
  application_id: number;
  student_id: number;
  state: string;
  received_from: string | null;
  arrived_at: string | null;
  handed_at: string | null;
  handover_json: string | null;
  confirmed_at: string | null;
  problem_json: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}
export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor_name: string;
  org_id: number | null;
  entity: string;
  entity_id: number;
  action: string;
  reason: string | null;
  before_json: string | null;
  after_json: string | null;
}
export interface CollectionOrderTable {
  id: Generated<number>;
  student_id: number;
  collection_org_id: number;
  status: string;
  version: number;
  photo_path: string | null;
  /** The whole core CollectionOrder as JSON (ids inside are strings). */
  data_json: string;
  created_at: string;
  updated_at: string;
}
export interface FeatureCodeTable {
  id: Generated<number>;
  collection_org_id: number;
  code: string;
  year: number;
  created_at: string;
}
/** Named counters, e.g. `registration:<prefix>` for 电子注册号 serials (migration 004). */
export interface CounterTable {
  name: string;
  value: number;
}
/** Applications per student organisation × batch × state, kept by triggers (migration 009). */
export interface ApplicationCountTable {
  org_id: number;
  batch_id: number;
  state: string;
  n: number;
}
/** Students per organisation, kept by triggers (migration 009). */
export interface StudentCountTable {
  org_id: number;
  n: number;
}
/** One import (导入任务): roster, photo archive or 学信网 flags, with its capped per-row report (migration 010). */
export interface ImportJobTable {
  id: Generated<number>;
  kind: string;
  org_id: number;
  user_id: number | null;
  user_name: string;
  file_name: string;
  sha256: string | null;
  bytes: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  total: number;
  ok_count: number;
  failed_count: number;
  skipped_count: number;
  summary: string | null;
  error_code: string | null;
  error_message: string | null;
  report_json: string | null;
  report_rows: number;
  report_truncated: number;
}
export interface Database {
  application_counts: ApplicationCountTable;
  student_counts: StudentCountTable;
  counters: CounterTable;
  orgs: OrgTable;
  users: UserTable;
  sessions: SessionTable;
  students: StudentTable;
  photos: PhotoTable;
  reference_photos: ReferencePhotoTable;
  identity_documents: IdentityDocumentTable;
  batches: BatchTable;
  applications: ApplicationTable;
  collection_orders: CollectionOrderTable;
  feature_codes: FeatureCodeTable;
  certificates: CertificateTable;
  audit_log: AuditTable;
  import_jobs: ImportJobTable;
  export_jobs: ExportJobTable;
}

/** 后台导出任务 (migration 012). status: queued · running · done · failed · expired. */
export interface ExportJobTable {
  id: Generated<number>;
  kind: string;
  params_json: string;
  org_id: number;
  user_id: number;
  user_name: string;
  file_name: string;
  status: string;
  total_rows: Generated<number>;
  done_rows: Generated<number>;
  attempts: Generated<number>;
  storage_path: string | null;
  /** bigint: PostgreSQL's pg driver returns it as a string; the repository turns it back into a number. */
  bytes: Generated<number | string>;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
  finished_at: string | null;
  expires_at: string | null;
}
