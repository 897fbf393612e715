import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { AppError, invalid } from '../errors.js';
import type { Actor } from '../services/context.js';

/** Small helpers shared by the route modules. */
export const actorOf = (req: FastifyRequest): Actor => {
  if (!req.actor) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  return req.actor;
};

/** Reads a multipart request: the one file and the text fields. */
export async function readMultipart(
  req: FastifyRequest,
): Promise<{ file: { name: string; bytes: Buffer } | null; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw invalid('请以 multipart/form-data 上传文件', 'MULTIPART_REQUIRED');
  const fields: Record<string, string> = {};
  let file: { name: string; bytes: Buffer } | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const f = part as MultipartFile;
      const bytes = await f.toBuffer();
      if (!file) file = { name: f.filename, bytes };
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
