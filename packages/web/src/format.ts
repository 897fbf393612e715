/** Pure formatting helpers (no React), shared by pages and tested on their own. */
import { chinaDateTime } from '@gradpass/core/time';
import type { CheckResult } from './api/types';

export type Measure = CheckResult['value'];

/** A measured value or limit as people read it: ranges as a–b, objects as k=v. 测量值显示 */
export function formatMeasure(m: Measure): string {
  if (m === null || m === undefined) return '—';
  if (typeof m === 'boolean') return m ? '是' : '否';
  if (typeof m === 'number') return Number.isInteger(m) ? String(m) : m.toFixed(2);
  if (typeof m === 'string') return m;
  if (Array.isArray(m)) return m.length === 2 ? `${formatMeasure(m[0] as number)}–${formatMeasure(m[1] as number)}` : m.join(', ');
  return Object.entries(m as Record<string, number | string | null>)
    .map(([k, v]) => `${k}=${v === null ? '—' : typeof v === 'number' ? formatMeasure(v) : v}`)
    .join('，');
}

/** Date and minute in Beijing time (北京时间, whatever the browser's zone): `2026-12-01 14:38`. 本地时间 */
export function formatLocalTime(t: string | Date | null | undefined): string {
  if (t === null || t === undefined || t === '') return '—';
  if (typeof t === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  const d = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) return typeof t === 'string' ? t : '—';
  return chinaDateTime(d);
}

/** The calendar day in Beijing time: `2026-12-01` (a plain date stays as it is). 本地日期 */
export function formatLocalDate(t: string | Date | null | undefined): string {
  if (typeof t === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  const s = formatLocalTime(t);
  return s === '—' ? s : s.slice(0, 10);
}
