/**
 * Imports as jobs (导入任务): every roster, photo archive and 学信网 flag import runs through here. The job row is
 * written before the work starts; the existing import services (StudentService.importRoster / importFlags,
 * PhotoService.importArchive) do the work unchanged; their result is turned into one per-row report (Chinese
 * messages, capped at IMPORT_REPORT_MAX_ROWS rows — failures kept first) and stored with the counts. Started with
 * `background`, the work runs on after the HTTP answer (the client polls the job), so a refresh loses nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chinaDateTime } from '@gradpass/core';
import { AppError, notFound } from '../errors.js';
import type { Repos } from '../repositories/index.js';
import type { ImportJobHead, ImportJobRepository, ImportJobRow } from '../repositories/import-jobs.js';
import { OrgTree, requireRole, requireStaff, type Actor } from './context.js';
import { toXlsx } from './reports.js';
import type { StudentService } from './students.js';
import type { ArchiveUpload, PhotoService, PhotoSource } from './photos.js';

/** The kinds of import (导入类别). */
export type ImportKind = 'roster' | 'photos' | 'flags';
export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  roster: '学生名册',
  photos: '照片压缩包',
  flags: '学信网标记',
};

/** Most report rows kept per job (报告行数上限); the counts always cover every row. */
export const IMPORT_REPORT_MAX_ROWS = 20_000;
/** Longest message kept per report row (characters). */
const MESSAGE_MAX = 500;
/**
 * Background imports run one at a time per process, in order (memory: one import's working set, not many); at
 * most this many wait behind the running one — more are refused with 429 IMPORT_BUSY.
 */
export const BACKGROUND_IMPORTS_WAITING_MAX = 3;
/** A job still "running" this long after its start was left behind by a stopped server (2 hours). */
const ABANDONED_AFTER_MS = 2 * 3600_000;

/** One row of a job's report. status: 成功 ok · 失败 failed · 跳过 skipped · 提示 info. */
export interface ImportReportRow {
  /** Where in the file: "第 12 行" or the file name inside the zip. */
  ref: string;
  status: 'ok' | 'failed' | 'skipped' | 'info';
  xuehao?: string;
  name?: string;
  code?: string;
  message: string;
}
export const REPORT_STATUS_LABELS: Record<ImportReportRow['status'], string> = {
  ok: '成功',
  failed: '失败',
  skipped: '跳过',
  info: '提示',
};

export interface ImportOutcome {
  rows: ImportReportRow[];
  summary: string;
}

export interface ImportJobDto {
  id: number;
  kind: ImportKind;
  kindLabel: string;
  orgId: number;
  orgName: string;
  userName: string;
  fileName: string;
  sha256: string | null;
  bytes: number;
  status: 'running' | 'done' | 'failed';
  statusLabel: string;
  startedAt: string;
  finishedAt: string | null;
  total: number;
  okCount: number;
  failedCount: number;
  skippedCount: number;
  summary: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  reportRows: number;
  reportTruncated: boolean;
}
const STATUS_LABELS: Record<ImportJobDto['status'], string> = { running: '导入中', done: '已完成', failed: '未完成' };

/** Caps the report: failures first, then the rest in file order, at most IMPORT_REPORT_MAX_ROWS rows. */
export function capReport(rows: ImportReportRow[], max = IMPORT_REPORT_MAX_ROWS): { kept: ImportReportRow[]; truncated: boolean } {
  const clip = (r: ImportReportRow): ImportReportRow =>
    r.message.length > MESSAGE_MAX ? { ...r, message: `${r.message.slice(0, MESSAGE_MAX)}…` } : r;
  if (rows.length <= max) return { kept: rows.map(clip), truncated: false };
  const order = rows.map((r, i) => ({ r, i }));
  const failedFirst = [...order.filter((x) => x.r.status === 'failed'), ...order.filter((x) => x.r.status !== 'failed')];
  const kept = failedFirst.slice(0, max).sort((a, b) => a.i - b.i).map((x) => clip(x.r));
  return { kept, truncated: true };
}

/** 导入任务：记录、后台运行、历史与报告下载 */
export class ImportJobService {
  constructor(
    private readonly repos: Repos,
    private readonly jobs: ImportJobRepository,
    private readonly students: StudentService,
    private readonly photos: PhotoService,
    private readonly now: () => Date,
  ) {}

