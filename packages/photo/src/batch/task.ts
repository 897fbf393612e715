/**
 * Messages between the batch pool and its workers (批量任务). Plain data only (structured-clone safe);
 * the photo bytes travel as a transferred ArrayBuffer.
 */
import type { PhotoReport, Profile } from '../types.js';

/** One photo to check (`check`) or standardise (`fix`). */
export interface PhotoTask {
  op: 'check' | 'fix';
  /** Display name (report `file`). */
  name: string;
  /** Base file name (extension and `name` rules). */
  fileName: string;
  /** The photo bytes; transferred to the worker, not copied. */
  bytes: ArrayBuffer;
  /** Run face analysis. */
  face: boolean;
  /** fix: crop alignment; omitted = `face` when `face` is on (falling back to `centre` when the face models are unavailable), else `centre`. */
  align?: 'centre' | 'face';
  background?: 'keep' | 'blue';
  /** fix: write the standardised JPEG here (atomically: temp file + rename). */
  outputPath?: string;
  /** Return a small JPEG thumbnail as a data URI (HTML reports). */
  thumbnail?: boolean;
  /** check: write a face overlay PNG here when the face module can draw one. */
  overlayPath?: string;
}

/** Several photos in one message (micro-batching of small photos); answered with one result per task. */
export interface PhotoTaskBatch {
  batch: PhotoTask[];
}

/** What a worker sends back for one photo. */
export interface PhotoTaskResult {
  report: PhotoReport;
  /** fix: JPEG encodes needed by encode-to-size. */
  encodes?: number;
  /** `data:image/jpeg;base64,…` when asked for. */
  thumbnail?: string;
  /** Path of the overlay PNG written, when asked for and drawn. */
  overlay?: string;
  /** Why no overlay was written, when asked for (Chinese). */
  overlayNote?: string;
  /** Time spent in the worker on this photo, ms. */
  ms: number;
}

/** Data every worker receives once at start (profile loaded once per worker). */
export interface PoolWorkerData {
  profile: Profile;
}

/** A report for a photo that could not be processed at all (verdict `error`). */
export function errorReport(file: string, code: string, message: string): PhotoReport {
  return { file, verdict: 'error', checks: [], error: { code, message } };
}
