/**
 * Graduation batches and their audit windows (毕业批次与审核时间).
 *
 * Seed 000 §二: the first audit window runs 2025-12-08 to 2025-12-19; the second opens when the autumn term's
 * exam results are published and closes at the latest on 2026-03-31, after which nothing of the batch is
 * handled any more (逾期不再办理). All days are Beijing calendar days, inclusive.
 */
import { refuse, ok, type Result } from './errors.js';
import { compareDates, daysBetween, isIsoDate, toChinaDate, type IsoDate } from './time.js';

/** A window of whole days, inclusive at both ends. */
export interface AuditWindow {
  start: IsoDate;
  end: IsoDate;
}

/** A graduation batch (毕业批次), set by the province. */
export interface GraduationBatch {
  id: string;
  /** e.g. '2026年1月毕业'. */
  name: string;
  /** First audit window (首批毕业审核). */
  firstWindow: AuditWindow;
  /**
   * Second audit window (第二批毕业审核): `start` is null until the exam results are published
   * (期末考试成绩发布后开展); `end` is its last day.
   */
  secondWindow: { start: IsoDate | null; end: IsoDate };
  /** Hard deadline (最晚截止时间): after this day nothing in the batch moves. ≥ secondWindow.end. */
  deadline: IsoDate;
  /** Photo collection deadline for this batch (采集截止日期, e.g. 9月15日), if any. */
  collectionDeadline?: IsoDate | null;
  /** Path of the province that owns the batch, if the batch is provincial. */
  provincePath?: string | null;
}

/** Which window is open: 'first', 'second', or null. */
export type WindowName = 'first' | 'second';

function inWindow(day: IsoDate, w: { start: IsoDate | null; end: IsoDate }): boolean {
  return w.start !== null && compareDates(w.start, day) <= 0 && compareDates(day, w.end) <= 0;
}

/** The window open at `at` (Beijing day), or null. */
export function openWindow(batch: GraduationBatch, at: Date | IsoDate): WindowName | null {
  const day = toChinaDate(at);
  if (isFrozen(batch, day)) return null;
  if (inWindow(day, batch.firstWindow)) return 'first';
  if (inWindow(day, batch.secondWindow)) return 'second';
  return null;
}

/** True while the centre may submit (or resubmit) applications of this batch. */
export function isSubmissionOpen(batch: GraduationBatch, at: Date | IsoDate): boolean {
  return openWindow(batch, at) !== null;
}

/** True after the hard deadline: nothing in the batch moves any more (逾期不再办理). */
export function isFrozen(batch: GraduationBatch, at: Date | IsoDate): boolean {
  return compareDates(toChinaDate(at), batch.deadline) > 0;
}

/** '首批 2025-12-08 至 2025-12-19；第二批 成绩发布后开放 至 2026-03-31；最晚截止 2026-03-31'. */
export function describeWindows(batch: GraduationBatch): string {
  const second = batch.secondWindow.start ? `${batch.secondWindow.start} 至 ${batch.secondWindow.end}` : `期末考试成绩发布后开放，至 ${batch.secondWindow.end}`;
  const deadline = batch.deadline === batch.secondWindow.end ? '' : `；最晚截止 ${batch.deadline}`;
  return `首批 ${batch.firstWindow.start} 至 ${batch.firstWindow.end}；第二批 ${second}${deadline}`;
}

/** Refusal WINDOW_CLOSED (or BATCH_FROZEN after the deadline) unless a window is open. */
export function checkSubmissionOpen(batch: GraduationBatch, at: Date | IsoDate): Result<WindowName> {
  const day = toChinaDate(at);
  if (isFrozen(batch, day)) return frozenRefusal(batch, day);
  const w = openWindow(batch, day);
  if (w === null) {
    return refuse('WINDOW_CLOSED', `当前（${day}）不在批次“${batch.name}”的审核时间内（${describeWindows(batch)}）`, { batchId: batch.id, day });
  }
  return ok(w);
}

