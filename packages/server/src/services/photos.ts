import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  photoSourceMaxBytes,
  photoZipLimits,
  readZipEntries,
  type ZipEntryError,
  type ZipItem,
} from '@gradpass/photo/batch/zip';
import { FORMAT_NAMES, sniffFormat } from '@gradpass/photo/jpeg/sniff';
import { photoZipStream } from './photo-export.js';
import type { InspectOptions, PhotoReport, Profile } from '@gradpass/photo';
import { compareWithReference, type ReferenceComparison } from '@gradpass/roster';
import { AppError, notFound } from '../errors.js';
import { constraintHit, type PhotoRow, type Repos, type StudentRow } from '../repositories/index.js';
import type { FileStore } from '../storage.js';
import { FACE_WAIT_MS } from '../config.js';
import type { EventBus } from '../events.js';
import type { JobQueue } from '../jobs/queue.js';
import type { FaceJobData, FaceJobQueue, FaceJobRefusal } from '../jobs/face.js';
import { OrgTree, requirePermission, requireRole, requireStaff, type Actor } from './context.js';
import { audit } from './audit.js';
import { assertPictureUpload } from './upload-guard.js';
import { photoDto, type PhotoDto, type ReferenceResult } from './photo-dto.js';
import { assertPhotoReplaceable } from './domain.js';
import { assertIdCardExport, recordIdCardExport } from './id-card-export.js';
import type { StudentService } from './students.js';

export type PhotoSource = 'collection' | 'student' | 'centre';
export const PHOTO_SOURCES: PhotoSource[] = ['collection', 'student', 'centre'];

interface StandardizeOpts {
  align?: 'centre' | 'face';
  background?: 'keep' | 'blue';
  face?: boolean;
  fileName?: string;
}
interface Engine {
  inspect(bytes: Buffer, opts: InspectOptions): Promise<PhotoReport>;
  loadProfile(id: string): Profile;
  standardize?(
    bytes: Buffer,
    profile: Profile,
    opts?: StandardizeOpts,
  ): Promise<{ jpeg: Buffer | null; report: PhotoReport }>;
}
let enginePromise: Promise<Engine | null> | null = null;
/** The photo engine's inspect + loadProfile, or null while @gradpass/photo's build lacks them. */
function loadEngine(): Promise<Engine | null> {
  enginePromise ??= import('@gradpass/photo').then((m) => {
    const mod = m as unknown as Partial<Engine>;
    return typeof mod.inspect === 'function' && typeof mod.loadProfile === 'function'
      ? {
          inspect: mod.inspect.bind(mod),
          loadProfile: mod.loadProfile.bind(mod),
          standardize: mod.standardize?.bind(mod),
        }
      : null;
  });
  return enginePromise;
}

/** An uploaded archive (zip) or single photo, saved to a temporary file (上传暂存文件). */
export interface ArchiveUpload {
  name: string;
  path: string;
}

/** Litter of archivers (`__MACOSX/`, `.DS_Store`, `._x.jpg`): neither read nor reported. */
const wantedEntry = (segments: string[]): boolean =>
  !segments.some((seg) => seg.toLowerCase() === '__macosx') && !segments[segments.length - 1].startsWith('.');

/** One uploaded photo (not a zip) as the zip reader's single entry, capped like a zip entry. */
async function* singlePhoto(upload: ArchiveUpload, maxBytes: number): AsyncGenerator<ZipItem> {
  const size = (await stat(upload.path)).size;
  const item = { name: upload.name, segments: [upload.name] };
  if (size > maxBytes) {
    const message = `文件 ${(size / 1024 / 1024).toFixed(1)} MB，超过单个照片文件上限 ${(maxBytes / 1024 / 1024).toFixed(1)} MB，未处理`;
    yield { kind: 'error', ...item, error: { code: 'ZIP_ENTRY_TOO_LARGE', message } };
    return;
  }
  yield { kind: 'entry', ...item, size, read: () => readFile(upload.path) };
}

/**
 * A face job (同版比对, 一键修正) still running on the worker after the wait (`faceWaitMs`, env FACE_WAIT_MS): the
 * routes answer 202 with the job id (the page polls `/api/face-jobs/:jobId`); the submission gate answers 503 with
 * the same words, a bulk submission gives it as the item's result.
 */
