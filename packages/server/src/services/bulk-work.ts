/**
 * Bulk work of centre staff (批量办理): applications for a list of students or a pasted column of 学号, and
 * certificate arrival for a whole batch or centre. Each item goes through the same service call as one by one
 * (same rules, same audit); the answer is per item in Chinese, and a refusal never stops the rest.
 */
import { AppError, invalid, notFound } from '../errors.js';
import type { Repos } from '../repositories/index.js';
import { OrgTree, requireRole, type Actor } from './context.js';
import type { ApplicationService } from './applications.js';
import type { CertificateService } from './certificates.js';

/** Most students per bulk creation and certificates per bulk arrival (单次批量上限). */
export const BULK_CREATE_MAX = 2000;
export const BULK_ARRIVE_MAX = 5000;

export interface BulkCreateResult {
  /** The 学号 as pasted, or the student id. */
  ref: string;
  ok: boolean;
  studentId?: number;
  xuehao?: string;
  name?: string;
  applicationId?: number;
  state?: string;
  code?: string;
  message: string;
}

/** 批量建立毕业申请、整批登记证书到达 */
export class BulkWorkService {
  constructor(
    private readonly repos: Repos,
    private readonly applicationService: () => ApplicationService,
    private readonly certificates: CertificateService,
  ) {}

  /**
   * Applications in a batch for `studentIds` or a pasted `xuehaoList` (one 学号 a line; blanks ignored, repeats
   * answered once). With `apply`, each new application is also filed as applied — the centre has the student's
   * signed paper form (申请表已签字).
   */
  async createApplications(
    actor: Actor,
    input: { batchId: number; studentIds?: number[]; xuehaoList?: string[]; apply?: boolean },
  ) {
    requireRole(actor, ['centre_staff'], '批量建立毕业申请');
    const applications = this.applicationService();
    const batch = await this.repos.batches.byId(input.batchId);
    if (!batch) throw notFound('批次');
    const refs: Array<{ ref: string; studentId?: number; xuehao?: string }> = [];
    const seen = new Set<string>();
    const add = (key: string, ref: { ref: string; studentId?: number; xuehao?: string }) => {
      if (seen.has(key)) return;
      seen.add(key);
      refs.push(ref);
    };
    for (const id of input.studentIds ?? []) add(`#${id}`, { ref: String(id), studentId: id });
    for (const raw of input.xuehaoList ?? []) {
      const x = raw.trim();
      if (x) add(x, { ref: x, xuehao: x });
    }
    if (!refs.length) throw invalid('请选择学生或粘贴学号（每行一个）', 'STUDENTS_REQUIRED');
    if (refs.length > BULK_CREATE_MAX)
      throw invalid(`一次最多 ${BULK_CREATE_MAX} 名学生，当前 ${refs.length} 名，请分批操作`, 'TOO_MANY_STUDENTS');
    const byXuehao = new Map(
      (await this.repos.students.byXuehaos(refs.flatMap((r) => (r.xuehao ? [r.xuehao] : [])))).map((s) => [s.xuehao, s]),
    );
    const results: BulkCreateResult[] = [];
    for (const r of refs) {
      const studentId = r.studentId ?? byXuehao.get(r.xuehao ?? '')?.id;
      if (studentId === undefined) {
        results.push({ ref: r.ref, ok: false, code: 'STUDENT_NOT_FOUND', message: `学号“${r.ref}”不是本单位的学生` });
        continue;
      }
      try {
        let a = await applications.create(actor, { studentId, batchId: batch.id });
        if (input.apply) a = await applications.act(actor, a.id, { action: 'apply' });
        results.push({
          ref: r.ref,
          ok: true,
          studentId,
          xuehao: a.xuehao,
          name: a.studentName,
          applicationId: a.id,
          state: a.state,
          message: `${a.studentName}：已建立毕业申请（${a.stateLabel}）`,
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        // A student of another subtree reads like a 学号 nobody has.
        const message =
          e.code === 'NOT_FOUND' ? `学号“${r.ref}”不是本单位的学生` : e.message;
        results.push({ ref: r.ref, ok: false, studentId: e.code === 'NOT_FOUND' ? undefined : studentId, code: e.code, message });
      }
    }
    return { results, okCount: results.filter((r) => r.ok).length, failCount: results.filter((r) => !r.ok).length };
  }

  /**
   * Certificate arrival for a whole batch (and optionally one centre or city of the caller's subtree): every
   * certificate of the batch still 待到达 is recorded as arrived from `receivedFrom`. Per-certificate results.
   */
  async arriveBatch(actor: Actor, input: { batchId: number; orgId?: number; receivedFrom: string }) {
    requireRole(actor, ['centre_staff', 'city_reviewer', 'province_reviewer', 'admin'], '登记证书到达');
    const from = input.receivedFrom.trim();
    if (!from) throw invalid('请填写证书来自哪里（如：济南市开放大学）', 'RECEIVED_FROM_REQUIRED');
    const batch = await this.repos.batches.byId(input.batchId);
    if (!batch) throw notFound('批次');
    const tree = await OrgTree.load(this.repos);
    const pending = await this.repos.certificates.listAll({
      ...tree.filterScope(actor, input.orgId),
      batchId: batch.id,
      state: 'pending',
    });
    if (pending.length > BULK_ARRIVE_MAX)
      throw invalid(
        `本批次待到达的证书有 ${pending.length} 本，超过一次上限 ${BULK_ARRIVE_MAX} 本，请按学习中心分别登记`,
        'TOO_MANY_CERTIFICATES',
      );
    const results: Array<{
      certificateId: number;
      studentName: string;
      xuehao: string;
      ok: boolean;
      code?: string;
      message: string;
    }> = [];
    for (const c of pending) {
      try {
        const d = await this.certificates.act(actor, c.id, { type: 'certificate_record_arrival', receivedFrom: from });
        results.push({ certificateId: c.id, studentName: c.student_name, xuehao: c.xuehao, ok: true, message: `${d.studentName}：${d.stateLabel}` });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        results.push({ certificateId: c.id, studentName: c.student_name, xuehao: c.xuehao, ok: false, code: e.code, message: `${c.student_name}：${e.message}` });
      }
    }
    return {
      batchName: batch.name,
      results,
      okCount: results.filter((r) => r.ok).length,
      failCount: results.filter((r) => !r.ok).length,
    };
  }
}
