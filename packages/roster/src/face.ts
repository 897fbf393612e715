/**
 * Identity comparison through the photo engine's face module (人脸比对). Loaded lazily: a roster check
 * without faces never pays for the models. When the module is not available, callers report `review`.
 */
import type { RawImage } from '@gradpass/photo';

/** What the roster tools need from a face module: an embedding and a similarity of two embeddings. */
export interface FaceMatcher {
  /** A face embedding, or null when no single face is found. 人脸特征 */
  embed(img: RawImage): Promise<Float32Array | null>;
  /** Similarity of two embeddings, higher = more alike (the face module's own scale). 相似度 */
  similarity(a: Float32Array, b: Float32Array): Promise<number>;
  /** Pupil centres (left, right as seen) of the single face, or null; optional. 瞳孔位置 */
  eyes?(img: RawImage): Promise<[[number, number], [number, number]] | null>;
}

/** The face module could not be loaded or has no embedding yet. */
export class FaceModuleUnavailable extends Error {
  readonly code = 'FACE_UNAVAILABLE';
}

type FaceModule = {
  faceEmbedding?: (img: RawImage) => Promise<Float32Array | null>;
  faceSimilarity?: (a: ArrayLike<number>, b: ArrayLike<number>) => number | Promise<number>;
  embeddingSimilarity?: (a: ArrayLike<number>, b: ArrayLike<number>) => number | Promise<number>;
  analyseFace?: (img: RawImage) => Promise<{ geometry: { eyes: [[number, number], [number, number]] } | null }>;
};
type EngineModule = { descriptorSimilarity?: (a: ArrayLike<number>, b: ArrayLike<number>) => Promise<number> };

let matcherPromise: Promise<FaceMatcher> | null = null;

/** Load the photo engine's face module once (rejects with `FaceModuleUnavailable` when it cannot). */
export function loadFaceMatcher(): Promise<FaceMatcher> {
  matcherPromise ??= (async () => {
    let face: FaceModule;
    let engine: EngineModule;
    try {
      face = (await import('@gradpass/photo/face/index')) as FaceModule;
    } catch (e) {
      throw new FaceModuleUnavailable(`人脸模块无法加载：${(e as Error).message}`);
    }
    try {
      engine = (await import('@gradpass/photo/face/engine')) as EngineModule;
    } catch {
      engine = {};
    }
    const embed = face.faceEmbedding;
    const sim = face.faceSimilarity ?? face.embeddingSimilarity ?? engine.descriptorSimilarity;
    if (typeof embed !== 'function' || typeof sim !== 'function') throw new FaceModuleUnavailable('人脸模块未提供人脸特征与相似度函数');
    const matcher: FaceMatcher = {
      embed: (img) => embed(img),
      similarity: async (a, b) => sim(a, b),
    };
    const analyse = face.analyseFace;
    if (typeof analyse === 'function') matcher.eyes = async (img) => (await analyse(img)).geometry?.eyes ?? null;
    return matcher;
  })();
  matcherPromise.catch(() => {
    matcherPromise = null;
  });
  return matcherPromise;
}
