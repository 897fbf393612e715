/**
 * Roster subcommands (名册：检查、匹配、比对、导出):
 *   gradpass roster check 名册.xlsx                     validate a roster
 *   gradpass match   --roster 名册.xlsx 照片…           match photos to students, report every category
 *   gradpass compare --roster 名册.xlsx --reference 学信网照片/ 照片…   same person? same shot (同版)?
 *   gradpass export  --roster 名册.xlsx --name-by idcard --out 合格照片.zip 照片…
 *
 * `--json`: one JSON object per line on stdout, `{"student": {...}, "status": ..., "checks": [...]}` for each
 * student (roster order), then `{"photo": ..., "status": "fail", "checks": [...]}` for each photo without a
 * student; `roster check` prints `{"row": N, "student": {...}|null, "status": ..., "checks": [...]}` per row
 * with a problem or a student. The summary then goes to stderr. Exit codes: 0 nothing to fix, 1 problems
 * found, 2 misuse (bad option, unreadable roster).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import type { Profile } from '@gradpass/photo';
import { iterateSources, PhotoPool, type SourceItem } from '@gradpass/photo/batch/index';
import {
  RosterError,
  comparisonLines,
  compareWithReference,
  exportPhotos,
  EXPORT_STATUS_ZH,
  matchLines,
  matchPhotos,
  parseHeaderMap,
  parseRoster,
  type MatchResult,
  type PhotoInput,
  type Roster,
  type RowProblem,
  type StudentLine,
} from '@gradpass/roster';
import { maskName } from '@gradpass/ids';
import { loadProfileOrUsage, UsageError } from '../../usage.js';
import { formatTable } from '../../text.js';

type SetExitCode = (code: number) => void;

const STATUS_ZH: Record<string, string> = { pass: '通过', fail: '不通过', review: '需复核', skip: '跳过' };

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Read and parse the roster, turning a file-level refusal into a usage error (exit 2). */
async function loadRoster(file: string, maps: string[] | undefined): Promise<Roster> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new UsageError('ROSTER_NOT_FOUND', `无法读取名册文件 ${file}：${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '文件不存在' : (e as Error).message}`);
  }
  try {
    const headerMap = maps && maps.length ? parseHeaderMap(maps) : undefined;
    return await parseRoster(bytes, { fileName: path.basename(file), headerMap, today: new Date() });
  } catch (e) {
    if (e instanceof RosterError) throw new UsageError(e.code, e.cliHint ? `${e.message}。${e.cliHint}` : e.message);
    throw e;
  }
}

/** Collect the photo inputs under the given paths (files, folders, zips); unopenable ones read as errors. */
async function photoInputs(paths: string[]): Promise<PhotoInput[]> {
  const out: PhotoInput[] = [];
  for await (const item of iterateSources(paths) as AsyncIterable<SourceItem>) {
    if (item.kind === 'file') out.push({ name: item.name, fileName: item.fileName, read: item.read });
    else {
      const err = item.error;
      out.push({ name: item.name, fileName: item.fileName, read: () => Promise.reject(Object.assign(new Error(err.message), { code: err.code })) });
    }
  }
  return out;
}

