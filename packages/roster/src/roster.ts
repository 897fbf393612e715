/**
 * Roster import (名册导入): XLSX or CSV bytes in, students and per-row problems out.
 *
 * Pure over Buffers: no file system. Every bad row is reported with its row number as Excel (or a text
 * editor, for CSV) shows it, a stable code and a Chinese message; the good rows still load.
 */
import ExcelJS from 'exceljs';
import { parseIdCard, parseXuehao } from '@gradpass/ids';
import { decodeText, parseCsv, type TextEncoding } from './csv.js';
import { RosterError } from './errors.js';

/** Education level (层次). 专升本 and 高起本 are 本科; 高起专 is 专科. */
export type Level = '本科' | '专科';

/** One student of a roster (学籍记录). */
export interface Student {
  /** Row number as Excel shows it (or the CSV line). 行号 */
  row: number;
  /** 学号, 13 digits. */
  xuehao: string;
  /** 身份证号, normalised (upper-case X); null when the roster has none for this student. */
  idCard: string | null;
  /** 姓名 */
  name: string;
  /** 学习中心 / 教学点 */
  centre?: string;
  /** 专业 */
  programme?: string;
  /** 层次 */
  level?: Level;
  /** 入学学期, normalised as e.g. `2018春` / `2018秋` when recognisable, else as written. */
  enrolmentTerm?: string;
  /** 手机号 */
  phone?: string;
}

/** The fields a roster column can hold. */
export type RosterField = 'xuehao' | 'idCard' | 'name' | 'centre' | 'programme' | 'level' | 'enrolmentTerm' | 'phone';

/** Canonical Chinese header of each field, as `--map 学生编号=学号` names it. 标准列名 */
export const FIELD_HEADERS: Record<RosterField, string> = {
  xuehao: '学号',
  idCard: '身份证号',
  name: '姓名',
  centre: '学习中心',
  programme: '专业',
  level: '层次',
  enrolmentTerm: '入学学期',
  phone: '手机号',
};

/** Headers staff actually use, per field (after normalisation: no spaces, no `*`, no bracketed notes). */
const HEADER_ALIASES: Record<RosterField, string[]> = {
  xuehao: ['学号', '学生学号', '学籍号'],
  idCard: ['身份证号', '身份证号码', '证件号码', '证件号', '身份证', '公民身份号码'],
  name: ['姓名', '学生姓名'],
  centre: ['学习中心', '教学点', '校外教学点', '学习中心名称', '教学点名称'],
  programme: ['专业', '专业名称'],
  level: ['层次', '学历层次', '培养层次', '专业层次'],
  enrolmentTerm: ['入学学期', '入学批次', '入学时间', '年级'],
  phone: ['手机号', '手机号码', '手机', '联系电话', '联系方式'],
};

/** Severity of a row problem: an `error` row is not loaded; a `warning` row is loaded. */
export type ProblemSeverity = 'error' | 'warning';

/** A problem with one row (行问题). */
export interface RowProblem {
  row: number;
  severity: ProblemSeverity;
  /** Stable code, e.g. `IDCARD_CHECK_CHAR`, `DUPLICATE_XUEHAO`. */
  code: string;
  /** Which column, by its canonical Chinese header. */
  column?: string;
  /** The cell value as read. */
  value?: string;
  /** Chinese message, starting with the row number (第 N 行). */
  message: string;
}

/** The result of reading a roster (名册). */
export interface Roster {
  fileName: string;
  format: 'xlsx' | 'csv';
  /** CSV only: the encoding detected. */
  encoding?: TextEncoding;
  /** XLSX only: the worksheet read. */
  sheet?: string;
  /** Row number of the header row. */
  headerRow: number;
  /** Which column header was mapped to which field. */
  columns: Partial<Record<RosterField, string>>;
  /** Headers that were not recognised (ignored). */
  ignoredColumns: string[];
  /** Students loaded (good rows, including rows with only warnings). */
  students: Student[];
  /** Every problem found, in row order. */
  problems: RowProblem[];
  /** Number of data rows read (non-empty rows below the header). */
  rowCount: number;
}

