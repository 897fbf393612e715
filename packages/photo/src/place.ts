/**
 * Where a check found its evidence (问题位置): the box around the points, worded for the message
 * ("（约 x 190–250，y 60–90）", the photo's own pixels) and as the result's `region` for the overlay.
 */
import type { CheckResult, Region } from './types.js';

export interface Place {
  /** The box in words for the message, or '' when there are no points. */
  text: string;
  region: Region | null;
}

export function placeOf(points: readonly (readonly [number, number] | readonly number[])[]): Place {
  if (!points.length) return { text: '', region: null };
  const xs = points.map((p) => p[0]),
    ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)].map(Math.round);
  return { text: `（约 x ${x0}–${x1}，y ${y0}–${y1}）`, region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
}

/** The result with the place's region (a result that passed names no place). */
export function placed(r: CheckResult, place: Place): CheckResult {
  return place.region && r.status !== 'pass' ? { ...r, region: place.region } : r;
}
