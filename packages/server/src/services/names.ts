import { invalid } from '../errors.js';

/** Length caps of the names people type (名称长度上限), in characters. */
export const NAME_CAPS = { person: 50, org: 100 } as const;

// Control characters (C0, DEL, C1: NUL, newlines, tabs…) and format characters (bidi embeddings, overrides and
// isolates U+202A–U+202E / U+2066–U+2069, marks U+200E/U+200F/U+061C, zero-width characters, BOM).
const FORBIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** The first forbidden character of a name as U+XXXX, or null. */
export function forbiddenCharIn(value: string): string | null {
  const m = FORBIDDEN.exec(value);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/**
 * The name rule (名称规则) for student names, display names and organisation names: trimmed, not empty, at most
 * `max` characters, no control or text-direction (bidi) characters. Returns the Chinese reason or null.
 */
export function nameProblem(value: string, label: string, max: number): string | null {
  const v = value.trim();
  if (!v) return `${label}不能为空`;
  const bad = forbiddenCharIn(v);
  if (bad) return `${label}含有不允许的控制字符或文字方向控制符（${bad}），请删除后重试`;
  const n = [...v].length;
  if (n > max) return `${label}过长：${n} 个字符，最多 ${max} 个`;
  return null;
}

/** The trimmed name, or a 400 `NAME_INVALID` with the Chinese reason. */
export function checkedName(value: string, label: string, max: number): string {
  const p = nameProblem(value, label, max);
  if (p) throw invalid(p, 'NAME_INVALID');
  return value.trim();
}