  /** Where errors of background imports that are not refusals go (the app's logger). */
  onBackgroundError: (err: unknown) => void = () => {};
  /** The background imports of this process, one after another. */
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;

  /** A roster import as a job (refused at once when the centre is not the caller's to write). */
  async roster(actor: Actor, orgId: number, fileName: string, bytes: Buffer, opts: { background?: boolean } = {}) {
    requireRole(actor, ['centre_staff', 'admin'], '维护学籍');
    (await OrgTree.load(this.repos)).assertInScope(actor, orgId);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return this.run(
      actor,
      { kind: 'roster', orgId, fileName, sha256, bytes: bytes.length },
      () => this.students.importRoster(actor, orgId, fileName, bytes),
      rosterOutcome,
      opts,
    );
  }

  /** A photo archive import as a job; `cleanup` (removing the temporary upload) runs when it ends. */
  async photoArchive(
    actor: Actor,
    orgId: number,
    upload: ArchiveUpload & { bytes: number },
    source: PhotoSource,
    opts: { background?: boolean; cleanup?: () => Promise<void> } = {},
  ) {
    try {
      requireRole(actor, ['centre_staff'], '导入照片');
      (await OrgTree.load(this.repos)).assertInScope(actor, orgId);
    } catch (e) {
      await opts.cleanup?.();
      throw e;
    }
    const sha256 = await fileSha256(upload.path);
    return this.run(
      actor,
      { kind: 'photos', orgId, fileName: upload.name, sha256, bytes: upload.bytes },
      () => this.photos.importArchive(actor, orgId, upload, source),
      (r) => photosOutcome(this.repos, r),
      opts,
    );
  }

  /** A 学信网 flag list as a job (the list is typed or pasted: no file, the name says what it was). */
  async flags(actor: Actor, flag: 'chsi_photo_missing' | 'identity_doubtful', set: boolean, identifiers: string[]) {
    requireRole(actor, ['province_reviewer', 'national_reviewer', 'admin'], '导入学信网标记');
    const label = flag === 'chsi_photo_missing' ? '学信网缺学历照片' : '学信网身份存疑';
    const text = identifiers.join('\n');
    return this.run(
      actor,
      {
        kind: 'flags',
        orgId: actor.orgId,
        fileName: `${set ? '标记' : '取消'}“${label}”名单（${identifiers.length} 个）`,
        sha256: createHash('sha256').update(text).digest('hex'),
        bytes: Buffer.byteLength(text),
      },
      () => this.students.importFlags(actor, flag, set, identifiers),
      flagsOutcome,
    );
  }

  /** Marks jobs a stopped server left "running" (at start-up). */
  async sweepAbandoned(): Promise<number> {
    const at = new Date();
    return this.jobs.markAbandoned(new Date(at.getTime() - ABANDONED_AFTER_MS).toISOString(), at.toISOString());
  }

  /**
   * Records and runs one import. `work` is the existing import service call turned into an outcome. With
   * `background` the job is answered at once (status running) and `work` goes on; `cleanup` runs after it either
   * way (e.g. removing the temporary upload). Without `background` the answer waits and `work`'s raw result is
   * returned beside the job.
   */
  async run<T>(
    actor: Actor,
    what: { kind: ImportKind; orgId: number; fileName: string; sha256: string | null; bytes: number },
    work: () => Promise<T>,
    toOutcome: (result: T) => ImportOutcome | Promise<ImportOutcome>,
    opts: { background?: boolean; cleanup?: () => Promise<void> } = {},
  ): Promise<{ job: ImportJobDto; result?: T }> {
    if (opts.background && this.queued > BACKGROUND_IMPORTS_WAITING_MAX) {
      await opts.cleanup?.();
      throw new AppError(
        429,
        'IMPORT_BUSY',
        `服务器上正在进行的导入较多（已有 ${this.queued} 个在排队），请等前面的导入完成后再上传`,
      );
    }
    const row = await this.jobs.insert({
      kind: what.kind,
      org_id: what.orgId,
      user_id: actor.id,
      user_name: `${actor.displayName}（${actor.username}）`,
      file_name: what.fileName.slice(0, 255),
      sha256: what.sha256,
      bytes: what.bytes,
      status: 'running',
      started_at: this.now().toISOString(),
      total: 0,
      ok_count: 0,
      failed_count: 0,
      skipped_count: 0,
      report_rows: 0,
      report_truncated: 0,
    });
    const execute = async (): Promise<T> => {
      try {
        const result = await work();
        await this.finish(row.id, await toOutcome(result));
        return result;
      } catch (e) {
        const err = e instanceof AppError ? e : null;
        await this.jobs.update(row.id, {
          status: 'failed',
          finished_at: this.now().toISOString(),
          error_code: err?.code ?? 'IMPORT_FAILED',
          error_message: (err?.message ?? '导入时服务器出错，请稍后重试或联系管理员').slice(0, MESSAGE_MAX),
        });
        throw e;
      } finally {
        await opts.cleanup?.();
      }
    };
    const tree = await OrgTree.load(this.repos);
    if (opts.background) {
      // The answer goes now; the import runs on (after the ones before it) even if the client goes away.
      this.queued++;
      this.chain = this.chain
        .then(execute)
        .then(
          () => undefined,
          (e: unknown) => {
            if (!(e instanceof AppError)) this.onBackgroundError(e);
          },
        )
        .finally(() => {
          this.queued--;
        });
      return { job: this.dto(row, tree) };
    }
    const result = await execute();
    return { job: this.dto((await this.jobs.byId(row.id)) as ImportJobRow, tree), result };
  }