/** Refusal BATCH_FROZEN after the deadline. */
export function checkNotFrozen(batch: GraduationBatch, at: Date | IsoDate): Result<true> {
  const day = toChinaDate(at);
  if (isFrozen(batch, day)) return frozenRefusal(batch, day);
  return ok(true);
}

function frozenRefusal<T>(batch: GraduationBatch, day: IsoDate): Result<T> {
  return refuse('BATCH_FROZEN', `批次“${batch.name}”已于 ${batch.deadline} 截止，逾期不再办理毕业审核和证书办理（今天是 ${day}）`, {
    batchId: batch.id,
    deadline: batch.deadline,
  });
}

/** Days left in the open window, counting today (1 on its last day); null when no window is open. */
export function daysLeftInWindow(batch: GraduationBatch, at: Date | IsoDate): number | null {
  const day = toChinaDate(at);
  const w = openWindow(batch, day);
  if (w === null) return null;
  const end = w === 'first' ? batch.firstWindow.end : batch.secondWindow.end;
  return daysBetween(day, end) + 1;
}

/** Days until the hard deadline, counting today (1 on the deadline itself, ≤ 0 after it). */
export function daysUntilDeadline(batch: GraduationBatch, at: Date | IsoDate): number {
  return daysBetween(toChinaDate(at), batch.deadline) + 1;
}

/** The next day a window opens after `at`, or null (none known yet, or all past). */
export function nextWindowOpening(batch: GraduationBatch, at: Date | IsoDate): IsoDate | null {
  const day = toChinaDate(at);
  for (const s of [batch.firstWindow.start, batch.secondWindow.start]) {
    if (s !== null && compareDates(s, day) > 0) return s;
  }
  return null;
}

/**
 * Checks a batch's settings (批次设置校验): real dates, each window start ≤ end, the second window after the
 * first, the second window ending on or before the deadline. BATCH_INVALID lists every problem.
 */
export function validateBatch(batch: GraduationBatch): Result<GraduationBatch> {
  const problems: string[] = [];
  if (!batch.name.trim()) problems.push('批次名称为空');
  const dates: Array<[string, IsoDate | null | undefined]> = [
    ['首批开始日期', batch.firstWindow.start],
    ['首批结束日期', batch.firstWindow.end],
    ['第二批开始日期', batch.secondWindow.start],
    ['第二批结束日期', batch.secondWindow.end],
    ['最晚截止日期', batch.deadline],
    ['采集截止日期', batch.collectionDeadline],
  ];
  for (const [label, d] of dates) {
    if (d != null && !isIsoDate(d)) problems.push(`${label}“${d}”不是 YYYY-MM-DD 格式的真实日期`);
  }
  if (problems.length === 0) {
    const f = batch.firstWindow, s = batch.secondWindow;
    if (compareDates(f.start, f.end) > 0) problems.push(`首批开始日期 ${f.start} 晚于结束日期 ${f.end}`);
    if (s.start !== null && compareDates(s.start, s.end) > 0) problems.push(`第二批开始日期 ${s.start} 晚于结束日期 ${s.end}`);
    if (s.start !== null && compareDates(s.start, f.end) <= 0) problems.push(`第二批开始日期 ${s.start} 应晚于首批结束日期 ${f.end}`);
    if (compareDates(s.end, f.end) <= 0) problems.push(`第二批结束日期 ${s.end} 应晚于首批结束日期 ${f.end}`);
    if (compareDates(s.end, batch.deadline) > 0) problems.push(`第二批结束日期 ${s.end} 晚于最晚截止日期 ${batch.deadline}`);
  }
  if (problems.length) return refuse('BATCH_INVALID', `批次“${batch.name}”设置有误：${problems.join('；')}`, { problems });
  return ok(batch);
}

/** Opens the second window when the exam results are published (成绩发布). */
export function openSecondWindow(batch: GraduationBatch, resultsPublishedOn: IsoDate): Result<GraduationBatch> {
  return validateBatch({ ...batch, secondWindow: { ...batch.secondWindow, start: resultsPublishedOn } });
}
