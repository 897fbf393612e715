/**
 * Decision thresholds (判定阈值), calibrated on the London face set by `npm run eval`
 * (scripts/eval/face-match.js prints the distributions these were chosen from).
 */

/**
 * pHash Hamming distance at or below which two pictures are the same picture (近似重复).
 * Measured (60 London portraits cut to 480×640; thumbnails decoded without JPEG shrink-on-load):
 * re-encoded/resized/PNG copies 0–4 bits; different people ≥ 6 (7,080 pairs); the same person in a different
 * shot ≥ 4 (1 of 60 at 4, the rest ≥ 6 — telling shots apart is SSIM's job). Chosen: 4.
 */
export const PHASH_NEAR_DUPLICATE = 4;

/**
 * 同版 (same shot) on grey 480×640 standard frames, decided by `judgeSameShot`:
 * - frames cut alike (eyes agree within detector jitter, or unknown): SSIM pass ≥ `pass`, fail < `fail`;
 * - a re-cut, registered from the eyes: pass needs SSIM ≥ `passRegistered` AND the 10th percentile of 40-px
 *   block SSIMs ≥ `localPass`; fail when SSIM < `fail` or that percentile < `localFail`; review otherwise.
 * Measured on the London set (60 people): same shot re-encoded/resized/re-cut 6 % SSIM 0.885–0.976, never
 * fail (0/180), 18–25/180 to review (two runs); a different shot of the same person SSIM 0.695–0.928, local p10 0.18–0.77,
 * never pass (0/60), 12–13/60 to review.
 */
export const SSIM_SAME_SHOT = { pass: 0.86, passRegistered: 0.93, fail: 0.8, localPass: 0.7, localFail: 0.6 } as const;

/**
 * Face similarity (the face module's `faceSimilarity`, 0–1) at or above which two photos show the same person
 * (同一人); `review` band [review, match). Measured on the London set (480×640 crops, 60 people):
 * genuine NNN_03 vs NNN_08 min 0.607, 2nd lowest 0.666, median 0.847; impostors (7,080 cross-person pairs)
 * max 0.580, p99 0.401. No false match and ≤ 2 % false non-match needs a threshold in (0.580, 0.666]:
 * chosen 0.62 (FMR 0/7080, FNMR 1/60 = 1.7 %, and that one lands in review, not fail).
 */
export const FACE_SAME_PERSON = { match: 0.62, review: 0.55 } as const;

/** All thresholds in one object, as reports print them. */
export interface MatchThresholds {
  phash: number;
  /** `pass` for frames cut alike, `passRegistered` after registering a re-cut, `fail` below which it is another shot. */
  ssim: { pass: number; passRegistered: number; fail: number; localPass: number; localFail: number };
  face: { match: number; review: number };
}

export const DEFAULT_THRESHOLDS: MatchThresholds = {
  phash: PHASH_NEAR_DUPLICATE,
  ssim: { ...SSIM_SAME_SHOT },
  face: { ...FACE_SAME_PERSON },
};
