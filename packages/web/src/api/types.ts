/** Shapes of the gradpass API (see /work/team/API.md). 接口数据结构 */
import type { CheckResult, FaceGeometry } from '@gradpass/photo/types';

export type { CheckResult, FaceGeometry };

export type Role = 'student' | 'centre_staff' | 'city_reviewer' | 'province_reviewer' | 'national_reviewer' | 'collector' | 'admin';
export type OrgKind = 'national' | 'province' | 'city' | 'centre' | 'collection_centre';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgId: number;
  orgName: string;
  studentId: number | null;
  /** 已停用: cannot log in. */
  disabled?: boolean;
}

export interface Org {
  id: number;
  name: string;
  kind: OrgKind;
  parentId: number | null;
}

export type PhotoStatus = 'pending' | 'checking' | 'pass' | 'fail' | 'review' | 'error';

export interface GeometryLimits {
  width: number;
  height: number;
  headTop: [number, number];
  eyeLine: [number, number];
  faceWidth: [number, number];
  centreTolerance: number;
}

export interface Photo {
  id: number;
  studentId: number;
  source: 'collection' | 'student' | 'centre';
  fileName: string;
  bytes: number;
  sha256: string;
  status: PhotoStatus;
  checks: CheckResult[] | null;
  /** Face geometry from the engine, when the server provides it (for the overlay). */
  face?: FaceGeometry | null;
  limits?: GeometryLimits | null;
  uploadedAt: string;
  checkedAt: string | null;
  /** The server's cached comparison with the 学信网 photo (同一人 / 同版), null until compared. */
  reference?: ReferenceComparison | null;
  /** 人工复核: a person's decision on a photo the checks sent to review. */
  humanReview?: { decision: 'pass' | 'fail'; note: string; by: string; at: string } | null;
}

/** 同一人 (face) and 同版 (sameShot) against the 学信网 reference photo. */
export interface ReferenceComparison {
  status: string;
  face: { status: string; value?: number | null; message: string };
  sameShot: { status: string; value?: number | null; message: string };
}

export type ApplicationState = 'draft' | 'applied' | 'submitted' | 'city_approved' | 'province_approved' | 'graduated' | 'returned' | 'rejected_final';

export interface ApplicationSummary {
  id: number;
  batchId: number;
  batchName?: string;
  state: ApplicationState;
}

export interface Student {
  id: number;
  xuehao: string;
  idCard: string;
  name: string;
  orgId: number;
  orgName: string;
  programme: string;
  level: '本科' | '专科';
  enrolTerm: string;
  validUntil: string;
  expired: boolean;
  flags: { chsiPhotoMissing: boolean; identityDoubtful: boolean; continuing: boolean };
  identityStatus: IdentityStatus;
  photo: Photo | null;
  photoLocked: boolean;
  application: ApplicationSummary | null;
  hasReference?: boolean;
}

/** 身份复核 state (core IdentityReviewState). */
export type IdentityStatus = 'none' | 'documents_collected' | 'submitted' | 'approved' | 'rejected';

/** An audit window: dates inclusive. The second window's start may be unknown until exam results are out. */
export interface BatchWindow {
  start: string | null;
  end: string;
}

export interface Batch {
  id: number;
  name: string;
  orgId: number;
  orgName?: string;
  firstWindow: { start: string; end: string };
  secondWindow: BatchWindow;
  deadline: string;
  collectionDeadline: string | null;
  open: boolean;
  /** Which window is open today ('first' / 'second'), null when none. */
  openWindow?: string | null;
  daysLeftInWindow?: number | null;
  daysUntilDeadline?: number;
}

export interface Warning {
  code: string;
  message: string;
}

