/**
 * Exports as background jobs (后台导出): for long exports (a province's students.xlsx, the photo zip) the user
 * starts a job instead of holding a download open. The row is written first (status queued) and the job goes to
 * the deployment's export queue — run by `gradpass worker` when WORKERS=external, else by the web process. The
 * job rebuilds the user's actor from the database (same scope and masking as the download: 身份证号 masked),
 * writes the file to a temporary file with its progress (rows done / estimated total) on the row and as a live
 * event, stores it in the file store (disk or S3) and keeps it for {@link EXPORT_TTL_DAYS} days. Only the user
 * who started it sees the job and downloads the file; anybody else is answered as if it did not exist. Every
 * export and every download is audited (PIPL: the files hold names).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, notFound } from '../errors.js';
import type { Repos } from '../repositories/index.js';
import type { ExportJobRepository, ExportJobRow } from '../repositories/export-jobs.js';
import type { FileStore } from '../storage.js';
import type { EventBus } from '../events.js';
import type { JobQueue } from '../jobs/queue.js';
import { OrgTree, requireStaff, type Actor } from './context.js';
import { actorFromUser } from './auth.js';
import { audit } from './audit.js';
import { writeXlsxStream } from './reports.js';
import type { PhotoService } from './photos.js';
import { EXPORT_LABELS, type ExportKind, type ExportParams, type ExportSources } from './export-sources.js';

/** How long a finished export can be downloaded (下载有效期). */
export const EXPORT_TTL_DAYS = 7;
/** Exports of one user queued or running at once; more are refused with 429 EXPORT_BUSY. */
export const EXPORTS_ACTIVE_MAX = 3;
/** A running job whose heartbeat is older than this was left by a process that died: it is run again. */
export const EXPORT_STALE_MS = 2 * 60_000;
/** Tries of one job before it is given up (a job that keeps killing its process). */
const EXPORT_ATTEMPTS_MAX = 3;
/** Progress is written at most this often (and the heartbeat at least every {@link HEARTBEAT_MS}). */
const PROGRESS_MS = 1_000;
const HEARTBEAT_MS = 15_000;

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';
const STATUS_LABELS: Record<ExportStatus, string> = {
  queued: '排队中',
  running: '导出中',
  done: '已完成',
  failed: '失败',
  expired: '已过期',
};

export interface ExportJobDto {
  id: number;
  kind: ExportKind;
  kindLabel: string;
  fileName: string;
  params: ExportParams;
  orgId: number;
  orgName: string;
  status: ExportStatus;
  statusLabel: string;
  totalRows: number;
  doneRows: number;
  /** 0–100; 100 only when done. */
  percent: number;
  bytes: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** The download link while the file is kept (only its owner can use it). */
  downloadUrl: string | null;
}

const extOf = (kind: ExportKind) => (kind === 'photos' ? '.zip' : '.xlsx');
export const contentTypeOf = (kind: ExportKind) =>
  kind === 'photos' ? 'application/zip' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 后台导出任务：排队、运行（本进程或 gradpass worker）、进度、下载、过期清理 */
