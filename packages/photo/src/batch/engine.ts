/**
 * The single-photo engine as the batch layer sees it (单张照片引擎接口). The engine lives in `../index.ts`
 * (inspect, standardize, profiles) and `../face/` (overlays); this module only names the signatures the batch
 * layer relies on and loads them, so the batch code states exactly what it needs from the engine.
 */
import type { InspectOptions, PhotoReport, Profile } from '../types.js';

/** Options of `standardize` (修正选项). */
export interface StandardizeOptions {
  /** Crop around the detected face (`face`) or the picture's centre (`centre`). */
  align?: 'centre' | 'face';
  /** Keep the background or replace it with the profile's light blue. */
  background?: 'keep' | 'blue';
  /** Run face analysis on the result (composition checks). */
  face?: boolean;
  /** The input's file name (the output is inspected as `<stem>.jpg`). */
  fileName?: string;
}

export interface StandardizeResult {
  jpeg: Buffer | null;
  report: PhotoReport;
  /** How many JPEG encodes encode-to-size needed. */
  encodes: number;
}

/** What the batch layer uses from the engine. */
export interface PhotoEngine {
  inspect(bytes: Buffer, opts: InspectOptions): Promise<PhotoReport>;
  standardize(bytes: Buffer, profile: Profile, opts?: StandardizeOptions): Promise<StandardizeResult>;
}

/** Thrown when the engine's build lacks a function the batch layer needs. */
export class EngineUnavailableError extends Error {
  readonly code = 'ENGINE_UNAVAILABLE';
}

let enginePromise: Promise<PhotoEngine> | null = null;

/** Load the engine once per thread. */
export function loadEngine(): Promise<PhotoEngine> {
  enginePromise ??= (async () => {
    const mod = (await import('../index.js')) as unknown as Partial<PhotoEngine>;
    if (typeof mod.inspect !== 'function' || typeof mod.standardize !== 'function') {
      throw new EngineUnavailableError('照片引擎未提供 inspect/standardize（请先构建 @gradpass/photo）');
    }
    return { inspect: mod.inspect.bind(mod), standardize: mod.standardize.bind(mod) };
  })();
  return enginePromise;
}

/**
 * The overlay renderer (叠加图): draws the profile's guide lines (head-top band, eye line, face-width
 * baselines, centre line) and the measured face geometry over the photo, as PNG. Adapts the face module's
 * `renderOverlay(img, face, checks, profile)` to the photo's bytes and its report.
 */
export type OverlayRenderer = (photo: Buffer, report: PhotoReport, profile: Profile) => Promise<Buffer>;

let overlayPromise: Promise<OverlayRenderer | null> | null = null;

/** The overlay renderer, or null when the face module cannot be loaded. */
export function loadOverlayRenderer(): Promise<OverlayRenderer | null> {
  overlayPromise ??= (async () => {
    try {
      const [face, { default: sharp }] = await Promise.all([import('../face/index.js'), import('sharp')]);
      return async (photo: Buffer, report: PhotoReport, profile: Profile) => {
        const { data, info } = await sharp(photo).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
        const img = { data, width: info.width, height: info.height, channels: 3 as const };
        return face.renderOverlay(img, report.face ?? null, report.checks, profile);
      };
    } catch {
      return null;
    }
  })();
  return overlayPromise;
}
