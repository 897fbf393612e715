/**
 * Thin adapters between database rows and @gradpass/core's types. No rule lives here: every decision is
 * core's (decide, canReplaceStudentPhoto, checkSubmissionOpen…); this file only translates shapes.
 */
import {
  canReplaceStudentPhoto,
  isSubmissionOpen,
  openWindow,
  type ApplicationStatus,
  type GraduationApplication,
  type GraduationBatch,
} from '@gradpass/core';
import type { ApplicationRow, BatchRow, Repos, StudentRow } from '../repositories/index.js';
import { unwrapResult } from './context.js';

export function toCoreBatch(b: BatchRow, provincePath?: string | null): GraduationBatch {
  return {
    id: String(b.id),
    name: b.name,
    firstWindow: { start: b.first_start, end: b.first_end },
    secondWindow: { start: b.second_start, end: b.second_end },
    deadline: b.deadline,
    collectionDeadline: b.collection_deadline,
    provincePath: provincePath ?? null,
  };
}

export function toCoreApplication(a: ApplicationRow, centrePath: string): GraduationApplication {
  return {
    id: String(a.id),
    studentId: String(a.student_id),
    batchId: String(a.batch_id),
    centrePath,
    status: a.state as ApplicationStatus,
    degreeRequested: !!a.degree_requested,
    formSignedAt: a.signed_at,
    photoId: a.photo_id == null ? null : String(a.photo_id),
    sameVersionConfirmedAt: a.same_version_confirmed_at,
    registrationNumber: a.registration_number,
    lastReason: a.last_reason,
    returnedBy: (a.returned_by as 'city' | 'province' | null) ?? null,
    submissionCount: a.submission_count,
    version: a.version,
    updatedAt: a.updated_at,
  };
}

/** The row patch that stores a core application. */
export function fromCoreApplication(a: GraduationApplication) {
  return {
    state: a.status,
    degree_requested: a.degreeRequested ? 1 : 0,
    signed_at: a.formSignedAt,
    photo_id: a.photoId == null ? null : Number(a.photoId),
    same_version_confirmed_at: a.sameVersionConfirmedAt,
    registration_number: a.registrationNumber,
    last_reason: a.lastReason,
    returned_by: a.returnedBy,
    submission_count: a.submissionCount,
    version: a.version,
    updated_at: a.updatedAt ?? new Date().toISOString(),
  };
}

/** PHOTO_LOCKED (core's canReplaceStudentPhoto) when any application of the student is in review. */
export async function assertPhotoReplaceable(repos: Repos, student: StudentRow): Promise<void> {
  const apps = await repos.applications.forStudent([student.id]);
  unwrapResult(canReplaceStudentPhoto(apps.map((a) => ({ status: a.state as ApplicationStatus }))));
}

export function batchOpenState(b: BatchRow, now: Date) {
  const core = toCoreBatch(b);
  return { open: isSubmissionOpen(core, now), openWindow: openWindow(core, now) };
}
