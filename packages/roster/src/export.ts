/**
 * Export (导出): the compliant photos, renamed by 学号 or 身份证号, into a zip or a folder, plus an XLSX
 * report with one row per student. Nothing is written in place: everything goes to a temporary name first
 * and is renamed at the end; an existing output is refused unless `force`.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import { maskName } from '@gradpass/ids';
import { RULES, type PhotoReport, type RuleId } from '@gradpass/photo';
import { RosterError } from './errors.js';
import { sha256 } from './imaging.js';
import { matchLines, readPhoto, type MatchResult, type StudentCheck } from './match.js';
import type { Roster, Student } from './roster.js';

/** Export state of one student. 导出状态 */
export type ExportStatus = 'exported' | 'missing' | 'failed' | 'review' | 'conflict' | 'no-id' | 'error';

/** Chinese label of each export state, as the report shows it. */
export const EXPORT_STATUS_ZH: Record<ExportStatus, string> = {
  exported: '已导出',
  missing: '缺照片',
  failed: '不合格',
  review: '待人工复核',
  conflict: '照片冲突',
  'no-id': '缺身份证号',
  error: '无法处理',
};

/** One row of the export report. 导出报告行 */
export interface ExportRow {
  student: Student;
  status: ExportStatus;
  /** Photo used (display name), if any. */
  photo: string | null;
  /** Name inside the zip/folder, when exported. */
  exportedAs: string | null;
  /** Rules not passed (fail or review), rule ids. */
  rules: string[];
  /** Chinese explanation. */
  message: string;
  /** Checks in the same shape as `--json` lines. */
  checks: StudentCheck[];
}

export interface ExportOptions {
  /** Name the files by 学号 or 身份证号. */
  nameBy: 'xuehao' | 'idcard';
  /** Output path: a `.zip` file, or a folder (created). */
  out: string;
  /** Force the kind of output; default: zip when `out` ends in `.zip`. */
  format?: 'zip' | 'folder';
  /** Where to write the XLSX report; default `<out without .zip>-报告.xlsx`. Null: no report file. */
  reportPath?: string | null;
  /** Replace an existing output (still via a temporary name). */
  force?: boolean;
  /** Show names masked (张*) in the report. */
  maskNames?: boolean;
  /** Also export photos whose check verdict is `review`. Default false: only `pass`. */
  includeReview?: boolean;
  /** The photo engine's check of one photo (the profile decides what compliant means). */
  inspect: (bytes: Buffer, fileName: string) => Promise<PhotoReport>;
  /** How many photos to check at once (give the engine a worker pool behind `inspect`). Default 1. */
  concurrency?: number;
  /** Called after each photo's check. */
  onProgress?: (done: number, total: number, name: string) => void;
}

