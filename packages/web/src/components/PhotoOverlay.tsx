/**
 * The composition guide of seed 004 drawn over a photo (构图参考线): top band 【顶部最高点】 50–110,
 * eye band 【眼中线】 200–300, the two vertical face-width baselines, the centre line 【画中线】, and the
 * measured points (head top, pupils, nose, cheeks) — red where the matching rule failed — and a box
 * around each place a check found a problem (red: failed, orange: to look at).
 * Figures are on the 480×640 frame and scaled to the photo's own size; geometry is in photo pixels.
 */
import { useState } from 'react';
import type { CheckResult, FaceGeometry, GeometryLimits } from '../api/types';
import { problemRegions } from '../overlayRegions';

/** The national figures (photo-standard.md §3), used when the server sends no limits. */
export const NATIONAL_LIMITS: GeometryLimits = {
  width: 480,
  height: 640,
  headTop: [50, 110],
  eyeLine: [200, 300],
  faceWidth: [180, 300],
  centreTolerance: 0.05,
};

const OK = '#52c41a';
const BAD = '#ff2a2a';
const WARN = '#faad14';
const GUIDE = '#1677ff';

function colourOf(checks: CheckResult[] | null | undefined, id: string): string {
  const c = checks?.find((x) => x.id === id);
  if (!c) return WARN;
  return c.status === 'pass' ? OK : c.status === 'fail' ? BAD : WARN;
}

export interface PhotoOverlayProps {
  src: string;
  checks?: CheckResult[] | null;
  face?: FaceGeometry | null;
  limits?: GeometryLimits | null;
  /** Display width in CSS px. */
  width?: number;
  /** Draw the guide (default true). */
  overlay?: boolean;
  alt?: string;
}

export function PhotoOverlay({ src, checks, face, limits, width = 240, overlay = true, alt = '照片' }: PhotoOverlayProps) {
  const L = limits ?? NATIONAL_LIMITS;
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const w = size?.w ?? L.width;
  const h = size?.h ?? L.height;
  const sx = w / L.width;
  const sy = h / L.height;
  const cx = w / 2;
  const fontSize = Math.max(14, 24 * sx);
  const stroke = Math.max(1.5, 2 * sx);
  return (
    <div style={{ position: 'relative', width, maxWidth: '100%', aspectRatio: `${w} / ${h}`, background: '#fafafa', border: '1px solid #eee' }} data-testid="photo-overlay">
      {failed ? (
        <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center', color: '#999' }}>照片无法显示</div>
      ) : (
        <img
          src={src}
          alt={alt}
          style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'fill' }}
          onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
          onError={() => setFailed(true)}
        />
      )}
      {overlay && !failed && (
        <svg viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }} data-testid="overlay-svg">
          {/* 顶部最高点 band */}
          <rect x={0} y={L.headTop[0] * sy} width={w} height={(L.headTop[1] - L.headTop[0]) * sy} fill={GUIDE} fillOpacity={0.12} stroke={GUIDE} strokeDasharray="6 4" strokeWidth={stroke / 2} />
          <text x={6 * sx} y={L.headTop[0] * sy - 4 * sy} fill={GUIDE} fontSize={fontSize} style={{ paintOrder: 'stroke' }} stroke="#fff" strokeWidth={3 * sx}>
            顶部最高点 {L.headTop[0]}–{L.headTop[1]}
          </text>
          {/* 眼中线 band */}
          <rect x={0} y={L.eyeLine[0] * sy} width={w} height={(L.eyeLine[1] - L.eyeLine[0]) * sy} fill={GUIDE} fillOpacity={0.1} stroke={GUIDE} strokeDasharray="6 4" strokeWidth={stroke / 2} />
          <text x={6 * sx} y={L.eyeLine[1] * sy + fontSize} fill={GUIDE} fontSize={fontSize} style={{ paintOrder: 'stroke' }} stroke="#fff" strokeWidth={3 * sx}>
            眼中线 {L.eyeLine[0]}–{L.eyeLine[1]}
          </text>
          {/* 画中线 and its tolerance */}
          <rect x={cx - L.centreTolerance * w} y={0} width={2 * L.centreTolerance * w} height={h} fill={GUIDE} fillOpacity={0.06} />
          <line x1={cx} y1={0} x2={cx} y2={h} stroke={GUIDE} strokeWidth={stroke / 2} strokeDasharray="10 6" />
          {/* face-width baselines: outer = max width, inner dashed = min width */}
          {[-1, 1].map((s) => (
            <g key={s}>
              <line x1={cx + (s * L.faceWidth[1] * sx) / 2} y1={0} x2={cx + (s * L.faceWidth[1] * sx) / 2} y2={h} stroke={GUIDE} strokeWidth={stroke} />
              <line x1={cx + (s * L.faceWidth[0] * sx) / 2} y1={0} x2={cx + (s * L.faceWidth[0] * sx) / 2} y2={h} stroke={GUIDE} strokeWidth={stroke / 2} strokeDasharray="3 5" />
            </g>
          ))}
          {face && <Measured face={face} checks={checks} w={w} stroke={stroke} fontSize={fontSize} />}
          {problemRegions(checks).map((r) => (
            <g key={r.id} data-testid="overlay-region" data-rule={r.id} data-status={r.status}>
              <rect x={r.x} y={r.y} width={r.width} height={r.height} fill="none" stroke={r.status === 'fail' ? BAD : WARN} strokeWidth={stroke} strokeDasharray="6 3" />
              <text x={r.x} y={r.y > fontSize ? r.y - 4 : r.y + r.height + fontSize * 0.8} fill={r.status === 'fail' ? BAD : WARN} fontSize={fontSize * 0.75} style={{ paintOrder: 'stroke' }} stroke="#fff" strokeWidth={2}>
                {r.label}
              </text>
            </g>
          ))}
          {!face && (
            <text x={cx} y={h - 12 * sy} textAnchor="middle" fill={WARN} fontSize={fontSize} style={{ paintOrder: 'stroke' }} stroke="#000" strokeWidth={2 * sx}>
              未取得人脸位置（仅显示参考线）
            </text>
          )}
        </svg>
      )}
    </div>
  );
}

