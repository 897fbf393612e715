import type { PhotoRow } from '../repositories/index.js';

/** The cached comparison with the 学信网 reference photo: 同一人 (face) and 同版 (sameShot), with scores. */
export interface ReferenceResult {
  /** Which reference file it was measured against (a new reference invalidates it). */
  referencePath: string;
  status: 'pass' | 'fail' | 'review';
  face: { status: string; value: number | null; message: string };
  sameShot: { status: string; value: number | null; message: string };
}

/** A person's decision on a photo the engine sent to review (人工复核). */
export interface HumanReviewDto {
  decision: 'pass' | 'fail';
  note: string;
  by: string;
  at: string;
}

export interface PhotoDto {
  id: number;
  studentId: number;
  source: string;
  fileName: string;
  bytes: number;
  sha256: string;
  status: string;
  checks: unknown[] | null;
  face: unknown | null;
  uploadedAt: string;
  checkedAt: string | null;
  /** 人工复核 decision, or null. */
  humanReview: HumanReviewDto | null;
  /** The last comparison with the 学信网 photo (null until compared or without a reference photo). */
  reference: Omit<ReferenceResult, 'referencePath'> | null;
}

/** What core's submission rule sees of a person's decision. */
export function humanReviewOf(p: PhotoRow): HumanReviewDto | null {
  if (p.review_decision !== 'pass' && p.review_decision !== 'fail') return null;
  return {
    decision: p.review_decision,
    note: p.review_note ?? '',
    by: p.reviewed_by_name ?? '',
    at: p.reviewed_at ?? '',
  };
}

export function photoDto(p: PhotoRow): PhotoDto {
  const report = p.checks_json ? (JSON.parse(p.checks_json) as { checks?: unknown[]; face?: unknown }) : null;
  return {
    id: p.id,
    studentId: p.student_id,
    source: p.source,
    fileName: p.file_name,
    bytes: p.bytes,
    sha256: p.sha256,
    status: p.status,
    checks: report?.checks ?? null,
    face: report?.face ?? null,
    uploadedAt: p.uploaded_at,
    checkedAt: p.checked_at,
    humanReview: humanReviewOf(p),
    reference: referenceOf(p),
  };
}

function referenceOf(p: PhotoRow): Omit<ReferenceResult, 'referencePath'> | null {
  if (!p.reference_json) return null;
  const { referencePath: _path, ...rest } = JSON.parse(p.reference_json) as ReferenceResult;
  return rest;
}
