import type { PhotoRow } from '../repositories/index.js';

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
  };
}