  private async finish(id: number, outcome: ImportOutcome): Promise<void> {
    const count = (s: ImportReportRow['status']) => outcome.rows.filter((r) => r.status === s).length;
    const { kept, truncated } = capReport(outcome.rows);
    await this.jobs.update(id, {
      status: 'done',
      finished_at: this.now().toISOString(),
      total: outcome.rows.filter((r) => r.status !== 'info').length,
      ok_count: count('ok'),
      failed_count: count('failed'),
      skipped_count: count('skipped'),
      summary: outcome.summary,
      report_json: JSON.stringify(kept),
      report_rows: outcome.rows.length,
      report_truncated: truncated ? 1 : 0,
    });
  }

  dto(r: ImportJobHead, tree: OrgTree): ImportJobDto {
    const kind = r.kind as ImportKind;
    const status = r.status as ImportJobDto['status'];
    return {
      id: r.id,
      kind,
      kindLabel: IMPORT_KIND_LABELS[kind] ?? r.kind,
      orgId: r.org_id,
      orgName: tree.get(r.org_id)?.name ?? '',
      userName: r.user_name,
      fileName: r.file_name,
      sha256: r.sha256,
      bytes: r.bytes,
      status,
      statusLabel: STATUS_LABELS[status] ?? r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      total: r.total,
      okCount: r.ok_count,
      failedCount: r.failed_count,
      skippedCount: r.skipped_count,
      summary: r.summary,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      reportRows: r.report_rows,
      reportTruncated: r.report_truncated === 1,
    };
  }

