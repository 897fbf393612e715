/** Pure formatting helpers (no React), shared by pages and tested on their own. */
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

