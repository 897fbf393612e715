/**
 * Worker thread of the batch pool (批量处理工作线程). Loaded by piscina from the BUILT file
 * (`dist/batch/worker.js`). One libvips thread per worker (`sharp.concurrency(1)`): parallelism comes from
 * the pool, one photo per core. The engine, face models and profile are loaded once per worker.
 */
import { mkdir, rename, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { workerData } from 'node:worker_threads';
import sharp from 'sharp';
import type { Profile } from '../types.js';
import { loadEngine, loadOverlayRenderer, type StandardizeResult } from './engine.js';
import { errorReport, type PhotoTask, type PhotoTaskBatch, type PhotoTaskResult, type PoolWorkerData } from './task.js';

sharp.concurrency(1);
sharp.cache(false);

const profile: Profile = (workerData as PoolWorkerData).profile;

/** Write a file atomically (temp name in the same folder, then rename): a re-run never leaves half files. */
async function writeAtomic(file: string, data: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

async function thumbnailOf(bytes: Buffer): Promise<string | undefined> {
  try {
    const jpeg = await sharp(bytes, { limitInputPixels: 50_000_000, failOn: 'none' })
      .rotate()
      .resize(120, 160, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 60 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    return undefined; // not decodable: the report already says why
  }
}

/** Worker entry: one photo, or several in one message. */
export default async function run(message: PhotoTask | PhotoTaskBatch): Promise<PhotoTaskResult | PhotoTaskResult[]> {
  if ('batch' in message) {
    const results: PhotoTaskResult[] = [];
    for (const task of message.batch) results.push(await processPhoto(task));
    return results;
  }
  return processPhoto(message);
}

/** Process one photo. Never rejects for a bad photo: the engine reports it; anything else → error report. */
async function processPhoto(task: PhotoTask): Promise<PhotoTaskResult> {
  const started = performance.now();
  const bytes = Buffer.from(task.bytes);
  const result: PhotoTaskResult = { report: errorReport(task.name, 'INTERNAL_ERROR', '内部错误'), ms: 0 };
  try {
    const engine = await loadEngine();
    if (task.op === 'check') {
      result.report = await engine.inspect(bytes, { profile, fileName: task.fileName, face: task.face });
      if (task.thumbnail) result.thumbnail = await thumbnailOf(bytes);
      if (task.overlayPath) {
        const render = await loadOverlayRenderer();
        if (!render) {
          result.overlayNote = '叠加图不可用（人脸模块未提供 renderOverlay）OVERLAY_UNAVAILABLE';
        } else if (!result.report.face) {
          result.overlayNote = '未检测到人脸，无叠加图';
        } else {
          try {
            const png = await render(bytes, result.report, profile);
            await writeAtomic(task.overlayPath, png);
            result.overlay = task.overlayPath;
          } catch (err) {
            result.overlayNote = `叠加图生成失败（${err instanceof Error ? err.message : String(err)}）`;
          }
        }
      }
    } else {
      // No explicit alignment: face-aligned crop when face analysis is on and the face models load, else centre.
      const align = task.align ?? (task.face ? 'face' : 'centre');
      const opts = { align, background: task.background, face: task.face, fileName: task.fileName };
      let out: StandardizeResult | null;
      try {
        out = await engine.standardize(bytes, profile, opts);
      } catch (err) {
        if (task.align !== undefined || align !== 'face' || (err as { code?: unknown }).code !== 'FACE_UNAVAILABLE') throw err;
        out = null;
      }
      if (out === null || (task.align === undefined && align === 'face' && out.report.error?.code === 'FACE_UNAVAILABLE')) {
        out = await engine.standardize(bytes, profile, { ...opts, align: 'centre' });
      }
      result.report = out.report;
      result.encodes = out.encodes;
      if (out.jpeg && task.outputPath) {
        await writeAtomic(task.outputPath, out.jpeg);
        result.report.output = task.outputPath;
      } else if (task.outputPath) {
        // Refused this time: remove what an earlier run wrote there, so --out never holds a stale photo.
        await unlink(task.outputPath).catch(() => undefined);
      }
      if (task.thumbnail) result.thumbnail = await thumbnailOf(out.jpeg ?? bytes);
    }
    result.report.file = task.name;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    result.report = errorReport(task.name, typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : 'PROCESSING_FAILED', `处理失败：${err instanceof Error ? err.message : String(err)}`);
  }
  result.ms = performance.now() - started;
  return result;
}