  async list(actor: Actor, q: { orgId?: number; kind?: ImportKind; before?: number; limit?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
    const rows = await this.jobs.list({ orgIds: tree.filterIds(actor, q.orgId), kind: q.kind, before: q.before, limit });
    return {
      items: rows.map((r) => this.dto(r, tree)),
      nextBefore: rows.length === limit ? rows[rows.length - 1].id : null,
    };
  }

  private async load(actor: Actor, id: number): Promise<{ row: ImportJobRow; tree: OrgTree }> {
    requireStaff(actor);
    const row = await this.jobs.byId(id);
    const tree = await OrgTree.load(this.repos);
    // A job of another subtree is answered like one that does not exist.
    if (!row || !tree.scopeIds(actor).includes(row.org_id)) throw notFound('导入记录');
    return { row, tree };
  }

  async get(actor: Actor, id: number): Promise<ImportJobDto & { report: ImportReportRow[] }> {
    const { row, tree } = await this.load(actor, id);
    return { ...this.dto(row, tree), report: row.report_json ? (JSON.parse(row.report_json) as ImportReportRow[]) : [] };
  }

  /** The report as XLSX (导入报告), times in Beijing time. */
  async reportXlsx(actor: Actor, id: number): Promise<{ name: string; bytes: Buffer }> {
    const job = await this.get(actor, id);
    const head: ImportReportRow[] = [
      {
        ref: '导入概况',
        status: 'info',
        message:
          `${job.kindLabel}“${job.fileName}”，${job.orgName}，${job.userName}，` +
          `开始 ${chinaDateTime(new Date(job.startedAt))}` +
          (job.finishedAt ? `，结束 ${chinaDateTime(new Date(job.finishedAt))}` : '') +
          `；${job.statusLabel}${job.summary ? `：${job.summary}` : ''}${job.errorMessage ? `：${job.errorMessage}` : ''}` +
          (job.reportTruncated ? `；报告只保留了 ${job.report.length} 行（上限 ${IMPORT_REPORT_MAX_ROWS} 行，失败的行优先）` : ''),
      },
    ];
    const bytes = await toXlsx(
      '导入报告',
      [
        { header: '位置', width: 30, value: (r: ImportReportRow) => r.ref },
        { header: '结果', width: 8, value: (r) => REPORT_STATUS_LABELS[r.status] },
        { header: '学号', width: 16, value: (r) => r.xuehao },
        { header: '姓名', width: 10, value: (r) => r.name },
        { header: '说明', width: 80, value: (r) => r.message },
      ],
      [...head, ...job.report],
    );
    return { name: `导入报告-${job.id}-${job.kindLabel}`, bytes };
  }
}

/** The roster import's result as a report. */
export function rosterOutcome(r: {
  created: number;
  updated: number;
  failed: number;
  rows: Array<{ row: number; ok: boolean; xuehao?: string; code?: string; message: string }>;
}): ImportOutcome {
  return {
    summary: `新增 ${r.created} 名，更新 ${r.updated} 名，失败 ${r.failed} 行`,
    rows: r.rows.map((x) => ({
      ref: `第 ${x.row} 行`,
      status: x.ok ? 'ok' : 'failed',
      xuehao: x.xuehao,
      code: x.code,
      message: x.message,
    })),
  };
}

/** The flag import's result as a report. */
export function flagsOutcome(r: {
  rows: Array<{ identifier: string; ok: boolean; code?: string; message: string }>;
}): ImportOutcome {
  const ok = r.rows.filter((x) => x.ok).length;
  return {
    summary: `已处理 ${ok} 名，未找到或无效 ${r.rows.length - ok} 个`,
    rows: r.rows.map((x) => ({ ref: x.identifier, status: x.ok ? 'ok' : 'failed', code: x.code, message: x.message })),
  };
}

/** The photo import's result as a report (student names looked up for the matched files). */
export async function photosOutcome(
  repos: Repos,
  r: {
    matched: Array<{ file: string; studentId: number }>;
    unmatched: Array<{ file: string; code: string; message: string }>;
    duplicates: Array<{ file: string; message: string }>;
    identical?: Array<{ file: string; studentId: number; message: string }>;
    locked: Array<{ file: string; message: string }>;
    missing: Array<{ xuehao: string; name: string }>;
  },
): Promise<ImportOutcome> {
  const ids = [...new Set([...r.matched, ...(r.identical ?? [])].map((m) => m.studentId))];
  const students = new Map<number, { xuehao: string; name: string }>();
  if (ids.length) for (const s of await repos.students.listAll({ orgPath: '/', ids })) students.set(s.id, s);
  const who = (id: number) => ({ xuehao: students.get(id)?.xuehao, name: students.get(id)?.name });
  const identical = r.identical ?? [];
  const rows: ImportReportRow[] = [
    ...r.matched.map((m) => ({ ref: m.file, status: 'ok' as const, ...who(m.studentId), message: '已导入，正在检测' })),
    ...identical.map((m) => ({ ref: m.file, status: 'skipped' as const, ...who(m.studentId), code: 'PHOTO_IDENTICAL', message: m.message })),
    ...r.duplicates.map((m) => ({ ref: m.file, status: 'skipped' as const, code: 'DUPLICATE', message: m.message })),
    ...r.unmatched.map((m) => ({ ref: m.file, status: 'failed' as const, code: m.code, message: m.message })),
    ...r.locked.map((m) => ({ ref: m.file, status: 'failed' as const, code: 'PHOTO_LOCKED', message: m.message })),
    ...r.missing.map((m) => ({
      ref: '缺照片',
      status: 'info' as const,
      xuehao: m.xuehao,
      name: m.name,
      message: `${m.name}（${m.xuehao}）还没有照片`,
    })),
  ];
  return {
    summary:
      `导入 ${r.matched.length} 张，与当前照片相同跳过 ${identical.length} 张，重复 ${r.duplicates.length} 张，` +
      `未匹配或无法读取 ${r.unmatched.length} 个，已锁定 ${r.locked.length} 张；仍缺照片 ${r.missing.length} 名`,
    rows,
  };
}

/** SHA-256 of a file on disk, streamed. */
function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
