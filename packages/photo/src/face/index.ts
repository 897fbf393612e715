/**
 * Face and composition analysis (人脸与构图分析) — CONTRACT ONLY until the face module lands.
 * Every function here must keep its signature; the bodies are replaced by the real implementation.
 */
import type { CheckResult, CropPlan, FaceGeometry, Profile, RawImage, Refusal } from '../types.js';

/** Thrown while the face models are not available; callers turn it into `review` results. */
export class FaceUnavailableError extends Error {
  readonly code = 'FACE_UNAVAILABLE';
}

/** One analysis pass per photo, shared by all composition and photographic checks. */
export interface FaceInspection {
  face: FaceGeometry | null;
  checks: CheckResult[];
}

/** Analyse one photo already in the profile's frame and run every §3–4 check on it. */
export async function inspectFace(_img: RawImage, _profile: Profile): Promise<FaceInspection> {
  throw new FaceUnavailableError('人脸分析模块尚未加载');
}

/** Plan a face-aligned crop of a larger source photo for the profile, or refuse with the reason. */
export async function planFaceCrop(_img: RawImage, _profile: Profile): Promise<{ ok: true; plan: CropPlan; face: FaceGeometry } | { ok: false; refusal: Refusal }> {
  throw new FaceUnavailableError('人脸分析模块尚未加载');
}

/** Replace the background with the given colour using person segmentation (背景替换). */
export async function replaceBackground(_img: RawImage, _rgb: [number, number, number]): Promise<RawImage> {
  throw new FaceUnavailableError('人脸分析模块尚未加载');
}

/** A face embedding for identity comparison (人脸特征), or null when no single face is found. */
export async function faceEmbedding(_img: RawImage): Promise<Float32Array | null> {
  throw new FaceUnavailableError('人脸分析模块尚未加载');
}
