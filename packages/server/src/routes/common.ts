import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { AppError, invalid } from '../errors.js';
import type { Actor } from '../services/context.js';

/** Small helpers shared by the route modules. */
export const actorOf = (req: FastifyRequest): Actor => {
  if (!req.actor) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  return req.actor;
};

/** Upload caps by what is uploaded (上传大小上限), said in the refusal. Zip archives stream to disk (upload-temp.ts). */
export const UPLOAD_CAPS = {
  /** A photo: a phone's original is under 15 MB; the standard photo is 20–40 KB. */
  photo: 20 * 1024 * 1024,
  /** A scan or photo of an identity document. */
  document: 20 * 1024 * 1024,
  /** A roster (XLSX/CSV): some hundred thousand rows. */
  roster: 30 * 1024 * 1024,
} as const;

/**
 * Reads a multipart request: the one file and the text fields. The file is read up to `maxBytes`; one byte more
 * is refused with 413 FILE_TOO_LARGE naming the cap, before the rest of the upload is held in memory.
 */
export async function readMultipart(
  req: FastifyRequest,
  maxBytes: number = UPLOAD_CAPS.photo,
): Promise<{ file: { name: string; bytes: Buffer } | null; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw invalid('请以 multipart/form-data 上传文件', 'MULTIPART_REQUIRED');
  const fields: Record<string, string> = {};
  let file: { name: string; bytes: Buffer } | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const f = part as MultipartFile;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of f.file as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          f.file.resume(); // drain the rest without keeping it
          throw new AppError(
            413,
            'FILE_TOO_LARGE',
            `文件“${f.filename}”过大：超过上限 ${Math.round(maxBytes / 1024 / 1024)} MB，请检查是否选错了文件`,
          );
        }
        chunks.push(chunk);
      }
      if (!file) file = { name: f.filename, bytes: Buffer.concat(chunks) };
    } else fields[part.fieldname] = String(part.value);
  }
  return { file, fields };
}

export const requireFile = (f: { name: string; bytes: Buffer } | null) => {
  if (!f || !f.bytes.length) throw invalid('没有收到文件（字段名 file）', 'FILE_REQUIRED');
  return f;
};

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export function sendXlsx(reply: FastifyReply, name: string, buf: Buffer) {
  return reply
    .header('content-type', XLSX)
    .header(
      'content-disposition',
      `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}.xlsx`,
    )
    .send(buf);
}

export const multipartBody = (fields: Record<string, unknown>) => ({
  consumes: ['multipart/form-data'],
  description: `multipart/form-data：file（文件）${Object.keys(fields).length ? '，' + Object.keys(fields).join('、') : ''}`,
});

/** OpenAPI tag list of one route. */
export const tag = (t: string) => [t];