export class FaceJobPending extends AppError {
  constructor(
    readonly jobId: string,
    what: string,
  ) {
    super(503, 'FACE_JOB_PENDING', `${what}正在后台照片分析进程中进行，请稍候片刻；结果会保留，稍后再操作一次即可`, {
      jobId,
    });
  }
}

/** HTTP status of an archive refused as a whole: size limits 413, damage and bombs 422. */
const archiveStatus = (code: string): number =>
  code === 'ZIP_TOO_MANY_ENTRIES' || code === 'ZIP_TOTAL_TOO_LARGE' ? 413 : 422;

/** 毕业电子照片：上传、批量导入、后台检测、读取 */
export class PhotoService {
  queue!: JobQueue;
  /**
   * Runs the check of one photo somewhere else than this thread (`gradpass worker`: the photo engine's piscina
   * pool over every core). Unset: in this thread.
   */
  inspector: ((bytes: Buffer, fileName: string, face: boolean) => Promise<PhotoReport>) | null = null;
  /**
   * The face-analysis queue (WORKERS=external): 同版 comparisons and 一键修正 are sent to `gradpass worker`, so this
   * process never runs a face analysis. Null: they run here (the embedded default, and the worker itself).
   */
  faceJobs: FaceJobQueue | null = null;
  /** How long to wait for a face job before answering 202 / FACE_JOB_PENDING (the configuration's `faceWaitMs`). */
  faceWaitMs = FACE_WAIT_MS;
  /** Face analyses (同版 comparisons, 一键修正) this process ran itself — 0 on a web process with WORKERS=external. */
  localFaceRuns = 0;
  constructor(
    private readonly repos: Repos,
    private readonly files: FileStore,
    private readonly students: StudentService,
    private readonly events: EventBus,
    private readonly checks: { profile: string; face: boolean },
    private readonly now: () => Date,
  ) {}

  /**
   * Stores a new current photo for a student. The file is written first (no lock held during I/O), then one
   * transaction locks the student row, re-checks the photo lock (照片锁定) against the student's applications as
   * they are now, and sets the photo; a refused or failed store removes the file again (no orphan files).
   */
  private async storeFor(
    actor: Actor,
    student: StudentRow,
    centrePath: string,
    fileName: string,
    bytes: Buffer,
    source: PhotoSource,
  ): Promise<PhotoDto> {
    requirePermission(actor, 'replace_photo', centrePath, student.id);
    if (!PHOTO_SOURCES.includes(source))
      throw new AppError(
        400,
        'VALIDATION',
        `照片来源“${source}”无效：应为 collection（采集中心）、student（学生自备）或 centre（学习中心）`,
      );
    await assertPhotoReplaceable(this.repos, student); // early answer; the transaction below decides
    assertPictureUpload(bytes, fileName);
    const ext = path.extname(fileName).toLowerCase() || '.jpg';
    const { storagePath, sha256 } = await this.files.put('photos', bytes, ext);
    const photo = await this.commitNewPhoto(actor, student.id, storagePath, {
      row: { source, file_name: fileName, bytes: bytes.length, sha256, status: 'pending', checks_json: null },
      audit: (before) => ({ action: 'photo_upload', before, after: { source, fileName, sha256 } }),
    });
    await this.queue.enqueue(photo.id);
    return photoDto(photo);
  }

