import { parseIdCard } from './idcard.js';
import { isValidXuehao } from './xuehao.js';

/** What a file name or a cell holds: a 学号, a 身份证号, or neither. */
export type Identifier = { kind: 'xuehao'; value: string } | { kind: 'idcard'; value: string } | { kind: 'unknown'; value: string };

/** Classify an identifier, e.g. the stem of a photo file name. 身份证号 wins only with a valid check character. */
export function identify(text: string): Identifier {
  const s = text.trim();
  if (isValidXuehao(s)) return { kind: 'xuehao', value: s };
  const id = parseIdCard(s);
  if (id.ok) return { kind: 'idcard', value: id.info.value };
  return { kind: 'unknown', value: s };
}
