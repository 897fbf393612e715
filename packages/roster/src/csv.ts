/**
 * Text rosters (CSV 名册): decoding and parsing.
 *
 * Staff save CSV from Excel or WPS in UTF-8 (with or without a BOM), in GBK/GB18030 (Excel's default on a
 * Chinese Windows) or as "Unicode text" (UTF-16LE with a BOM, tab-separated). We detect: a BOM decides;
 * otherwise bytes that are valid UTF-8 are UTF-8, and anything else is GB18030 (a superset of GBK).
 */
import iconv from 'iconv-lite';

/** The encoding a text roster was read with. 文件编码 */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** Decode roster text bytes, detecting the encoding. */
export function decodeText(bytes: Buffer): { text: string; encoding: TextEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: bytes.subarray(2).toString('utf16le'), encoding: 'utf-16le' };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text, encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

/** One parsed CSV record with the (1-based) line number it starts on, as a text editor or Excel shows it. */
export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Pick the delimiter from the first non-empty line: tab, comma, semicolon or the Chinese comma. */
export function detectDelimiter(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const candidates = ['\t', ',', ';', '，'];
  let best = ',';
  let bestCount = 0;
  for (const c of candidates) {
    const n = first.split(c).length - 1;
    if (n > bestCount) {
      best = c;
      bestCount = n;
    }
  }
  return best;
}

/** Parse CSV text (RFC 4180 quoting, any line ending). Empty records are dropped but keep numbering. */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const pushRecord = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) out.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      inQuotes = true;
      cell = '';
      i++;
      continue;
    }
    if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      pushRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      recordLine = line;
      continue;
    }
    cell += ch;
    i++;
  }
  if (cell !== '' || cells.length > 0) pushRecord();
  return out;
}
