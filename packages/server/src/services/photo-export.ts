import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import yazl from 'yazl';
import type { PhotoRow, Repos, StudentFilter, StudentRow } from '../repositories/index.js';
import type { FileStore } from '../storage.js';
import type { OrgTree } from './context.js';
import { maskIdCard } from './personal-data.js';
import { EXPORT_PAGE_SIZE, keysetPages, writeXlsxStream, type Column } from './reports.js';

/** One line of 导出报告.xlsx: a student and what happened to their photo. */
interface ExportLine {
  xuehao: string;
  idCard: string;
  name: string;
  centre: string;
  file: string;
  result: string;
}
const REPORT_COLUMNS: Column<ExportLine>[] = [
  { header: '学号', width: 16, value: (l) => l.xuehao },
  { header: '身份证号', width: 22, value: (l) => l.idCard },
  { header: '姓名', value: (l) => l.name },
  { header: '学习中心', width: 24, value: (l) => l.centre },
  { header: '文件名', width: 24, value: (l) => l.file },
  { header: '结果', width: 24, value: (l) => l.result },
];
const STATUS_LABELS: Record<string, string> = {
  pending: '待检测',
  checking: '检测中',
  fail: '不合格',
  review: '待人工复核',
  error: '无法读取',
};
/** Photo files opened ahead of the zip writer (each is read only when the zip reaches it). */
const FILES_AHEAD = 8;

/**
 * A stream that opens its source only when first read (惰性读取): yazl queues entries and reads them one after
 * another, so a photo is fetched from the store only when the zip reaches it. `onDone` runs when it ends or fails.
 */
function lazyStream(open: () => Promise<Readable>, onDone: () => void): Readable {
  const out = new PassThrough();
  let opened = false;
  const start = () => {
    if (opened) return;
    opened = true;
    open().then(
      (src) => {
        src.on('error', (e) => out.destroy(e));
        src.pipe(out);
      },
      (e: unknown) => out.destroy(e as Error),
    );
  };
  out.once('end', onDone);
  out.once('error', onDone);
  const read = out._read.bind(out);
  out._read = (n: number) => {
    start();
    read(n);
  };
  // yazl attaches 'data' through pipe; `resume` also counts as a first read.
  out.once('resume', start);
  return out;
}

/**
 * Photo export (照片导出) as a stream: the compliant current photos of the students matching `filter`, named
 * <学号>.jpg or <身份证号>.jpg, plus 导出报告.xlsx listing every student and why a photo was left out. Students are
 * read a page at a time (keyset), photo files streamed from the store at most {@link FILES_AHEAD} ahead of the
 * zip writer, the report written row by row to a temporary file and appended last — memory stays flat at any
 * number of students (yazl keeps only each entry's central-directory record, ~100 bytes). `onFinish` gets the
 * number of students once the zip is complete (the 身份证号 export is audited then).
 */
export function photoZipStream(opts: {
  repos: Repos;
  files: FileStore;
  tree: OrgTree;
  filter: StudentFilter;
  naming: 'xuehao' | 'idcard';
  onFinish: (students: number) => Promise<void>;
  onError: (e: unknown) => void;
  /** Students read so far, after each page (a background export's progress). */
  onProgress?: (students: number) => void;
}): Readable {
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  zip.outputStream.on('error', (e: Error) => out.destroy(e));
  zip.outputStream.pipe(out);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-export-'));
  const reportPath = path.join(tmp, '导出报告.xlsx');
  let ahead = 0;
  let wake: (() => void) | null = null;
  const settle = () => {
    ahead--;
    wake?.();
  };
  const gone = () => new Error('导出已中止：下载连接已关闭');
  // The download closed early: stop reading students and photos (a waiting producer is woken to notice).
  out.on('close', () => wake?.());
  const room = async () => {
    while (ahead >= FILES_AHEAD) {
      if (out.destroyed) throw gone();
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    if (out.destroyed) throw gone();
  };
  let students = 0;
  const { repos, files, tree, naming } = opts;
  async function* lines(): AsyncGenerator<ExportLine[]> {
    const pages = keysetPages(async (cursor) => {
      const r = await repos.students.list(opts.filter, { page: 1, pageSize: EXPORT_PAGE_SIZE, cursor });
      return { items: r.rows, nextCursor: r.nextCursor };
    });
    for await (const rows of pages) {
      if (out.destroyed) throw gone();
      const ids = rows.map((x: StudentRow) => x.photo_id).filter((x): x is number => x != null);
      const photos = new Map((await repos.photos.byIds(ids)).map((p: PhotoRow) => [p.id, p]));
      const page: ExportLine[] = [];
      for (const st of rows) {
        students++;
        const p = st.photo_id != null ? photos.get(st.photo_id) : undefined;
        const file = `${naming === 'idcard' ? st.id_card : st.xuehao}.jpg`;
        const idCard = naming === 'idcard' ? st.id_card : maskIdCard(st.id_card);
        const base = { xuehao: st.xuehao, idCard, name: st.name, centre: tree.get(st.org_id)?.name ?? '' };
        if (!p) {
          page.push({ ...base, file: '', result: '未导出：没有照片' });
          continue;
        }
        if (p.status !== 'pass') {
          page.push({ ...base, file: '', result: `未导出：照片${STATUS_LABELS[p.status] ?? p.status}` });
          continue;
        }
        await room();
        ahead++;
        zip.addReadStream(
          lazyStream(() => files.readStream(p.storage_path), settle),
          file,
        );
        page.push({ ...base, file, result: '已导出' });
      }
      opts.onProgress?.(students);
      yield page;
    }
  }
  const run = async () => {
    const report = fs.createWriteStream(reportPath);
    const closed = new Promise<void>((resolve, reject) => report.on('close', resolve).on('error', reject));
    await writeXlsxStream(report, '导出报告', REPORT_COLUMNS, lines());
    report.end();
    await closed;
    zip.addReadStream(fs.createReadStream(reportPath), '导出报告.xlsx');
    zip.end();
    await new Promise<void>((resolve, reject) => out.on('end', resolve).on('close', resolve).on('error', reject));
    await opts.onFinish(students);
  };
  run()
    .catch((e: unknown) => {
      if (!out.destroyed) opts.onError(e); // a download the client closed is no error of ours
      out.destroy(e as Error);
    })
    .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
  return out;
}