export interface ParseRosterOptions {
  /** File name as given: decides the format together with the bytes' magic number. */
  fileName: string;
  /**
   * Extra header mapping: a header in the file → a canonical header (学号, 身份证号, 姓名, 学习中心,
   * 专业, 层次, 入学学期, 手机号), e.g. `{ 学生编号: '学号' }`.
   */
  headerMap?: Record<string, string>;
  /** Today, for birth-date and enrolment-term plausibility. */
  today: Date;
}

/** A cell as read: text, or a number as Excel stored it (so precision loss can be told apart). */
type Cell = { text: string; number?: number };

function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .replace(/[（(【[].*?[）)】\]]/g, '')
    .replace(/[\s*＊:：]/g, '')
    .trim();
}

const FIELD_BY_HEADER = new Map<string, RosterField>();
for (const [field, names] of Object.entries(HEADER_ALIASES) as [RosterField, string[]][]) {
  for (const n of names) FIELD_BY_HEADER.set(n, field);
}

function fieldForHeader(header: string, headerMap: Record<string, string> | undefined): RosterField | undefined {
  const norm = normaliseHeader(header);
  if (headerMap) {
    for (const [from, to] of Object.entries(headerMap)) {
      if (normaliseHeader(from) === norm) {
        const target = FIELD_BY_HEADER.get(normaliseHeader(to));
        if (!target) {
          throw new RosterError('ROSTER_BAD_MAP', `列映射“${from}=${to}”的目标列不认识：应为 ${Object.values(FIELD_HEADERS).join('、')} 之一`);
        }
        return target;
      }
    }
  }
  return FIELD_BY_HEADER.get(norm);
}

/** Validate a header map before use (every target must be a known column). */
export function checkHeaderMap(headerMap: Record<string, string>): void {
  for (const [from, to] of Object.entries(headerMap)) {
    if (!FIELD_BY_HEADER.get(normaliseHeader(to))) {
      throw new RosterError('ROSTER_BAD_MAP', `列映射“${from}=${to}”的目标列不认识：应为 ${Object.values(FIELD_HEADERS).join('、')} 之一`);
    }
  }
}

/** Parse `学生编号=学号` pairs (as given to `--map`) into a header map. */
export function parseHeaderMap(pairs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const p of pairs) {
    const m = /^(.+?)[=＝](.+)$/.exec(p.trim());
    if (!m) throw new RosterError('ROSTER_BAD_MAP', `列映射“${p}”格式不对：应为“文件中的列名=标准列名”，例如 学生编号=学号`);
    map[m[1].trim()] = m[2].trim();
  }
  checkHeaderMap(map);
  return map;
}

// ---------------------------------------------------------------------------------------------------
// Reading cells

function excelCellToCell(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'number') return { text: numberText(v), number: v };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (v instanceof Date) {
    // Excel dates: the enrolment term typed as 2018-03 becomes a date. Keep YYYY-MM-DD.
    return { text: `${v.getUTCFullYear()}-${String(v.getUTCMonth() + 1).padStart(2, '0')}-${String(v.getUTCDate()).padStart(2, '0')}` };
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return { text: v.richText.map((r) => r.text).join('') };
    if ('formula' in v || 'sharedFormula' in v) {
      const r = (v as { result?: ExcelJS.CellValue }).result;
      return excelCellToCell(r === undefined ? null : r);
    }
    if ('text' in v && typeof (v as { text: unknown }).text === 'string') return { text: (v as { text: string }).text };
    if ('error' in v) return { text: String((v as { error: unknown }).error) };
  }
  return { text: String(v) };
}

/** A number as plain digits (no exponent) where it is an integer, so 1.1e17 reads as 110000000000000000. */
function numberText(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n);
}