export interface ExportResult {
  out: string;
  format: 'zip' | 'folder';
  reportPath: string | null;
  rows: ExportRow[];
  /** Number of photos written. */
  written: number;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function ruleZh(id: string): string {
  return (RULES as Record<string, { zh: string } | undefined>)[id as RuleId]?.zh ?? id;
}

function ruleName(id: string): string {
  const zh = ruleZh(id);
  return zh === id ? id : `${zh}（${id}）`;
}

/**
 * Export the compliant photos of a matched roster (导出合格照片), renamed, with a report. Students whose
 * photo is missing, conflicting (same file/picture/face as another student), several, or not compliant are
 * listed in the report and not exported.
 */
export async function exportPhotos(roster: Pick<Roster, 'students'>, match: MatchResult, opts: ExportOptions): Promise<ExportResult> {
  const out = path.resolve(opts.out);
  const format = opts.format ?? (/\.zip$/i.test(out) ? 'zip' : 'folder');
  const reportPath = opts.reportPath === null ? null : path.resolve(opts.reportPath ?? `${out.replace(/\.zip$/i, '')}-报告.xlsx`);
  if (!opts.force) {
    for (const p of [out, reportPath]) {
      if (p && (await exists(p))) throw new RosterError('OUTPUT_EXISTS', `输出“${p}”已存在，为避免覆盖已停止；请换一个输出位置，或加 --force 替换`);
    }
  }
  await mkdir(path.dirname(out), { recursive: true });

  const lines = new Map(matchLines(roster, match).students.map((l, i) => [roster.students[i], l]));
  const photosOf = new Map<Student, MatchResult['matched']>();
  for (const m of match.matched) photosOf.set(m.student, [...(photosOf.get(m.student) ?? []), m]);

  const rows: ExportRow[] = [];
  /** Students whose photo goes to the engine's check. */
  const pending: { row: ExportRow; chosen: MatchResult['matched'][number]; name: string }[] = [];
  for (const student of roster.students) {
    const line = lines.get(student);
    const checks = line ? [...line.checks] : [];
    const list = photosOf.get(student) ?? [];
    const row: ExportRow = { student, status: 'exported', photo: list[0]?.photo.name ?? null, exportedAs: null, rules: [], message: '', checks };
    rows.push(row);
    if (list.length === 0) {
      row.status = 'missing';
      row.message = '没有找到该学生的照片';
      continue;
    }
    if (new Set(list.map((m) => m.photo.sha256)).size > 1) {
      row.status = 'review';
      row.rules.push('photo.multiple');
      row.message = `有 ${list.length} 张不同的照片（${list.map((m) => m.photo.name).join('、')}），请保留一张后重新导出`;
      continue;
    }
    const conflicts = checks.filter((c) => (c.id === 'photo.same-file' || c.id === 'photo.near-duplicate' || c.id === 'photo.same-face') && c.status !== 'pass');
    if (conflicts.length > 0) {
      row.status = 'conflict';
      row.rules.push(...new Set(conflicts.map((c) => c.id)));
      row.message = conflicts.map((c) => c.message).join('；');
      continue;
    }
    const id = opts.nameBy === 'xuehao' ? student.xuehao : student.idCard;
    if (!id) {
      row.status = 'no-id';
      row.message = '名册中没有该学生的身份证号，无法按身份证号命名';
      continue;
    }
    pending.push({ row, chosen: list[0], name: `${id}.jpg` });
  }

  // The engine's check of each candidate, `concurrency` at a time; bytes are not kept (read again to write).
  const reports = new Map<ExportRow, PhotoReport | Error>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < pending.length) {
      const job = pending[next++];
      try {
        const bytes = await readPhoto(job.chosen.photo.input);
        // Judge the photo under the name it will carry (the `name` rule checks the target naming).
        reports.set(job.row, await opts.inspect(bytes, job.name));
      } catch (e) {
        reports.set(job.row, e as Error);
      }
      opts.onProgress?.(++done, pending.length, job.chosen.photo.name);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 1, pending.length)) }, worker));

  const files: { name: string; photo: MatchResult['matched'][number]['photo'] }[] = [];
  const usedNames = new Set<string>();
  for (const { row, chosen, name } of pending) {
    const report = reports.get(row);
    if (!report || report instanceof Error) {
      row.status = 'error';
      row.message = `无法处理照片 ${chosen.photo.name}：${report?.message ?? '未检测'}`;
      continue;
    }
    const notPassed = report.checks.filter((c) => c.status === 'fail' || c.status === 'review');
    row.rules = notPassed.map((c) => c.id);
    for (const c of report.checks) row.checks.push({ id: c.id, status: c.status, code: c.code, value: c.value, message: c.message });
    if (report.verdict === 'error') {
      row.status = 'error';
      row.message = report.error?.message ?? '照片无法处理';
      continue;
    }
    if (report.verdict === 'fail' || (report.verdict === 'review' && !opts.includeReview)) {
      row.status = report.verdict === 'fail' ? 'failed' : 'review';
      row.message = notPassed.map((c) => `${ruleZh(c.id)}：${c.message}`).join('；');
      continue;
    }
    if (usedNames.has(name.toUpperCase())) {
      row.status = 'conflict';
      row.message = `导出文件名 ${name} 与另一名学生重复`;
      continue;
    }
    usedNames.add(name.toUpperCase());
    files.push({ name, photo: chosen.photo });
    row.exportedAs = name;
    row.message = report.verdict === 'review' ? `已导出（有待复核项：${notPassed.map((c) => ruleZh(c.id)).join('、')}）` : '合格，已导出';
  }

  // Write to temporary names, then rename into place.
  const stamp = `${process.pid}-${Date.now()}`;
  if (format === 'zip') {
    const tmp = `${out}.tmp-${stamp}`;
    try {
      await writeZip(tmp, files);
      await rename(tmp, out);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  } else {
    const tmp = await mkdtemp(`${out}.tmp-`);
    try {
      for (const f of files) await writeFile(path.join(tmp, f.name), await checkedBytes(f.photo), { flag: 'wx' });
      if (await exists(out)) {
        const old = `${out}.old-${stamp}`;
        await rename(out, old);
        await rename(tmp, out);
        await rm(old, { recursive: true, force: true });
      } else await rename(tmp, out);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  if (reportPath) {
    const tmp = `${reportPath}.tmp-${stamp}.xlsx`;
    try {
      await writeFile(tmp, await exportReportXlsx(rows, { maskNames: !!opts.maskNames, nameBy: opts.nameBy }));
      await rename(tmp, reportPath);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
  return { out, format, reportPath, rows, written: files.length };
}

/** Read a photo again for writing and make sure it is still the file that was checked (same SHA-256). */
async function checkedBytes(photo: MatchResult['matched'][number]['photo']): Promise<Buffer> {
  const bytes = await readPhoto(photo.input);
  if (sha256(bytes) !== photo.sha256) throw new RosterError('PHOTO_CHANGED', `照片 ${photo.name} 在检测后被改动，已停止导出，请重新运行`);
  return bytes;
}

function writeZip(file: string, files: { name: string; photo: MatchResult['matched'][number]['photo'] }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    const ws = createWriteStream(file, { flags: 'wx' });
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      ws.destroy();
      reject(e);
    };
    ws.on('error', fail);
    ws.on('close', () => {
      if (!failed) resolve();
    });
    zip.on('error', fail);
    zip.outputStream.on('error', fail).pipe(ws);
    // Entries are read one at a time, when the zip writer reaches them (never all photos in memory).
    // JPEG does not compress further: store, which also keeps the files byte-identical to the check.
    for (const f of files) {
      zip.addReadStreamLazy(f.name, { compress: false, size: f.photo.size }, (cb) => {
        checkedBytes(f.photo).then(
          (bytes) => cb(null, Readable.from([bytes])),
          (e: Error) => cb(e, Readable.from([])),
        );
      });
    }
    zip.end();
  });
}

/** The export report as XLSX bytes: one row per student (学号, 身份证号, 姓名, 状态, 未通过规则, 说明). */
export async function exportReportXlsx(rows: ExportRow[], opts: { maskNames: boolean; nameBy: 'xuehao' | 'idcard' }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'gradpass';
  const ws = wb.addWorksheet('导出报告');
  ws.columns = [
    { header: '行号', key: 'row', width: 6 },
    { header: '学号', key: 'xuehao', width: 16 },
    { header: '身份证号', key: 'idCard', width: 21 },
    { header: '姓名', key: 'name', width: 10 },
    { header: '状态', key: 'status', width: 12 },
    { header: '未通过规则', key: 'rules', width: 36 },
    { header: '说明', key: 'message', width: 80 },
    { header: '原照片', key: 'photo', width: 30 },
    { header: '导出文件名', key: 'exportedAs', width: 24 },
    { header: '状态代码', key: 'code', width: 12 },
  ];
  // Identifiers are text: never let Excel turn a 身份证号 into 1.1E+17.
  ws.getColumn('xuehao').numFmt = '@';
  ws.getColumn('idCard').numFmt = '@';
  for (const r of rows) {
    ws.addRow({
      row: r.student.row,
      xuehao: r.student.xuehao,
      idCard: r.student.idCard ?? '',
      name: opts.maskNames ? maskName(r.student.name) : r.student.name,
      status: EXPORT_STATUS_ZH[r.status],
      rules: r.rules.map(ruleName).join('、'),
      message: r.message,
      photo: r.photo ?? '',
      exportedAs: r.exportedAs ?? '',
      code: r.status,
    });
  }
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const sum = wb.addWorksheet('汇总');
  sum.addRow(['状态', '人数']);
  for (const s of Object.keys(EXPORT_STATUS_ZH) as ExportStatus[]) sum.addRow([EXPORT_STATUS_ZH[s], rows.filter((r) => r.status === s).length]);
  sum.addRow(['合计', rows.length]);
  sum.addRow(['命名方式', opts.nameBy === 'xuehao' ? '学号' : '身份证号']);
  sum.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
