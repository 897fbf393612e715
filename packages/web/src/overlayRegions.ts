/**
 * The places the checks found a problem (问题位置), to mark on the photo: every failed or reviewed check
 * that names a region, with its rule's Chinese name and a colour by verdict. Pure.
 */
import { RULES } from '@gradpass/photo/rules';
import type { CheckResult } from './api/types';

export interface ProblemRegion {
  id: string;
  label: string;
  status: 'fail' | 'review';
  x: number;
  y: number;
  width: number;
  height: number;
}

export function problemRegions(checks: CheckResult[] | null | undefined): ProblemRegion[] {
  const out: ProblemRegion[] = [];
  for (const c of checks ?? []) {
    if ((c.status !== 'fail' && c.status !== 'review') || !c.region) continue;
    const label = (RULES as Record<string, { zh: string }>)[c.id]?.zh ?? c.id;
    out.push({ id: c.id, label, status: c.status, ...c.region });
  }
  // Fails drawn last, on top.
  return out.sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? 1 : -1));
}