  /**
   * The one place a student's current photo changes: one transaction locks the student row, re-checks the
   * photo lock against the student's applications as they are now (and, with `expectPhotoId`, that nobody
   * replaced the photo meanwhile), inserts the photo and sets it; on any refusal the stored file is removed.
   */
  private async commitNewPhoto(
    actor: Actor,
    studentId: number,
    storagePath: string,
    what: {
      row: Pick<PhotoRow, 'source' | 'file_name' | 'bytes' | 'sha256' | 'status' | 'checks_json'> & {
        failed_rules?: string | null;
        checked_at?: string | null;
      };
      expectPhotoId?: number;
      audit: (before: { photoId: number | null }) => { action: string; before: object; after: object };
    },
  ): Promise<PhotoRow> {
    try {
      return await this.repos.transaction(async (tx) => {
        const current = await tx.students.lock(studentId);
        if (!current) throw notFound('学生');
        await assertPhotoReplaceable(tx, current);
        if (what.expectPhotoId !== undefined && current.photo_id !== what.expectPhotoId)
          throw new AppError(409, 'CONCURRENT_CHANGE', '照片刚被他人更换，请刷新后重试');
        const at = this.now().toISOString();
        const row = await tx.photos.insert({
          failed_rules: null,
          checked_at: null,
          ...what.row,
          student_id: current.id,
          storage_path: storagePath,
          uploaded_by: actor.id,
          uploaded_at: at,
        });
        await tx.students.update(current.id, { photo_id: row.id, updated_at: at });
        const entry = what.audit({ photoId: current.photo_id });
        await audit(tx, this.now(), actor, {
          orgId: current.org_id,
          entity: 'student',
          entityId: current.id,
          action: entry.action,
          before: entry.before,
          after: { photoId: row.id, ...entry.after },
        });
        return row;
      });
    } catch (e) {
      await this.files.remove(storagePath);
      if (constraintHit(e) === 'PHOTO_LOCKED')
        throw new AppError(409, 'PHOTO_LOCKED', '照片已锁定：申请已提交审核，审核期间不允许修改毕业电子照片');
      throw e;
    }
  }

  /**
   * Collection → audit: the photo of a completed collection order (已上传学信网) becomes the student's current photo,
   * source 采集中心, and is checked like any upload. A system step of the completion (the collector acts, not the
   * centre); refused only by the photo lock — then the reason comes back as a note and nothing changes.
   */
  async adoptCollectionPhoto(actor: Actor, studentId: number, photoPath: string): Promise<string | null> {
    const bytes = await this.files.read(photoPath);
    const student = await this.repos.students.byId(studentId);
    if (!student) return null;
    const fileName = `${student.xuehao}.jpg`;
    const { storagePath, sha256 } = await this.files.put('photos', bytes, '.jpg');
    try {
      const photo = await this.commitNewPhoto(actor, studentId, storagePath, {
        row: {
          source: 'collection',
          file_name: fileName,
          bytes: bytes.length,
          sha256,
          status: 'pending',
          checks_json: null,
        },
        audit: (before) => ({ action: 'photo_from_collection', before, after: { source: 'collection', sha256 } }),
      });
      await this.queue.enqueue(photo.id);
      return null;
    } catch (e) {
      if (e instanceof AppError && e.code === 'PHOTO_LOCKED')
        return `${student.name}的申请在审核中，照片已锁定：${e.message}`;
      throw e;
    }
  }

  async upload(
    actor: Actor,
    studentId: number,
    fileName: string,
    bytes: Buffer,
    source: PhotoSource,
  ): Promise<PhotoDto> {
    const { student, centrePath } = await this.students.visible(actor, studentId);
    return this.storeFor(actor, student, centrePath, fileName, bytes, source);
  }