/** A progress bar on a TTY stderr (none when piped), with a label. */
function progress(label: string): { update: (done: number, total?: number) => void; stop: () => void } {
  if (process.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {value}/{total} | 剩余约 {eta_formatted}`, barCompleteChar: '█', barIncompleteChar: '░', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total ?? 0, 0);
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function printJsonLines(lines: object[]): void {
  for (const l of lines) process.stdout.write(JSON.stringify(l) + '\n');
}

/** Where the human summary goes: stdout normally, stderr with --json (stdout is for the JSON lines). */
function out(json: boolean): (text: string) => void {
  return (text) => (json ? process.stderr : process.stdout).write(text + '\n');
}

function problemLine(p: RowProblem): string {
  return `  ${p.severity === 'error' ? '✗' : '!'} ${p.message} ${p.code}`;
}

function rosterSummary(r: Roster): string {
  const errors = new Set(r.problems.filter((p) => p.severity === 'error').map((p) => p.row)).size;
  const warnings = r.problems.filter((p) => p.severity === 'warning').length;
  const enc = r.encoding ? `，编码 ${r.encoding}` : r.sheet ? `，工作表“${r.sheet}”` : '';
  return `名册 ${r.fileName}（${r.format.toUpperCase()}${enc}，表头在第 ${r.headerRow} 行）：共 ${r.rowCount} 行，导入 ${r.students.length} 名学生，${errors} 行有错误未导入，${warnings} 条提醒`;
}

function mask(name: string, on: boolean): string {
  return on ? maskName(name) : name;
}

function studentLinesForJson(lines: StudentLine[], maskNames: boolean): object[] {
  return lines.map((l) => ({ ...l, student: { ...l.student, name: mask(l.student.name, maskNames) } }));
}

function matchSummary(r: MatchResult, total: number): string[][] {
  return [
    ['类别', '数量', '代码'],
    ['照片总数', String(total), ''],
    ['已匹配照片', String(r.matched.length), 'MATCHED'],
    ['缺照片的学生', String(r.missing.length), 'PHOTO_MISSING'],
    ['无对应学生的照片', String(r.unmatched.length), 'NOT_IN_ROSTER'],
    ['无法读取的文件', String(r.unreadable.length), 'UNREADABLE'],
    ['一人多张照片', String(r.multiple.length), 'PHOTO_MULTIPLE'],
    ['同一文件用于不同学生', String(r.sameFile.length), 'SAME_FILE'],
    ['近似重复（不同学生）', String(r.nearDuplicates.length), 'NEAR_DUPLICATE'],
    ['同一人脸（不同学生）', String(r.sameFace.length), 'SAME_FACE'],
  ];
}

/**
 * Register `roster check`, `match`, `compare` and `export`. `setExitCode` receives 0 (nothing to fix) or 1
 * (problems found); `main` turns it into the process exit code.
 */
export function registerRosterCommands(program: Command, setExitCode: SetExitCode): void {
  const setCode: SetExitCode = setExitCode;

  // ----------------------------------------------------------------------------- roster check
  const roster = program.command('roster').description('名册（学籍名单）相关命令');
  roster
    .command('check')
    .description('检查名册（.xlsx 或 .csv，UTF-8/GBK）：逐行报告身份证号校验位、出生日期、学号格式、缺姓名、重复等问题')
    .argument('<名册>', '名册文件（.xlsx 或 .csv）')
    .option('--map <列名=标准列名>', '把文件中的列名对应到标准列名（可重复），例如 --map 学生编号=学号', collect, [])
    .option('--json', '每行打印一个 JSON 对象（汇总改到标准错误）')
    .option('--mask-names', '姓名脱敏显示（张*）')
    .action(async (file: string, flags: { map: string[]; json?: boolean; maskNames?: boolean }) => {
      const r = await loadRoster(file, flags.map);
      const print = out(!!flags.json);
      if (flags.json) {
        const byRow = new Map<number, RowProblem[]>();
        for (const p of r.problems) byRow.set(p.row, [...(byRow.get(p.row) ?? []), p]);
        const loaded = new Map(r.students.map((s) => [s.row, s]));
        const rows = [...new Set([...byRow.keys(), ...loaded.keys()])].sort((a, b) => a - b);
        printJsonLines(
          rows.map((row) => {
            const s = loaded.get(row);
            const probs = byRow.get(row) ?? [];
            return {
              row,
              student: s ? { ...s, name: mask(s.name, !!flags.maskNames) } : null,
              status: !s ? 'fail' : probs.length ? 'review' : 'pass',
              checks: probs.map((p) => ({ id: p.column ? `roster.${p.column}` : 'roster.row', status: p.severity === 'error' ? 'fail' : 'review', code: p.code, value: p.value ?? null, message: p.message })),
            };
          }),
        );
      }
      print(rosterSummary(r));
      if (Object.keys(r.columns).length) print(`识别的列：${Object.entries(r.columns).map(([, h]) => h).join('、')}${r.ignoredColumns.length ? `；未使用的列：${r.ignoredColumns.join('、')}` : ''}`);
      if (!flags.json && r.problems.length) {
        print('问题（✗ 未导入，! 提醒）：');
        for (const p of r.problems) print(problemLine(p));
      }
      setCode(r.problems.some((p) => p.severity === 'error') ? 1 : 0);
    });

  // ----------------------------------------------------------------------------- match
  program
    .command('match')
    .description('按文件名（学号或身份证号）把照片对应到名册中的学生，报告缺照片、多余照片、同一文件、近似重复、同一人脸用于不同学生')
    .requiredOption('--roster <名册>', '名册文件（.xlsx 或 .csv）')
    .argument('<路径...>', '照片文件、文件夹或 .zip 压缩包')
    .option('--map <列名=标准列名>', '名册列名对应（可重复），例如 --map 学生编号=学号', collect, [])
    .option('--no-face', '不比对人脸（更快；“同一人脸”一项将标为需复核）')
    .option('--json', '每名学生打印一行 JSON（汇总改到标准错误）')
    .option('--mask-names', '姓名脱敏显示（张*）')
    .option('-v, --verbose', '也列出没有问题的学生')
    .action(async (paths: string[], flags: { roster: string; map: string[]; face: boolean; json?: boolean; maskNames?: boolean; verbose?: boolean }) => {
      const r = await loadRoster(flags.roster, flags.map);
      const print = out(!!flags.json);
      print(rosterSummary(r));
      const photos = await photoInputs(paths);
      const bar = progress('匹配中');
      const result = await matchPhotos(r, photos, { face: flags.face, onProgress: (d) => bar.update(d, photos.length) });
      bar.stop();
      const lines = matchLines(r, result);
      if (flags.json) printJsonLines([...studentLinesForJson(lines.students, !!flags.maskNames), ...lines.orphans]);
      else {
        for (const l of lines.students) {
          if (l.status === 'pass' && !flags.verbose) continue;
          print(`[${STATUS_ZH[l.status]}] ${mask(l.student.name, !!flags.maskNames)} ${l.student.xuehao}${l.student.idCard ? ' ' + l.student.idCard : ''}`);
          for (const c of l.checks) if (c.status !== 'pass' || flags.verbose) print(`    ${STATUS_ZH[c.status]}：${c.message}${c.code ? ' ' + c.code : ''}`);
        }
        for (const o of lines.orphans) print(`[${STATUS_ZH[o.status]}] ${o.photo}：${o.checks.map((c) => `${c.message} ${c.code ?? ''}`).join('；')}`);
      }
      print(formatTable(matchSummary(result, photos.length), ['left', 'right', 'left']));
      if (result.face.status !== 'done') print(`${result.face.message}${result.face.code ? ' ' + result.face.code : ''}`);
      const bad = lines.students.some((l) => l.status !== 'pass') || lines.orphans.length > 0;
      setCode(bad ? 1 : 0);
    });

  // ----------------------------------------------------------------------------- compare
  program
    .command('compare')
    .description('把每名学生的照片与参考照片（学信网或入学照片，同样按学号/身份证号命名）比对：是否同一人、是否同版')
    .requiredOption('--roster <名册>', '名册文件（.xlsx 或 .csv）')
    .requiredOption('--reference <路径>', '参考照片的文件夹或 .zip')
    .argument('<路径...>', '待比对的照片文件、文件夹或 .zip')
    .option('--map <列名=标准列名>', '名册列名对应（可重复）', collect, [])
    .option('--no-face', '不比对人脸（只判断是否同版）')
    .option('--json', '每名学生打印一行 JSON（汇总改到标准错误）')
    .option('--mask-names', '姓名脱敏显示（张*）')
    .option('-v, --verbose', '也列出通过的学生')
    .action(async (paths: string[], flags: { roster: string; reference: string; map: string[]; face: boolean; json?: boolean; maskNames?: boolean; verbose?: boolean }) => {
      const r = await loadRoster(flags.roster, flags.map);
      const print = out(!!flags.json);
      print(rosterSummary(r));
      const [photos, refs] = await Promise.all([photoInputs(paths), photoInputs([flags.reference])]);
      const bar = progress('比对中');
      const results = await compareWithReference(r, photos, refs, { face: flags.face, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      const lines = comparisonLines(results);
      if (flags.json) printJsonLines(studentLinesForJson(lines, !!flags.maskNames));
      else {
        for (const l of lines) {
          if (l.status === 'pass' && !flags.verbose) continue;
          print(`[${STATUS_ZH[l.status]}] ${mask(l.student.name, !!flags.maskNames)} ${l.student.xuehao}`);
          for (const c of l.checks) print(`    ${c.id === 'reference.face' ? '同一人' : '同版'} ${STATUS_ZH[c.status]}：${c.message}${c.code ? ' ' + c.code : ''}`);
        }
      }
      const count = (s: string) => lines.filter((l) => l.status === s).length;
      print(formatTable([['结论', '人数'], ['通过', String(count('pass'))], ['不通过', String(count('fail'))], ['需复核', String(count('review'))]], ['left', 'right']));
      setCode(lines.some((l) => l.status !== 'pass') ? 1 : 0);
    });

  // ----------------------------------------------------------------------------- export
  program
    .command('export')
    .description('把合格照片按学号或身份证号重新命名，写成 .zip 或文件夹，并写出 XLSX 报告（每名学生一行）；不会覆盖已有文件，除非 --force')
    .requiredOption('--roster <名册>', '名册文件（.xlsx 或 .csv）')
    .requiredOption('-o, --out <路径>', '输出：以 .zip 结尾写压缩包，否则写文件夹')
    .addOption(new Option('--name-by <方式>', '文件命名：xuehao 学号，idcard 身份证号').choices(['xuehao', 'idcard']).default('xuehao'))
    .argument('<路径...>', '照片文件、文件夹或 .zip')
    .option('-p, --profile <规格>', '照片规格（内置编号或 JSON/YAML 文件）', 'chsi-graduation')
    .option('-r, --report <文件.xlsx>', '报告文件；默认为输出名加“-报告.xlsx”')
    .option('--map <列名=标准列名>', '名册列名对应（可重复）', collect, [])
    .option('--force', '输出已存在时替换（仍先写临时文件再改名）')
    .option('--mask-names', '报告中姓名脱敏（张*）')
    .option('--include-review', '也导出检测结论为“需人工复核”的照片')
    .option('--no-face', '不做人脸分析（只做技术检查；不比对人脸）')
    .option('--json', '每名学生打印一行 JSON（汇总改到标准错误）')
    .action(
      async (
        paths: string[],
        flags: { roster: string; out: string; nameBy: 'xuehao' | 'idcard'; profile: string; report?: string; map: string[]; force?: boolean; maskNames?: boolean; includeReview?: boolean; face: boolean; json?: boolean },
      ) => {
        if (flags.report && !/\.xlsx$/i.test(flags.report)) throw new UsageError('REPORT_FORMAT', `报告文件应以 .xlsx 结尾：${flags.report}`);
        const outAbs = path.resolve(flags.out);
        for (const p of paths) {
          const inAbs = path.resolve(p);
          if (outAbs === inAbs || outAbs.startsWith(inAbs + path.sep)) throw new UsageError('OUT_INSIDE_INPUT', `输出 ${flags.out} 位于输入 ${p} 之内，请换一个输出位置`);
        }
        // The exported files carry the chosen identifier: judge the `name` rule by that, not the profile's default.
        const profile: Profile = { ...loadProfileOrUsage(flags.profile), fileNaming: flags.nameBy };
        const r = await loadRoster(flags.roster, flags.map);
        const print = out(!!flags.json);
        print(rosterSummary(r));
        const photos = await photoInputs(paths);
        const bar = progress('匹配中');
        const match = await matchPhotos(r, photos, { face: flags.face, onProgress: (d) => bar.update(d, photos.length) });
        bar.stop();
        const bar2 = progress('检测并导出');
        // The engine's checks run on a worker pool (one thread per core), as `gradpass check` does.
        const pool = new PhotoPool({ profile, jobs: os.availableParallelism() });
        const checkInPool = async (bytes: Buffer, fileName: string) => {
          const copy = new ArrayBuffer(bytes.byteLength);
          new Uint8Array(copy).set(bytes);
          return (await pool.run({ op: 'check', name: fileName, fileName, bytes: copy, face: flags.face })).report;
        };
        let result;
        try {
          result = await exportPhotos(r, match, {
            nameBy: flags.nameBy,
            out: flags.out,
            reportPath: flags.report,
            force: !!flags.force,
            maskNames: !!flags.maskNames,
            includeReview: !!flags.includeReview,
            inspect: checkInPool,
            concurrency: pool.jobs * 2,
            onProgress: (d, t) => bar2.update(d, t),
          });
        } catch (e) {
          bar2.stop();
          if (e instanceof RosterError) throw new UsageError(e.code, e.cliHint ? `${e.message}。${e.cliHint}` : e.message);
          throw e;
        } finally {
          await pool.close();
        }
        bar2.stop();
        if (flags.json) {
          printJsonLines(
            result.rows.map((row) => ({
              student: { row: row.student.row, xuehao: row.student.xuehao, idCard: row.student.idCard, name: mask(row.student.name, !!flags.maskNames) },
              status: row.status === 'exported' ? 'pass' : row.status === 'review' ? 'review' : 'fail',
              export: { status: row.status, file: row.exportedAs, photo: row.photo },
              checks: row.checks,
            })),
          );
        } else {
          for (const row of result.rows) {
            if (row.status === 'exported') continue;
            print(`[${EXPORT_STATUS_ZH[row.status]}] ${mask(row.student.name, !!flags.maskNames)} ${row.student.xuehao}：${row.message} ${row.status.toUpperCase()}`);
          }
        }
        const count = (s: string) => result.rows.filter((x) => x.status === s).length;
        print(formatTable([['状态', '人数'], ...Object.entries(EXPORT_STATUS_ZH).map(([k, zh]) => [zh, String(count(k))])], ['left', 'right']));
        print(`已写出 ${result.written} 张照片到 ${result.out}（${result.format === 'zip' ? '压缩包' : '文件夹'}，按${flags.nameBy === 'xuehao' ? '学号' : '身份证号'}命名）${result.reportPath ? `；报告：${result.reportPath}` : ''}`);
        setCode(result.rows.some((x) => x.status !== 'exported') ? 1 : 0);
      },
    );
}