export interface Application {
  id: number;
  studentId: number;
  studentName: string;
  xuehao: string;
  orgId: number;
  orgName: string;
  batchId: number;
  batchName: string;
  state: ApplicationState;
  stateLabel?: string;
  /** Actions the current user may take now (from the server). */
  actions?: string[];
  returnedBy?: string | null;
  submissionCount?: number;
  degreeRequested: boolean;
  signedAt: string | null;
  samePhotoConfirmed: boolean;
  /** 同版 gate override: why a photo comparing as another person/shot was submitted anyway. */
  referenceOverride?: { reason: string; by: string; at: string } | null;
  registrationNumber: string | null;
  lastReason: string | null;
  updatedAt: string;
  warnings: Warning[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string | null;
  orgId: number | null;
  entity: string;
  entityId: number | string;
  action: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export type CertificateState = 'pending' | 'arrived' | 'handed_over' | 'confirmed' | 'problem_reported';

export interface Handover {
  recipient: 'student' | 'authorised_person';
  name: string;
  idCard?: string;
  at?: string;
  idChecked?: boolean;
  signed?: boolean;
  authorisationNote?: string | null;
}

/** A certificate; the server's field names vary a little (receivedAt/arrivedAt, handover object or flat). */
export interface Certificate {
  id: number;
  studentId: number;
  studentName: string;
  xuehao: string;
  orgId: number;
  orgName: string;
  applicationId: number;
  batchId: number;
  registrationNumber: string | null;
  state: CertificateState;
  stateLabel?: string;
  receivedFrom: string | null;
  receivedAt?: string | null;
  arrivedAt?: string | null;
  handover?: Handover | null;
  handedToKind?: string | null;
  handedToName?: string | null;
  idChecked?: boolean;
  handedAt: string | null;
  confirmedAt: string | null;
  problem: string | { description: string; reportedAt?: string } | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Identity {
  status: IdentityStatus;
  identityDoubtful?: boolean;
  documents: { id: number; fileName: string; bytes: number; uploadedAt: string; uploadedBy: string | number | null }[];
  decidedAt: string | null;
  decidedBy: string | number | null;
  reason: string | null;
}

export interface ProgressRow {
  org: Org;
  counts: Partial<Record<ApplicationState, number>>;
  total: number;
}

export interface Progress {
  org: Org;
  states: ApplicationState[];
  stateLabels?: Record<string, string>;
  rows: ProgressRow[];
  totals: { counts: Partial<Record<ApplicationState, number>>; total: number };
}

export interface CertificatePendingRow {
  org: Org | null;
  centrePath?: string;
  total: number;
  notHandedOver: number;
}

export interface RowResult {
  row?: number;
  ok: boolean;
  xuehao?: string;
  code?: string;
  message?: string;
}

export interface RosterImportResult {
  created: number;
  updated: number;
  failed: number;
  rows: RowResult[];
}

export interface PhotoImportResult {
  matched: { file: string; studentId: number; photoId: number }[];
  unmatched: { file: string; code: string; message: string }[];
  duplicates: { file: string; studentId?: number; code?: string; message?: string }[];
  locked: { file: string; code?: string; message?: string }[];
  /** Byte-identical to the student's current photo: skipped (SHA-256). */
  identical?: { file: string; studentId: number; message: string }[];
  missing: { studentId: number; xuehao: string; name: string }[];
}

export interface BulkResult {
  results: { id: number; ok: boolean; state?: ApplicationState; code?: string; message?: string }[];
  okCount: number;
  failCount: number;
}

export type ApplicationAction = 'apply' | 'submit' | 'approve' | 'return' | 'reject';

/** 图像采集订单状态 */
export type CollectionStatus = 'created' | 'submitted' | 'first_review_passed' | 'paid' | 'final_passed' | 'completed' | 'shipped' | 'rejected';

export type CollectionActionType =
  | 'collection_submit'
  | 'collection_first_review_pass'
  | 'collection_pay'
  | 'collection_final_pass'
  | 'collection_reject'
  | 'collection_complete'
  | 'collection_ship'
  | 'collection_record_receipt';

/** 图像采集订单 (name masked 张* for collectors). */
export interface CollectionOrder {
  id: number;
  studentId: number;
  name: string;
  xuehao: string | null;
  orgId: number;
  orgName: string;
  collectionOrgId: number;
  collectionOrgName: string;
  status: CollectionStatus;
  statusLabel: string;
  collectionCode: string | null;
  hasPhoto: boolean;
  shippingAddress: string | null;
  rejectionCount: number;
  lastRejectionReason: string | null;
  paidAmountFen: number | null;
  paidAt: string | null;
  finalPassedAt: string | null;
  completedAt: string | null;
  shippedAt: string | null;
  trackingNumber: string | null;
  paperReceivedOn: string | null;
  inPersonAdvice: string | null;
  feeFen: number;
  updatedAt: string | null;
  warnings?: { code: string; message: string }[];
}

/** GET /api/collection/reminders */
export interface CollectionReminders {
  deadlines: { batchId: number; batchName: string; orgId: number; orgName: string; deadline: string; daysLeft: number; overdue: boolean; pendingStudentIds: number[]; message: string }[];
  overdueShipments: { orderId: number; name: string; dueOn: string; workingDaysOverdue: number }[];
  chsiChecks: { orderId: number; dueOn: string; workingDaysLeft: number; overdue: boolean; message: string }[];
  open: number;
}

/** 学信网标记 the flag import sets. */
export type ImportableFlag = 'chsi_photo_missing' | 'identity_doubtful';

/** POST /api/students/flags/import answer. */
export interface FlagImportResult {
  rows: { identifier: string; ok: boolean; studentId?: number; code?: string; message: string }[];
}