export class ExportJobService {
  /** The export queue (set by the app / the worker). */
  queue!: JobQueue;
  /** Where failures of jobs are reported (the logger). */
  onError: (e: unknown) => void = () => undefined;
  /** Set when the process stops: a running export goes back to the queue (the next process runs it). */
  private stopping = false;
  constructor(
    private readonly repos: Repos,
    private readonly jobs: ExportJobRepository,
    private readonly files: FileStore,
    private readonly sources: ExportSources,
    private readonly photos: PhotoService,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {}

  /** Audit entry of one export (PIPL): who exported which report, how many rows; `jobId` for a background one. */
  async auditExport(actor: Actor, kind: ExportKind, rows: number, jobId?: number): Promise<void> {
    const label = EXPORT_LABELS[kind];
    await audit(this.repos, this.now(), actor, {
      orgId: actor.orgId,
      entity: jobId ? 'export_job' : 'org',
      entityId: jobId ?? actor.orgId,
      action: 'export',
      reason: `${jobId ? '后台导出' : '导出'}${label}（${rows} 行）`,
      after: { report: label, rows },
    });
  }

  /** Starts a background export: checked at once (scope, role), recorded, queued. */
  async start(actor: Actor, kind: ExportKind, params: ExportParams): Promise<ExportJobDto> {
    requireStaff(actor);
    const { page: _p, pageSize: _s, cursor: _c, ...filters } = params;
    await this.sources.assertAllowed(actor, kind, filters);
    if ((await this.jobs.activeCount(actor.id)) >= EXPORTS_ACTIVE_MAX)
      throw new AppError(
        429,
        'EXPORT_BUSY',
        `您已有 ${EXPORTS_ACTIVE_MAX} 个后台导出在排队或进行中，请等它们完成后再开始新的导出`,
      );
    const orgId = typeof filters.orgId === 'number' ? filters.orgId : actor.orgId;
    const total = kind === 'photos' ? await this.sources.photoEstimate(actor, filters) : 0;
    const row = await this.jobs.insert({
      kind,
      params_json: JSON.stringify(filters),
      org_id: orgId,
      user_id: actor.id,
      user_name: `${actor.displayName}（${actor.username}）`,
      file_name: `${EXPORT_LABELS[kind]}${extOf(kind)}`,
      status: 'queued',
      total_rows: total,
      done_rows: 0,
      created_at: this.now().toISOString(),
    });
    await this.queue.enqueue(row.id);
    const tree = await OrgTree.load(this.repos);
    this.announce(row, tree);
    return this.dto(row, tree);
  }

  /** Tells the user's open pages (SSE `export`) how the job stands. */
  private announce(row: ExportJobRow, tree: OrgTree): void {
    this.events.publish({
      type: 'export',
      orgPath: tree.get(row.org_id)?.path ?? '/',
      data: {
        id: row.id,
        userId: row.user_id,
        status: row.status,
        doneRows: row.done_rows,
        totalRows: row.total_rows,
      },
    });
  }

  /**
   * Runs one job (the queue's handler, on whichever process consumes the export queue). Claimed atomically, so a
   * job handed out twice runs once; a job whose process died (stale heartbeat) is run again from the start.
   */
  async run(id: number): Promise<void> {
    const startedAt = this.now();
    const row = await this.jobs.claim(
      id,
      startedAt.toISOString(),
      new Date(startedAt.getTime() - EXPORT_STALE_MS).toISOString(),
    );
    if (!row) return;
    const tree = await OrgTree.load(this.repos);
    this.announce(row, tree);
    if (row.attempts > EXPORT_ATTEMPTS_MAX)
      return this.fail(row, tree, 'EXPORT_FAILED', `导出多次中断（${row.attempts - 1} 次），已停止，请缩小范围后重试`);
    const user = await this.repos.users.byId(row.user_id);
    if (!user || user.disabled_at)
      return this.fail(row, tree, 'EXPORT_USER_DISABLED', '发起导出的账号已停用，导出未进行');
    const actor = actorFromUser(user, tree);
    const kind = row.kind as ExportKind;
    const params = JSON.parse(row.params_json) as ExportParams;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-export-job-'));
    const file = path.join(tmp, `export${extOf(kind)}`);
    let done = 0;
    let total = row.total_rows;
    let written = { done: -1, at: 0 };
    let lost = false;
    // Progress and heartbeat from one timer: the row says how far it is, and that this process is alive.
    const tick = async () => {
      const at = Date.now();
      if (done === written.done && at - written.at < HEARTBEAT_MS) return;
      written = { done, at };
      const ok = await this.jobs.progress(row.id, done, Math.max(total, done), this.now().toISOString());
      if (!ok)
        lost = true; // swept or taken over: stop
      else this.announce({ ...row, done_rows: done, total_rows: Math.max(total, done) }, tree);
    };
    const stopped = () => this.stopping;
    let ticking = Promise.resolve();
    const timer = setInterval(() => {
      ticking = ticking.then(tick).catch(this.onError);
    }, PROGRESS_MS);
    const check = () => {
      if (lost) throw new AppError(409, 'EXPORT_TAKEN_OVER', '导出任务已由其他进程接手');
      if (this.stopping) throw new AppError(503, 'EXPORT_INTERRUPTED', '服务正在重启，导出稍后继续');
    };
    try {
      let rows: number;
      if (kind === 'photos') {
        const zip: Readable = await this.photos.exportZip(
          actor,
          {
            orgId: typeof params.orgId === 'number' ? params.orgId : undefined,
            batchId: typeof params.batchId === 'number' ? params.batchId : undefined,
            naming: params.naming === 'idcard' ? 'idcard' : 'xuehao',
          },
          { onProgress: (n) => (done = n) },
        );
        const guard = new Transform({
          transform(chunk, _enc, cb) {
            cb(lost || stopped() ? new Error('导出已中断') : null, chunk);
          },
        });
        await pipeline(zip, guard, fs.createWriteStream(file));
        rows = done;
      } else {
        const x = await this.sources.xlsx(actor, kind, params);
        async function* counted() {
          for await (const page of x.pages) {
            check();
            total = Math.max(total, x.estimate() ?? 0);
            yield page;
            done += page.length;
            // Back to the event loop between pages: on SQLite every query resolves at once, and without this the
            // export would hold the loop (HTTP answers, the progress timer) until its last row.
            await new Promise((r) => setImmediate(r));
          }
        }
        const out = fs.createWriteStream(file);
        const closed = new Promise<void>((resolve, reject) => out.on('close', resolve).on('error', reject));
        rows = await writeXlsxStream(out, x.sheetName, x.columns, counted());
        out.end();
        await closed;
      }
      check();
      clearInterval(timer);
      await ticking;
      const stored = await this.files.putFile('exports', file, extOf(kind));
      const finished = this.now();
      const set = {
        status: 'done',
        storage_path: stored.storagePath,
        bytes: stored.bytes,
        done_rows: rows,
        total_rows: rows,
        finished_at: finished.toISOString(),
        expires_at: new Date(finished.getTime() + EXPORT_TTL_DAYS * 86400_000).toISOString(),
        error_code: null,
        error_message: null,
      };
      await this.jobs.update(row.id, set);
      await this.auditExport(actor, kind, rows, row.id);
      this.announce({ ...row, ...set }, tree);
    } catch (e) {
      clearInterval(timer);
      await ticking;
      if (lost) return; // another process runs it now
      if (this.stopping) {
        // Stopped with the process: queued again, run from the start by the next process (restart recovery).
        await this.jobs.update(row.id, { status: 'queued', done_rows: 0 });
        return;
      }
      if (!(e instanceof AppError)) this.onError(e);
      await this.fail(
        row,
        tree,
        e instanceof AppError ? e.code : 'EXPORT_FAILED',
        e instanceof AppError ? e.message : '导出时服务器出错，请稍后重试或联系管理员',
      );
    } finally {
      clearInterval(timer);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** The process stops: running exports give up at their next page and go back to the queue. */
  stop(): void {
    this.stopping = true;
  }

  private async fail(row: ExportJobRow, tree: OrgTree, code: string, message: string): Promise<void> {
    const set = { status: 'failed', error_code: code, error_message: message, finished_at: this.now().toISOString() };
    await this.jobs.update(row.id, set);
    this.announce({ ...row, ...set }, tree);
  }

  /**
   * Restart recovery (重启恢复): unfinished jobs without a queue job get one. `firstStart` in a single process
   * (the in-process queue): every running row was left by the previous process and is queued again at once.
   */
  async recover(firstStart = false): Promise<number> {
    const rows = await this.jobs.unfinished();
    if (!rows.length) return 0;
    if (firstStart && this.queue.kind === 'memory')
      for (const r of rows) if (r.status === 'running') await this.jobs.update(r.id, { status: 'queued' });
    const staleBefore = new Date(this.now().getTime() - EXPORT_STALE_MS).toISOString();
    // A running job with a fresh heartbeat is being worked on; the others need a queue job if they have none.
    const candidates = rows
      .filter((r) => r.status === 'queued' || firstStart || (r.heartbeat_at ?? '') < staleBefore)
      .map((r) => r.id);
    const missing = await this.queue.withoutJob(candidates);
    for (const id of missing) await this.queue.enqueue(id);
    return missing.length;
  }

  /** Removes the files of exports past their download time (清理过期导出); the rows stay, marked 已过期. */
  async sweepExpired(): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await this.jobs.expired(this.now().toISOString());
      if (!rows.length) return n;
      for (const r of rows) {
        if (r.storage_path) await this.files.remove(r.storage_path);
        await this.jobs.update(r.id, { status: 'expired', storage_path: null });
        n++;
      }
    }
  }

  dto(r: ExportJobRow, tree: OrgTree): ExportJobDto {
    const kind = r.kind as ExportKind;
    const expired =
      r.status === 'expired' || (r.status === 'done' && !!r.expires_at && r.expires_at < this.now().toISOString());
    const status = (expired ? 'expired' : r.status) as ExportStatus;
    const total = Math.max(r.total_rows, r.done_rows);
    return {
      id: r.id,
      kind,
      kindLabel: EXPORT_LABELS[kind] ?? r.kind,
      fileName: r.file_name,
      params: JSON.parse(r.params_json) as ExportParams,
      orgId: r.org_id,
      orgName: tree.get(r.org_id)?.name ?? '',
      status,
      statusLabel: STATUS_LABELS[status] ?? r.status,
      totalRows: total,
      doneRows: r.done_rows,
      percent: status === 'done' ? 100 : total > 0 ? Math.min(99, Math.floor((r.done_rows / total) * 100)) : 0,
      bytes: r.bytes,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      expiresAt: r.expires_at,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      downloadUrl: status === 'done' ? `/api/export-jobs/${r.id}/download` : null,
    };
  }

  /** The caller's own jobs, newest first. */
  async list(actor: Actor, q: { before?: number; limit?: number } = {}) {
    requireStaff(actor);
    const limit = Math.min(Math.max(q.limit ?? 20, 1), 100);
    const tree = await OrgTree.load(this.repos);
    const rows = await this.jobs.forUser(actor.id, limit, q.before);
    const scope = new Set(tree.scopeIds(actor));
    const mine = rows.filter((r) => scope.has(r.org_id));
    return {
      items: mine.map((r) => this.dto(r, tree)),
      nextBefore: rows.length === limit ? rows[rows.length - 1].id : null,
    };
  }

  /**
   * One job of the caller. Another user's job — or one outside the caller's present scope — is answered exactly
   * like a job that does not exist.
   */
  private async own(actor: Actor, id: number): Promise<{ row: ExportJobRow; tree: OrgTree }> {
    requireStaff(actor);
    const row = await this.jobs.byId(id);
    const tree = await OrgTree.load(this.repos);
    if (!row || row.user_id !== actor.id || !tree.scopeIds(actor).includes(row.org_id)) throw notFound('导出任务');
    return { row, tree };
  }

  async get(actor: Actor, id: number): Promise<ExportJobDto> {
    const { row, tree } = await this.own(actor, id);
    return this.dto(row, tree);
  }

  /** The finished file as a stream (audited: who downloaded which export). */
  async download(
    actor: Actor,
    id: number,
  ): Promise<{ name: string; contentType: string; bytes: number; stream: Readable }> {
    const { row, tree } = await this.own(actor, id);
    const dto = this.dto(row, tree);
    if (dto.status === 'expired')
      throw new AppError(410, 'EXPORT_EXPIRED', `导出文件已过期（保留 ${EXPORT_TTL_DAYS} 天），请重新导出`);
    if (dto.status !== 'done' || !row.storage_path)
      throw new AppError(409, 'EXPORT_NOT_READY', `导出尚未完成（${dto.statusLabel}），完成后即可下载`);
    const stream = await this.files.readStream(row.storage_path);
    await audit(this.repos, this.now(), actor, {
      orgId: actor.orgId,
      entity: 'export_job',
      entityId: row.id,
      action: 'export_download',
      reason: `下载后台导出的${dto.kindLabel}（${row.done_rows} 行）`,
      after: { report: dto.kindLabel, rows: row.done_rows },
    });
    const stamp = (row.finished_at ?? row.created_at).slice(0, 10);
    return {
      name: `${dto.kindLabel}-${stamp}-${row.id}${extOf(dto.kind)}`,
      contentType: contentTypeOf(dto.kind),
      bytes: row.bytes,
      stream,
    };
  }
}
