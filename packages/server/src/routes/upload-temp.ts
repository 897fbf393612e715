/**
 * Large uploads to a temporary file (上传暂存): the multipart file part is streamed to disk with a size cap,
 * never collected into a Buffer, so a 200 MB archive costs the server a few kilobytes of memory. Used by the
 * photo archive import, whose zip reader opens the file from disk.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { AppError, invalid } from '../errors.js';

/** Largest photo archive (zip) accepted in one upload. 照片压缩包上传上限 */
export const PHOTO_ARCHIVE_MAX_BYTES = 200 * 1024 * 1024;

/** An upload saved to a temporary file; `remove()` deletes it (always call it, in a `finally`). */
export interface TempUpload {
  file: { name: string; path: string; bytes: number } | null;
  fields: Record<string, string>;
  remove(): Promise<void>;
}

function tooLarge(maxBytes: number): AppError {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return new AppError(413, 'UPLOAD_TOO_LARGE', `上传的文件超过上限 ${mb} MB，未处理；请分成几个压缩包分别上传`);
}

/** Read a multipart request, streaming its one file part to a temporary file (capped at `maxBytes`). */
export async function receiveToTempFile(req: FastifyRequest, maxBytes = PHOTO_ARCHIVE_MAX_BYTES): Promise<TempUpload> {
  if (!req.isMultipart()) throw invalid('请以 multipart/form-data 上传文件', 'MULTIPART_REQUIRED');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gradpass-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let file: TempUpload['file'] = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
      if (part.type !== 'file') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const f = part as MultipartFile;
      const target = path.join(dir, 'upload.bin');
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(bytes > maxBytes ? tooLarge(maxBytes) : null, chunk);
        },
      });
      await pipeline(f.file, count, createWriteStream(target));
      if (f.file.truncated) throw tooLarge(maxBytes);
      file = { name: f.filename, path: target, bytes };
    }
  } catch (err) {
    await remove();
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
    throw err;
  }
  return { file, fields, remove };
}
