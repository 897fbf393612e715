/**
 * The composition guide overlay (构图辅助线叠加图, seed 004): top-limit band, eye band, the two
 * face-width baselines, the centre line, and the measured points; failing measures in red.
 */
import sharp from 'sharp';
import type { CheckResult, FaceGeometry, Profile, RawImage, RuleId } from '../types.js';

const OK = '#19a34a';
const BAD = '#e02424';
const REVIEW = '#d97706';
const GUIDE = '#1d4ed8';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Build the SVG of the guide for a picture of `width × height` (scaled from the profile frame). */
export function overlaySvg(width: number, height: number, face: FaceGeometry | null, checks: CheckResult[], profile: Profile): string {
  const sx = width / profile.width, sy = height / profile.height;
  const g = profile.geometry;
  const status = (id: RuleId) => checks.find((c) => c.id === id)?.status;
  const colour = (id: RuleId) => (status(id) === 'fail' ? BAD : status(id) === 'review' ? REVIEW : OK);
  const cx = width / 2;
  const fs = Math.max(10, Math.round(13 * Math.min(sx, sy)));
  const parts: string[] = [];
  const band = (y0: number, y1: number, fill: string, label: string) => {
    parts.push(`<rect x="0" y="${y0 * sy}" width="${width}" height="${(y1 - y0) * sy}" fill="${fill}" fill-opacity="0.13" stroke="${fill}" stroke-opacity="0.7" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="4" y="${y0 * sy + fs + 1}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${fill}">${esc(label)}</text>`);
  };
  band(g.headTop[0], g.headTop[1], GUIDE, `顶部最高点 ${g.headTop[0]}–${g.headTop[1]}`);
  band(g.eyeLine[0], g.eyeLine[1], GUIDE, `眼中线 ${g.eyeLine[0]}–${g.eyeLine[1]}`);
  // Face-width baselines: inner pair (minimum width) dashed, outer pair (maximum width) solid.
  for (const [w, dash] of [[g.faceWidth[0], '4 4'], [g.faceWidth[1], '']] as const) {
    for (const sgn of [-1, 1]) {
      const x = cx + (sgn * w * sx) / 2;
      parts.push(`<line x1="${x}" y1="0" x2="${x}" y2="${height}" stroke="${GUIDE}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-opacity="0.8"/>`);
    }
  }
  parts.push(`<text x="${cx + (g.faceWidth[1] * sx) / 2 + 3}" y="${height - 6}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${GUIDE}">脸宽 ${g.faceWidth[0]}–${g.faceWidth[1]}</text>`);
  // Centre line with its tolerance.
  const tol = g.centreTolerance * width;
  parts.push(`<rect x="${cx - tol}" y="0" width="${2 * tol}" height="${height}" fill="${GUIDE}" fill-opacity="0.06"/>`);
  parts.push(`<line x1="${cx}" y1="0" x2="${cx}" y2="${height}" stroke="${GUIDE}" stroke-width="1.5" stroke-dasharray="10 4"/>`);
  parts.push(`<text x="${cx + 3}" y="${height - 6 - fs}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${GUIDE}">画中线</text>`);
  if (face) {
    const [l, r] = face.eyes;
    const ec = colour('geometry.eye-line'), rc = colour('pose.roll');
    parts.push(`<line x1="${l[0]}" y1="${l[1]}" x2="${r[0]}" y2="${r[1]}" stroke="${rc}" stroke-width="1.5"/>`);
    for (const p of [l, r]) parts.push(`<circle cx="${p[0]}" cy="${p[1]}" r="${Math.max(3, 4 * sx)}" fill="none" stroke="${ec}" stroke-width="2"/>`);
    const nc = colour('geometry.centre');
    const [nx, ny] = face.noseTip;
    const k = Math.max(5, 7 * sx);
    parts.push(`<path d="M${nx - k} ${ny} H${nx + k} M${nx} ${ny - k} V${ny + k}" stroke="${nc}" stroke-width="2.5"/>`);
    const hc = colour('geometry.head-top');
    parts.push(`<line x1="${nx - 50 * sx}" y1="${face.headTop}" x2="${nx + 50 * sx}" y2="${face.headTop}" stroke="${hc}" stroke-width="3"/>`);
    parts.push(`<text x="${nx + 52 * sx}" y="${face.headTop + fs / 2}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${hc}">头顶 ${Math.round(face.headTop / sy)}</text>`);
    const wc = colour('geometry.face-width');
    const wy = (l[1] + r[1]) / 2 + (face.noseTip[1] - (l[1] + r[1]) / 2) * 0.5;
    parts.push(`<path d="M${nx - face.faceWidth / 2} ${wy - 6} V${wy + 6} M${nx - face.faceWidth / 2} ${wy} H${nx + face.faceWidth / 2} M${nx + face.faceWidth / 2} ${wy - 6} V${wy + 6}" stroke="${wc}" stroke-width="2" fill="none"/>`);
    parts.push(`<text x="${nx - face.faceWidth / 2}" y="${wy - 8}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${wc}">脸宽 ${Math.round(face.faceWidth / sx)}</text>`);
    parts.push(`<text x="${r[0] + 8}" y="${r[1] - 8}" font-size="${fs}" font-family="Droid Sans Fallback, sans-serif" fill="${ec}">眼 ${Math.round((l[1] + r[1]) / 2 / sy)}</text>`);
  } else {
    parts.push(`<text x="${cx}" y="${height / 2}" text-anchor="middle" font-size="${fs * 1.6}" font-family="Droid Sans Fallback, sans-serif" fill="${BAD}">未检测到人脸</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

/** Render the photo with the guide drawn over it, as PNG bytes (叠加辅助线的检查图). */
export async function renderOverlay(img: RawImage, face: FaceGeometry | null, checks: CheckResult[], profile: Profile): Promise<Buffer> {
  const svg = overlaySvg(img.width, img.height, face, checks, profile);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