function Measured({ face, checks, w, stroke, fontSize }: { face: FaceGeometry; checks?: CheckResult[] | null; w: number; stroke: number; fontSize: number }) {
  const top = colourOf(checks, 'geometry.head-top');
  const eye = colourOf(checks, 'geometry.eye-line');
  const roll = colourOf(checks, 'pose.roll');
  const width = colourOf(checks, 'geometry.face-width');
  const centre = colourOf(checks, 'geometry.centre');
  const [[lx, ly], [rx, ry]] = face.eyes;
  const faceCx = face.box[0] + face.box[2] / 2;
  const half = face.faceWidth / 2;
  const r = Math.max(4, stroke * 2.5);
  return (
    <g data-testid="overlay-measured">
      <line x1={0} y1={face.headTop} x2={w} y2={face.headTop} stroke={top} strokeWidth={stroke} data-rule="geometry.head-top" data-colour={top} />
      <line x1={faceCx - half} y1={face.box[1]} x2={faceCx - half} y2={face.box[1] + face.box[3]} stroke={width} strokeWidth={stroke} data-rule="geometry.face-width" data-colour={width} />
      <line x1={faceCx + half} y1={face.box[1]} x2={faceCx + half} y2={face.box[1] + face.box[3]} stroke={width} strokeWidth={stroke} />
      <line x1={lx} y1={ly} x2={rx} y2={ry} stroke={roll === BAD ? BAD : eye} strokeWidth={stroke} data-rule="geometry.eye-line" data-colour={eye} />
      <circle cx={lx} cy={ly} r={r} fill="none" stroke={eye} strokeWidth={stroke} />
      <circle cx={rx} cy={ry} r={r} fill="none" stroke={eye} strokeWidth={stroke} />
      <path d={`M ${face.noseTip[0] - r * 1.5} ${face.noseTip[1]} L ${face.noseTip[0] + r * 1.5} ${face.noseTip[1]} M ${face.noseTip[0]} ${face.noseTip[1] - r * 1.5} L ${face.noseTip[0]} ${face.noseTip[1] + r * 1.5}`} stroke={centre} strokeWidth={stroke} data-rule="geometry.centre" data-colour={centre} />
      <text x={faceCx + half + 4} y={face.headTop + fontSize} fill={top} fontSize={fontSize * 0.85} style={{ paintOrder: 'stroke' }} stroke="#fff" strokeWidth={2}>
        头顶 {Math.round(face.headTop)}
      </text>
    </g>
  );
}