async function readXlsx(bytes: Buffer): Promise<{ sheet: string; rows: { row: number; cells: Cell[] }[] }[]> {
  const wb = new ExcelJS.Workbook();
  try {
    // exceljs' types predate Node's generic Buffer; the bytes are a plain Buffer.
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new RosterError('ROSTER_UNREADABLE', `无法读取 Excel 文件：${(e as Error).message}。请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）`);
  }
  const sheets: { sheet: string; rows: { row: number; cells: Cell[] }[] }[] = [];
  wb.eachSheet((ws) => {
    const rows: { row: number; cells: Cell[] }[] = [];
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: Cell[] = [];
      const values = row.values as ExcelJS.CellValue[];
      for (let c = 1; c < values.length; c++) cells[c - 1] = excelCellToCell(values[c]);
      for (let c = 0; c < cells.length; c++) if (!cells[c]) cells[c] = { text: '' };
      rows.push({ row: rowNumber, cells });
    });
    sheets.push({ sheet: ws.name, rows });
  });
  return sheets;
}

// ---------------------------------------------------------------------------------------------------
// Field normalisers

const SCI = /^[+-]?\d+(\.\d+)?[eE]\+?\d+$/;

function normaliseLevel(s: string): Level | undefined {
  const t = s.replace(/\s/g, '');
  if (/^(本科|专升本|高起本|第二学历|本科\(专升本\)|本科（专升本）)$/.test(t) || /专升本|本科/.test(t)) return '本科';
  if (/^(专科|高起专|高职|大专)$/.test(t) || /专科|高起专|大专/.test(t)) return '专科';
  return undefined;
}