  /**
   * Bulk import: a zip of <学号>.jpg / <身份证号>.jpg (or one such .jpg) for the students of a centre, read from
   * the temporary file entry by entry with the shared zip reader (caps per entry, total and count; a bomb stops
   * the archive; zip-slip names refused; GBK names decoded). A bad entry is reported and the rest goes on.
   */
  async importArchive(actor: Actor, orgId: number, upload: ArchiveUpload, source: PhotoSource) {
    requireRole(actor, ['centre_staff'], '导入照片');
    const tree = await OrgTree.load(this.repos);
    tree.assertInScope(actor, orgId);
    const orgIds = tree.subtreeIds(orgId);
    const profile = (await loadEngine())?.loadProfile(this.checks.profile) ?? null;
    const entries = /\.zip$/i.test(upload.name)
      ? readZipEntries(upload.path, { limits: photoZipLimits(profile), wanted: wantedEntry })
      : singlePhoto(upload, photoSourceMaxBytes(profile));
    const matched: Array<{ file: string; studentId: number; photoId: number }> = [];
    const unmatched: Array<{ file: string; code: string; message: string }> = [];
    const duplicates: Array<{ file: string; studentId: number; message: string }> = [];
    const locked: Array<{ file: string; studentId: number; message: string }> = [];
    const identical: Array<{ file: string; studentId: number; message: string }> = [];
    const seen = new Map<number, string>();
    for await (const e of entries) {
      if (e.kind === 'skipped') continue;
      if (e.kind === 'stop') {
        const done = matched.length ? `（此前已导入 ${matched.length} 张照片）` : '';
        throw new AppError(archiveStatus(e.error.code), e.error.code, `${e.error.message}${done}`);
      }
      if (e.kind === 'error') {
        unmatched.push({ file: e.name, code: e.error.code, message: `${e.name}：${e.error.message}` });
        continue;
      }
      const base = path.posix.basename(e.segments.join('/'));
      if (!/\.(jpe?g)$/i.test(base)) {
        unmatched.push({ file: e.name, code: 'NOT_JPEG', message: `${e.name}：不是 JPEG 照片文件，已跳过` });
        continue;
      }
      const stem = base.replace(/\.[^.]+$/, '').trim();
      const found = await this.students.matchIdentifier(stem, orgIds);
      if (found.length !== 1) {
        unmatched.push({
          file: e.name,
          code: found.length ? 'AMBIGUOUS' : 'NO_STUDENT',
          message: found.length
            ? `${e.name}：对应多名学生，请改用学号命名`
            : `${e.name}：文件名“${stem}”不是本单位学生的学号或身份证号`,
        });
        continue;
      }
      const s = found[0];
      if (seen.has(s.id)) {
        duplicates.push({
          file: e.name,
          studentId: s.id,
          message: `${e.name}：与 ${seen.get(s.id)} 是同一学生（${s.name}）的照片，已跳过`,
        });
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await e.read();
      } catch (err) {
        if ((err as ZipEntryError).fatal) continue; // the reader stops the archive with its own item next
        const { code, message } = err as ZipEntryError;
        unmatched.push({ file: e.name, code: code ?? 'ZIP_ENTRY_CORRUPT', message: `${e.name}：${message}` });
        continue;
      }
      const format = sniffFormat(bytes);
      if (format !== 'jpeg') {
        const message = `${e.name}：文件内容是${FORMAT_NAMES[format]}，不是 JPEG 照片，已跳过`;
        unmatched.push({ file: e.name, code: 'NOT_JPEG', message });
        continue;
      }
      seen.set(s.id, e.name);
      // Re-importing the same zip: a file byte-identical to the student's current photo is not stored again.
      const current = s.photo_id == null ? undefined : await this.repos.photos.byId(s.photo_id);
      if (current && current.sha256 === createHash('sha256').update(bytes).digest('hex')) {
        identical.push({ file: e.name, studentId: s.id, message: `${e.name}（${s.name}）：与当前照片相同，已跳过` });
        continue;
      }
      try {
        const p = await this.storeFor(actor, s, tree.get(s.org_id)?.path ?? '', e.name, bytes, source);
        matched.push({ file: e.name, studentId: s.id, photoId: p.id });
      } catch (err) {
        if (err instanceof AppError && err.code === 'PHOTO_LOCKED')
          locked.push({ file: e.name, studentId: s.id, message: `${e.name}：${err.message}` });
        else if (err instanceof AppError)
          unmatched.push({ file: e.name, code: err.code, message: `${e.name}：${err.message}` });
        else throw err;
      }
    }
    const all = await this.repos.students.listAll({ orgIds, photoStatus: 'none' });
    const missing = all.map((s) => ({ studentId: s.id, xuehao: s.xuehao, name: s.name }));
    return { matched, unmatched, duplicates, identical, locked, missing };
  }

  /** The background job (照片检测): runs the engine's inspect and stores verdict + checks. */
  async check(photoId: number): Promise<void> {
    const photo = await this.repos.photos.byId(photoId);
    if (!photo || (photo.status !== 'pending' && photo.status !== 'checking')) return;
    await this.repos.photos.update(photoId, { status: 'checking' });
    let report: PhotoReport;
    const engine = await loadEngine();
    if (!engine) {
      report = {
        file: photo.file_name,
        verdict: 'review',
        checks: [],
        error: {
          code: 'ENGINE_UNAVAILABLE',
          message: '照片检测引擎尚不可用（@gradpass/photo 未提供 inspect），请人工核对照片',
        },
      };
    } else {
      try {
        const bytes = await this.files.read(photo.storage_path);
        report = this.inspector
          ? await this.inspector(bytes, photo.file_name, this.checks.face)
          : await engine.inspect(bytes, {
              profile: engine.loadProfile(this.checks.profile),
              fileName: photo.file_name,
              face: this.checks.face,
            });
      } catch (e) {
        report = {
          file: photo.file_name,
          verdict: 'error',
          checks: [],
          error: { code: 'CHECK_FAILED', message: `照片检测失败：${(e as Error).message}` },
        };
      }
    }
    const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'review').map((c) => c.id);
    const after = await this.repos.photos.update(photoId, {
      status: report.verdict,
      checks_json: JSON.stringify(report),
      failed_rules: failed.length ? `,${failed.join(',')},` : null,
      checked_at: this.now().toISOString(),
    });
    const student = await this.repos.students.byId(after.student_id);
    const tree = await OrgTree.load(this.repos);
    await audit(this.repos, this.now(), null, {
      orgId: student?.org_id ?? null,
      entity: 'photo',
      entityId: photoId,
      action: 'checked',
      after: { verdict: report.verdict },
    });
    this.events.publish({
      type: 'photo',
      orgPath: tree.get(student?.org_id ?? 0)?.path ?? '/',
      data: { id: photoId, studentId: after.student_id, status: after.status },
    });
  }

  /**
   * Standardise the student's current photo with the engine (照片修正: crop to the frame — around the face when
   * face analysis is on — optionally replace the background, encode to the byte window, 300 dpi) and store the
   * result as the new current photo with the engine's report on it. Refused while the photo is locked.
   */
  async standardizeCurrent(
    actor: Actor,
    studentId: number,
    opts: { align?: 'centre' | 'face'; background?: 'keep' | 'blue' },
  ): Promise<PhotoDto> {
    const { student, centrePath } = await this.students.visible(actor, studentId);
    requirePermission(actor, 'replace_photo', centrePath, student.id);
    await assertPhotoReplaceable(this.repos, student);
    if (student.photo_id == null) throw new AppError(404, 'NO_PHOTO', '该学生尚无毕业电子照片');
    if (this.faceJobs) {
      // On the worker, which checks the same rules again for this user before changing anything.
      const r = await this.faceJobs.run({ op: 'standardize', studentId, userId: actor.id, ...opts }, this.faceWaitMs);
      if (!r.done) throw new FaceJobPending(r.jobId, '照片修正');
      return unwrapFaceResult(r.result) as PhotoDto;
    }
    const src = await this.repos.photos.byId(student.photo_id);
    const engine = await loadEngine();
    if (!src || !engine?.standardize) throw new AppError(503, 'ENGINE_UNAVAILABLE', '照片修正引擎不可用');
    this.localFaceRuns++;
    const fileName = `${student.xuehao}.jpg`;
    const r = await engine.standardize(
      await this.files.read(src.storage_path),
      engine.loadProfile(this.checks.profile),
      {
        align: opts.align ?? (this.checks.face ? 'face' : 'centre'),
        background: opts.background ?? 'keep',
        face: this.checks.face,
        fileName,
      },
    );
    if (!r.jpeg)
      throw new AppError(422, r.report.error?.code ?? 'STANDARDIZE_FAILED', r.report.error?.message ?? '照片无法修正');
    const { storagePath, sha256 } = await this.files.put('photos', r.jpeg, '.jpg');
    const failed = r.report.checks.filter((c) => c.status === 'fail' || c.status === 'review').map((c) => c.id);
    const photo = await this.commitNewPhoto(actor, student.id, storagePath, {
      row: {
        source: src.source,
        file_name: fileName,
        bytes: r.jpeg.length,
        sha256,
        status: r.report.verdict,
        checks_json: JSON.stringify(r.report),
        failed_rules: failed.length ? `,${failed.join(',')},` : null,
        checked_at: this.now().toISOString(),
      },
      expectPhotoId: src.id,
      audit: () => ({
        action: 'photo_standardize',
        before: { photoId: src.id },
        after: { verdict: r.report.verdict, edited: r.report.edited ?? false, ...opts },
      }),
    });
    this.events.publish({
      type: 'photo',
      orgPath: centrePath,
      data: { id: photo.id, studentId: student.id, status: photo.status },
    });
    return photoDto(photo);
  }

  /** The active photo profile's figures (for the web's guide overlay). */
  async profile(): Promise<Profile | null> {
    const engine = await loadEngine();
    return engine ? engine.loadProfile(this.checks.profile) : null;
  }

  /** Stores the 学信网 reference photo of a student (参考照片), used for the 同版 comparison before submission. */
  async uploadReference(actor: Actor, studentId: number, fileName: string, bytes: Buffer) {
    const { student } = await this.students.visible(actor, studentId);
    requireRole(actor, ['centre_staff'], '导入学信网参考照片');
    assertPictureUpload(bytes, fileName);
    const { storagePath } = await this.files.put('photos', bytes, path.extname(fileName).toLowerCase() || '.jpg');
    await this.repos.photos.putReference({
      student_id: student.id,
      file_name: fileName,
      storage_path: storagePath,
      bytes: bytes.length,
      uploaded_by: actor.id,
      uploaded_at: this.now().toISOString(),
    });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'student',
      entityId: student.id,
      action: 'reference_photo_upload',
      after: { fileName, bytes: bytes.length },
    });
    return { studentId: student.id, fileName, bytes: bytes.length };
  }

  async referenceFile(actor: Actor, studentId: number): Promise<Buffer> {
    await this.students.visible(actor, studentId);
    const r = await this.repos.photos.reference(studentId);
    if (!r) throw new AppError(404, 'NO_REFERENCE', '该学生尚未导入学信网参考照片');
    return this.files.read(r.storage_path);
  }

  /**
   * Compares the current photo with the 学信网 reference photo (@gradpass/roster): same person (同一人) and same
   * shot (同版). Null without both. The result is cached on the photo row for that reference file, so review
   * lists and the submission gate read it without another face analysis.
   */
  async compareReference(student: StudentRow, opts: { userId?: number } = {}): Promise<ReferenceResult | null> {
    const ref = await this.repos.photos.reference(student.id);
    const photo = student.photo_id != null ? await this.repos.photos.byId(student.photo_id) : undefined;
    if (!ref || !photo) return null;
    const cached = photo.reference_json ? (JSON.parse(photo.reference_json) as ReferenceResult) : null;
    if (cached && cached.referencePath === ref.storage_path) return cached;
    if (this.faceJobs) {
      // On the worker, which caches the result on the photo row as here (the next call reads it without a job).
      const r = await this.faceJobs.run(
        { op: 'compare', studentId: student.id, userId: opts.userId ?? 0 },
        this.faceWaitMs,
      );
      if (!r.done) throw new FaceJobPending(r.jobId, '与学信网照片的同版比对');
      return unwrapFaceResult(r.result) as ReferenceResult | null;
    }
    this.localFaceRuns++;
    const name = `${student.xuehao}.jpg`;
    const [r] = await compareWithReference(
      { students: [{ row: 1, xuehao: student.xuehao, idCard: student.id_card, name: student.name }] },
      [{ name: photo.file_name, fileName: name, bytes: await this.files.read(photo.storage_path) }],
      [{ name: ref.file_name, fileName: name, bytes: await this.files.read(ref.storage_path) }],
      { face: this.checks.face },
    );
    if (!r) return null;
    const pick = (c: ReferenceComparison['face']) => ({
      status: c.status,
      value: typeof c.value === 'number' ? c.value : null,
      message: c.message,
    });
    const result: ReferenceResult = {
      referencePath: ref.storage_path,
      status: r.status,
      face: pick(r.face),
      sameShot: pick(r.sameShot),
    };
    await this.repos.photos.update(photo.id, { reference_json: JSON.stringify(result) });
    return result;
  }

  /**
   * 人工复核: centre staff record that a photo the engine sent to review was looked at and is compliant (pass) or
   * not (fail), with a note. The engine's check results stay as they were; the decision is shown beside them,
   * audited, and a confirmed photo may be submitted. Only the student's current photo, and not while locked.
   */
  async reviewDecision(
    actor: Actor,
    photoId: number,
    input: { decision: 'pass' | 'fail'; note: string },
  ): Promise<PhotoDto> {
    const seen = await this.repos.photos.byId(photoId);
    if (!seen) throw notFound('照片');
    const { centrePath } = await this.students.visible(actor, seen.student_id, '照片');
    requirePermission(actor, 'replace_photo', centrePath, seen.student_id);
    const note = input.note.trim();
    if (note.length < 2 || note.length > 500)
      throw new AppError(422, 'REVIEW_NOTE_REQUIRED', '请填写复核说明（2 至 500 个字），写明看过哪些方面');
    const photo = await this.repos.transaction(async (tx) => {
      const student = await tx.students.lock(seen.student_id);
      if (!student) throw notFound('学生');
      await assertPhotoReplaceable(tx, student);
      const p = await tx.photos.byId(photoId);
      if (!p || student.photo_id !== p.id)
        throw new AppError(409, 'NOT_CURRENT_PHOTO', '只能复核学生当前使用的照片，请刷新后重试');
      if (p.status !== 'review')
        throw new AppError(409, 'NOT_IN_REVIEW', '只有检测结果为“待人工复核”的照片需要人工复核');
      const at = this.now().toISOString();
      const row = await tx.photos.update(p.id, {
        review_decision: input.decision,
        review_note: note,
        reviewed_by: actor.id,
        reviewed_by_name: actor.displayName,
        reviewed_at: at,
      });
      await audit(tx, this.now(), actor, {
        orgId: student.org_id,
        entity: 'student',
        entityId: student.id,
        action: 'photo_human_review',
        reason: note,
        before: { photoId: p.id, decision: p.review_decision ?? null },
        after: { photoId: p.id, decision: input.decision },
      });
      return row;
    });
    this.events.publish({
      type: 'photo',
      orgPath: centrePath,
      data: { id: photo.id, studentId: photo.student_id, status: photo.status },
    });
    return photoDto(photo);
  }

  /** Whether 同版 comparisons run on `gradpass worker` (WORKERS=external), so that each may have to be waited for. */
  get comparesOnWorker(): boolean {
    return this.faceJobs != null;
  }

  /**
   * Many 同版 comparisons at once (before a bulk submission): with WORKERS=external every one not cached yet is sent
   * to the worker together, so they are waited for once — `faceWaitMs` in all, not per student. Answers, by
   * student, the refusals met: {@link FaceJobPending} for a comparison still running after the wait (the worker
   * caches its result on the photo when it ends), or the comparison's own refusal. In-process comparisons are not
   * run ahead (each runs when its submission asks).
   */
  async compareReferences(students: StudentRow[]): Promise<Map<number, AppError>> {
    const refused = new Map<number, AppError>();
    if (!this.faceJobs) return refused;
    await Promise.all(
      students.map((s) =>
        this.compareReference(s).catch((e: unknown) => {
          if (!(e instanceof AppError)) throw e;
          refused.set(s.id, e);
        }),
      ),
    );
    return refused;
  }

  async compareReferenceFor(actor: Actor, studentId: number) {
    const { student } = await this.students.visible(actor, studentId);
    requireStaff(actor);
    return comparisonAnswer(await this.compareReference(student, { userId: actor.id }));
  }

  /**
   * One face job on the worker (the handler of `gradpass worker`'s face queue): runs here, with the user's actor
   * rebuilt for 一键修正 (every rule checked again). A refusal comes back as data, not as a failed job.
   */
  async runFaceJob(data: FaceJobData, actorOf: (userId: number) => Promise<Actor>): Promise<unknown> {
    try {
      if (data.op === 'compare') {
        const student = await this.repos.students.byId(data.studentId);
        if (!student) throw notFound('学生');
        return await this.compareReference(student);
      }
      const actor = await actorOf(data.userId);
      return await this.standardizeCurrent(actor, data.studentId, { align: data.align, background: data.background });
    } catch (e) {
      if (e instanceof AppError)
        return { refusal: { status: e.status, code: e.code, message: e.message } } satisfies FaceJobRefusal;
      throw e;
    }
  }

  /**
   * How a face job of this user stands (`/api/face-jobs/:jobId`, polled after a 202): running, or its answer — the
   * same body the route would have answered at once. Another user's job is answered like one that does not exist.
   */
  async faceJobStatus(actor: Actor, jobId: string) {
    const s = this.faceJobs ? await this.faceJobs.state(jobId) : undefined;
    if (!s || s.data.userId !== actor.id) throw notFound('照片分析任务');
    if (s.state === 'queued' || s.state === 'running')
      return { status: s.state, statusLabel: s.state === 'queued' ? '排队中' : '分析中', op: s.data.op };
    if (s.state === 'failed')
      throw new AppError(500, 'FACE_JOB_FAILED', `照片分析未完成：${s.failedReason ?? '后台进程出错'}，请重试`);
    const result = unwrapFaceResult(s.result);
    return {
      status: 'done',
      statusLabel: '已完成',
      op: s.data.op,
      result: s.data.op === 'compare' ? comparisonAnswer(result as ReferenceResult | null) : result,
    };
  }

  /**
   * Export (照片导出): a zip of the compliant current photos of the students in scope, named as the target system
   * needs (<学号>.jpg or <身份证号>.jpg), plus 导出报告.xlsx listing every student and why a photo was left out —
   * streamed (photo-export.ts): refusals are thrown here, before the first byte; memory stays flat at any n.
   */
  async exportZip(
    actor: Actor,
    q: { orgId?: number; naming: 'xuehao' | 'idcard'; batchId?: number },
    opts: { onProgress?: (students: number) => void; onFinish?: (students: number) => Promise<void> } = {},
  ): Promise<Readable> {
    requireStaff(actor);
    if (q.naming === 'idcard') assertIdCardExport(actor);
    const tree = await OrgTree.load(this.repos);
    const filter = { ...tree.filterScope(actor, q.orgId), batchId: q.batchId };
    return photoZipStream({
      repos: this.repos,
      files: this.files,
      tree,
      filter,
      naming: q.naming,
      onFinish: async (students) => {
        if (q.naming === 'idcard') await recordIdCardExport(this.repos, this.now(), actor, students);
        await opts.onFinish?.(students);
      },
      onError: (e) => this.onExportError(e),
      onProgress: opts.onProgress,
    });
  }
  /** Where a zip export that failed half-way is reported (the app's logger; the download is cut off). */
  onExportError: (e: unknown) => void = () => undefined;

  /**
   * Restart recovery (重启恢复): unfinished photos (待检测 / 检测中) that have no job get one. Read a page at a
   * time by the photos(status, id) index; a photo whose job waits or runs — held by another process or a
   * worker — keeps it (BullMQ's lease hands it on if its worker died). Returns how many were enqueued.
   */
  async requeueUnfinished(): Promise<number> {
    let after = 0;
    let added = 0;
    for (;;) {
      const ids = await this.repos.photos.unfinishedAfter(after, 500);
      if (!ids.length) return added;
      after = ids[ids.length - 1];
      for (const id of await this.queue.withoutJob(ids)) {
        await this.queue.enqueue(id);
        added++;
      }
    }
  }

  async get(actor: Actor, photoId: number): Promise<PhotoDto> {
    const p = await this.repos.photos.byId(photoId);
    if (!p) throw notFound('照片');
    await this.students.visible(actor, p.student_id, '照片');
    return photoDto(p);
  }

  async history(actor: Actor, studentId: number): Promise<PhotoDto[]> {
    await this.students.visible(actor, studentId);
    requireStaff(actor);
    return (await this.repos.photos.forStudent(studentId)).map(photoDto);
  }

  async file(actor: Actor, photoId: number): Promise<Buffer> {
    const p = await this.repos.photos.byId(photoId);
    if (!p) throw notFound('照片');
    await this.students.visible(actor, p.student_id, '照片');
    return this.files.read(p.storage_path);
  }

  async currentFile(actor: Actor, studentId: number): Promise<Buffer> {
    const { student } = await this.students.visible(actor, studentId);
    if (student.photo_id == null) throw new AppError(404, 'NO_PHOTO', '该学生尚无毕业电子照片');
    const p = await this.repos.photos.byId(student.photo_id);
    if (!p) throw new AppError(404, 'NO_PHOTO', '该学生尚无毕业电子照片');
    return this.files.read(p.storage_path);
  }
}

/** The answer of the 同版 comparison route from a comparison (NO_REFERENCE without both photos). */
function comparisonAnswer(r: ReferenceResult | null) {
  if (!r) throw new AppError(404, 'NO_REFERENCE', '须同时有毕业照片和学信网参考照片才能比对');
  return { status: r.status, face: { ...r.face, code: '' }, sameShot: { ...r.sameShot, code: '' } };
}

/** A face job's result, or its refusal thrown here as the same AppError the worker met. */
function unwrapFaceResult(result: unknown): unknown {
  const r = result as Partial<FaceJobRefusal> | null;
  if (r && typeof r === 'object' && r.refusal) throw new AppError(r.refusal.status, r.refusal.code, r.refusal.message);
  return result;
}