/** Normalise an enrolment term (入学学期) to `2018春` / `2018秋`, or undefined when not recognisable. */
export function normaliseTerm(s: string): string | undefined {
  const t = s.replace(/\s/g, '').normalize('NFKC');
  let m = /^(\d{2}|\d{4})年?(春|秋)季?(学期)?$/.exec(t);
  if (m) return `${m[1].length === 2 ? '20' + m[1] : m[1]}${m[2]}`;
  m = /^(\d{4})[-./年]?(\d{1,2})(月)?([-./]\d{1,2}日?)?$/.exec(t);
  if (m) {
    const month = Number(m[2]);
    if (month >= 1 && month <= 12) return `${m[1]}${month <= 6 ? '春' : '秋'}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------

/**
 * Read a roster (名册) from XLSX or CSV bytes. Throws `RosterError` only when the file as a whole cannot be
 * used (unreadable, no header row with 学号 and 姓名); row-level problems are listed in `problems`.
 */
/** How much of a CSV is read to find its header row before the whole file is decoded. */
const CSV_HEAD_BYTES = 64 * 1024;

export async function parseRoster(bytes: Buffer, options: ParseRosterOptions): Promise<Roster> {
  const { fileName, headerMap, today } = options;
  if (headerMap) checkHeaderMap(headerMap);
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const isOle = bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
  if (isOle) {
    throw new RosterError('ROSTER_XLS_UNSUPPORTED', `“${fileName}”是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入`);
  }
  if (bytes.length === 0) throw new RosterError('ROSTER_EMPTY', `名册“${fileName}”是空文件`);
  const other = isZip ? null : otherFileKind(bytes);
  if (other) {
    throw new RosterError(
      'ROSTER_NOT_A_TABLE',
      `“${fileName}”不是名册，而是${other}。请导入 Excel（.xlsx）或 CSV 格式的学生名册，第一行为列名（学号、姓名、身份证号等）`,
    );
  }

  let tables: { sheet?: string; rows: { row: number; cells: Cell[] }[] }[];
  let format: 'xlsx' | 'csv';
  let encoding: TextEncoding | undefined;
  if (isZip) {
    format = 'xlsx';
    tables = await readXlsx(bytes);
  } else {
    if (/\.xlsx$/i.test(fileName)) {
      throw new RosterError('ROSTER_UNREADABLE', `“${fileName}”的扩展名是 .xlsx，但内容不是 Excel 文件`);
    }
    format = 'csv';
    const read = (b: Buffer) => {
      const decoded = decodeText(b);
      encoding = decoded.encoding;
      return [{ rows: parseCsv(decoded.text).map((r) => ({ row: r.line, cells: r.cells.map((c) => ({ text: c })) })) }];
    };
    // The header must be within the first 20 rows: look for it in the first 64 KB before reading everything, so a
    // large file that is not a roster is refused at once instead of being decoded and split whole.
    // Cut at a line end, so a UTF-8 character is never split (which would make the head look like GBK); UTF-16
    // files (with a BOM) are read whole.
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const cut = bytes.lastIndexOf(0x0a, CSV_HEAD_BYTES);
    // (no line end at all in the first 64 KB: its first line alone is longer — not a roster)
    const head = bytes.length > CSV_HEAD_BYTES && !utf16 ? read(bytes.subarray(0, cut > 0 ? cut + 1 : CSV_HEAD_BYTES)) : null;
    const hasHeader = (rows: { cells: Cell[] }[]) =>
      rows.slice(0, 20).some((r) => {
        const fields = r.cells.map((c) => fieldForHeader(c.text, headerMap));
        return fields.includes('xuehao') && fields.includes('name');
      });
    tables = head && !hasHeader(head[0].rows) ? head : read(bytes);
  }

  // Find the header row: the first row (within the first 20 of a sheet) naming 学号 and 姓名.
  for (const table of tables) {
    for (let i = 0; i < Math.min(20, table.rows.length); i++) {
      const cells = table.rows[i].cells;
      const fields = cells.map((c) => fieldForHeader(c.text, headerMap));
      if (fields.includes('xuehao') && fields.includes('name')) {
        return buildRoster({ fileName, format, encoding, sheet: table.sheet, headerIndex: i, rows: table.rows, fields, today });
      }
    }
  }
  const seen = tables[0]?.rows[0]?.cells.map((c) => c.text).filter((t) => t.trim() !== '') ?? [];
  // A cell is quoted up to 20 characters: a binary file read as text must not become a 20 MB message.
  const quoted = (t: string) => (t.length > 20 ? `${[...t.slice(0, 40)].slice(0, 20).join('')}…` : t);
  throw new RosterError(
    'ROSTER_NO_HEADER',
    `名册“${fileName}”中找不到表头：需要“学号”和“姓名”列。` +
      (seen.length ? `第一行是：${seen.slice(0, 8).map(quoted).join('、')}。请把对应的列名改为“学号”“姓名”后重新导入` : ''),
    seen.length ? '如列名不同，也可以用 --map 指定，例如 --map 学生编号=学号' : undefined,
  );
}

/**
 * What a file is when it is plainly not a table (不是名册): a picture, a PDF, an archive, or binary bytes.
 * Sniffed from the content, so a PNG renamed .csv is answered as a picture, not as a CSV with "塒NG" in it.
 */
function otherFileKind(bytes: Buffer): string | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return '一张 PNG 图片';
  if (starts(0xff, 0xd8, 0xff)) return '一张 JPEG 图片';
  if (starts(0x47, 0x49, 0x46, 0x38)) return '一张 GIF 图片';
  if (starts(0x42, 0x4d) && bytes.length > 26 && bytes.readUInt32LE(2) === bytes.length) return '一张 BMP 图片';
  if (starts(0x25, 0x50, 0x44, 0x46)) return '一个 PDF 文件';
  if (starts(0x52, 0x61, 0x72, 0x21) || starts(0x37, 0x7a, 0xbc, 0xaf)) return '一个压缩包';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return '一张 WEBP 图片';
  // Text files have (almost) no control bytes; UTF-16 text starts with its BOM, handled by the CSV reader.
  if (starts(0xff, 0xfe) || starts(0xfe, 0xff)) return null;
  const head = bytes.subarray(0, 4096);
  let control = 0;
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) control++;
  return control > head.length * 0.02 ? '一个无法识别的二进制文件' : null;
}

function buildRoster(args: {
  fileName: string;
  format: 'xlsx' | 'csv';
  encoding?: TextEncoding;
  sheet?: string;
  headerIndex: number;
  rows: { row: number; cells: Cell[] }[];
  fields: (RosterField | undefined)[];
  today: Date;
}): Roster {
  const { rows, fields, headerIndex, today } = args;
  const headerCells = rows[headerIndex].cells;
  const columns: Partial<Record<RosterField, string>> = {};
  const colIndex: Partial<Record<RosterField, number>> = {};
  const ignoredColumns: string[] = [];
  fields.forEach((f, i) => {
    const h = headerCells[i].text.trim();
    if (f && colIndex[f] === undefined) {
      colIndex[f] = i;
      columns[f] = h;
    } else if (h) ignoredColumns.push(h);
  });

  const students: Student[] = [];
  const problems: RowProblem[] = [];
  const byXuehao = new Map<string, number>();
  const byIdCard = new Map<string, number>();
  let rowCount = 0;
  const thisYear = today.getUTCFullYear();

  for (const { row, cells } of rows.slice(headerIndex + 1)) {
    const get = (f: RosterField): Cell => {
      const i = colIndex[f];
      return i === undefined ? { text: '' } : (cells[i] ?? { text: '' });
    };
    if (cells.every((c) => !c || c.text.trim() === '')) continue;
    rowCount++;
    const rowProblems: RowProblem[] = [];
    const err = (code: string, column: RosterField, value: string, message: string) =>
      rowProblems.push({ row, severity: 'error', code, column: FIELD_HEADERS[column], value, message: `第 ${row} 行：${message}` });
    const warn = (code: string, column: RosterField, value: string, message: string) =>
      rowProblems.push({ row, severity: 'warning', code, column: FIELD_HEADERS[column], value, message: `第 ${row} 行：${message}` });

    // 姓名
    const name = get('name').text.replace(/\s+/g, ' ').trim();
    if (!name) err('NAME_MISSING', 'name', '', '缺少姓名');

    // 学号
    const xhCell = get('xuehao');
    let xuehao = xhCell.text.trim().replace(/^'/, '');
    if (!xuehao) {
      err('XUEHAO_MISSING', 'xuehao', '', '缺少学号');
    } else {
      if (xhCell.number !== undefined || SCI.test(xuehao)) {
        const n = xhCell.number ?? Number(xuehao);
        if (Number.isSafeInteger(n) && !SCI.test(xuehao)) {
          const digits = String(n);
          if (digits.length === 12) {
            xuehao = '0' + digits;
            warn('XUEHAO_STORED_AS_NUMBER', 'xuehao', xhCell.text, `学号被 Excel 存为数字，开头的 0 已丢失，已按 13 位补为 ${xuehao}，请核对并将该列设为文本`);
          } else {
            xuehao = digits;
            if (digits.length === 13) warn('XUEHAO_STORED_AS_NUMBER', 'xuehao', xhCell.text, '学号被 Excel 存为数字，已恢复；建议将该列设为文本');
          }
        } else {
          err('XUEHAO_PRECISION_LOST', 'xuehao', xhCell.text, `学号“${xhCell.text}”被 Excel 存为科学计数法数字，精度已丢失，请将该列设为文本后重新填写`);
          xuehao = '';
        }
      }
      if (xuehao) {
        const p = parseXuehao(xuehao);
        if (!p.ok) {
          err('XUEHAO_FORMAT', 'xuehao', xuehao, `学号“${xuehao}”格式不对：应为 13 位数字`);
          xuehao = '';
        } else {
          for (const w of p.warnings) warn('XUEHAO_UNUSUAL', 'xuehao', xuehao, w);
        }
      }
    }

    // 身份证号
    const idCell = get('idCard');
    let idCard: string | null = null;
    const idText = idCell.text.trim().replace(/^'/, '').replace(/\s/g, '');
    if (colIndex.idCard !== undefined && idText) {
      if (idCell.number !== undefined || SCI.test(idText)) {
        const n = idCell.number ?? Number(idText);
        const digits = Number.isInteger(n) ? BigInt(n).toString() : '';
        if (!SCI.test(idText) && Number.isSafeInteger(n) && digits.length === 15 && parseIdCard(digits, today).ok) {
          idCard = digits;
          warn('IDCARD_STORED_AS_NUMBER', 'idCard', idText, '身份证号（15 位）被 Excel 存为数字，已恢复；建议将该列设为文本');
        } else if (!SCI.test(idText) && digits.length === 18 && parseIdCard(digits, today).ok) {
          idCard = digits;
          warn('IDCARD_STORED_AS_NUMBER', 'idCard', idText, '身份证号被 Excel 存为数字，校验通过，但请核对并将该列设为文本');
        } else {
          err('IDCARD_PRECISION_LOST', 'idCard', idText, `身份证号被 Excel 存为数字，精度已丢失（读到 ${idText}），请将该列设为文本后重新填写`);
        }
      } else {
        const p = parseIdCard(idText, today);
        if (p.ok) idCard = p.info.value;
        else {
          const msg = p.problem.code === 'IDCARD_BIRTH_DATE' ? p.problem.message.replace('不是真实日期', '不可能（不是真实日期或晚于今天）') : p.problem.message;
          err(p.problem.code, 'idCard', idText, msg);
        }
      }
    } else if (colIndex.idCard !== undefined) {
      warn('IDCARD_MISSING', 'idCard', '', '缺少身份证号（无法按身份证号匹配照片或导出）');
    }

    // Duplicates within the file (only for values that are themselves valid).
    if (xuehao) {
      const first = byXuehao.get(xuehao);
      if (first !== undefined) err('DUPLICATE_XUEHAO', 'xuehao', xuehao, `学号 ${xuehao} 与第 ${first} 行重复`);
    }
    if (idCard) {
      const first = byIdCard.get(idCard);
      if (first !== undefined) err('DUPLICATE_IDCARD', 'idCard', idCard, `身份证号 ${idCard} 与第 ${first} 行重复`);
    }

    // Optional fields.
    const student: Student = { row, xuehao, idCard, name };
    const centre = get('centre').text.trim();
    if (centre) student.centre = centre;
    const programme = get('programme').text.trim();
    if (programme) student.programme = programme;
    const levelText = get('level').text.trim();
    if (levelText) {
      const level = normaliseLevel(levelText);
      if (level) student.level = level;
      else warn('LEVEL_UNKNOWN', 'level', levelText, `层次“${levelText}”不认识：应为 本科 或 专科（专升本 记为本科）`);
    }
    const termText = get('enrolmentTerm').text.trim();
    if (termText) {
      const term = normaliseTerm(termText);
      if (!term) {
        warn('TERM_UNKNOWN', 'enrolmentTerm', termText, `入学学期“${termText}”不认识：应如 2018春、2018秋 或 201803`);
        student.enrolmentTerm = termText;
      } else {
        student.enrolmentTerm = term;
        const year = Number(term.slice(0, 4));
        if (year > thisYear || year < 1978) warn('TERM_IMPLAUSIBLE', 'enrolmentTerm', termText, `入学学期 ${term} 不合理（晚于今年或早于 1978 年）`);
      }
    }
    const phoneCell = get('phone');
    const phone = phoneCell.text.trim().replace(/[\s-]/g, '');
    if (phone) {
      if (/^(\+?86)?1\d{10}$/.test(phone)) student.phone = phone.slice(-11);
      else {
        student.phone = phone;
        warn('PHONE_FORMAT', 'phone', phone, `手机号“${phone}”不是 11 位手机号码`);
      }
    }

    problems.push(...rowProblems);
    if (rowProblems.some((p) => p.severity === 'error')) continue;
    if (xuehao) byXuehao.set(xuehao, row);
    if (idCard) byIdCard.set(idCard, row);
    students.push(student);
  }

  return {
    fileName: args.fileName,
    format: args.format,
    encoding: args.encoding,
    sheet: args.sheet,
    headerRow: rows[headerIndex].row,
    columns,
    ignoredColumns,
    students,
    problems,
    rowCount,
  };
}
