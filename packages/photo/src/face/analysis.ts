/**
 * One analysis pass per photo (单次分析，OFIQ 模式): detection, mesh landmarks, iris (pupil centres),
 * head pose and person segmentation are computed once here and shared by every check.
 */
import type { FaceGeometry, RawImage } from '../types.js';
import { rgbToLab, type Lab } from './colour.js';
import type { DetectedFace, PersonMask } from './engine.js';
import { pupilLineAngle, type Point } from './geometry.js';

/** MediaPipe face-mesh indices used by the checks. */
export const MESH = {
  noseTip: 1,
  chin: 152,
  foreheadTop: 10,
  cheekEdgeLeft: 234, // face contour, left as seen
  cheekEdgeRight: 454,
  cheekLeft: 205, // cheek centres (left / right as seen)
  cheekRight: 425,
  forehead: 151,
  irisA: 468,
  irisB: 473,
  // eye lids: the eye left as seen (subject's right) and right as seen
  eyeL: { upper: 159, lower: 145, outer: 33, inner: 133 },
  eyeR: { upper: 386, lower: 374, outer: 263, inner: 362 },
  lipInnerTop: 13,
  lipInnerBottom: 14,
  mouthLeft: 61,
  mouthRight: 291,
  lipsUpperInner: [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308],
  lipsLowerInner: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308],
  noseBottom: 2,
} as const;

/** Minimum detector score for a face to count. */
export const FACE_SCORE = 0.5;

export interface FaceAnalysis {
  img: RawImage;
  /** Faces that count (score ≥ FACE_SCORE), largest first. */
  faces: DetectedFace[];
  face: DetectedFace | null;
  mask: PersonMask | null;
  geometry: FaceGeometry | null;
  /** Inter-pupil distance, px. */
  ipd: number;
  /** Head-top measurement details. */
  headTop: { y: number; method: 'mask+colour' | 'mask' | 'colour' | 'none'; touchesTop: boolean };
  /** Background pixel indices (person excluded with a safety margin), on a 2-px grid. */
  background: Uint32Array;
  /** Memoised helpers. */
  cache: Map<string, unknown>;
}

/** The most recent closure given to `memo` for each key (see there). */
const LAST_MEASURE = new Map<string, () => unknown>();

/**
 * The value of `f` for this analysis, computed once (`a.cache`). The most recent `f` of each key is kept
 * alive until the next photo's replaces it: V8 drops a function's optimised code at a full GC when none
 * of its closures is alive, so a measure written as a closure would otherwise start cold (interpreted,
 * allocating) after every full GC — every 4–5 photos of the models' own allocations; on the London bench
 * the headwear rule then took 100–180 ms instead of 10–20. Keeps one closure (and the analysis it saw)
 * per key.
 */
export function memo<T>(a: FaceAnalysis, key: string, f: () => T): T {
  if (!a.cache.has(key)) {
    LAST_MEASURE.set(key, f);
    a.cache.set(key, f());
  }
  return a.cache.get(key) as T;
}

export function pt(face: DetectedFace, i: number): Point {
  const p = face.mesh[i];
  return [p[0], p[1]];
}

export function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Pupil centres, left then right as seen (image-refined when the analysis has refined them). */
export function pupils(face: DetectedFace): [Point, Point] {
  if (face.pupils) return face.pupils;
  const a = pt(face, MESH.irisA), b = pt(face, MESH.irisB);
  return a[0] <= b[0] ? [a, b] : [b, a];
}

/**
 * Refine one iris centre on the image (瞳孔定位): the model's iris can sit a few pixels off towards a
 * corner. Search around it for the dark disc of the iris radius flanked left and right by brighter
 * sclera; keep the model's point when the image gives no clear answer.
 */
export function refineIris(img: RawImage, centre: Point, ring: Point[]): Point {
  const R = ring.reduce((s, p) => s + dist(p, centre), 0) / (ring.length || 1);
  if (!(R >= 2.5)) return centre;
  const W = img.width, H = img.height, d = img.data;
  const grey = (x: number, y: number) => {
    const xi = Math.max(0, Math.min(W - 1, Math.round(x))), yi = Math.max(0, Math.min(H - 1, Math.round(y)));
    const p = (yi * W + xi) * 3;
    return 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
  };
  // Sample offsets once: the disc (0.75 R) and the sclera sectors left/right (1.15–1.6 R, ±30°).
  const step = Math.max(1, R / 8);
  const disc: Point[] = [], sides: Point[] = [];
  for (let dy = -1.6 * R; dy <= 1.6 * R; dy += step) {
    for (let dx = -1.6 * R; dx <= 1.6 * R; dx += step) {
      const r = Math.hypot(dx, dy);
      if (r <= 0.75 * R) disc.push([dx, dy]);
      else if (r >= 1.15 * R && r <= 1.6 * R && Math.abs(dy) <= Math.abs(dx) * 0.58) sides.push([dx, dy]);
    }
  }
  const score = (cx: number, cy: number) => {
    let sd = 0;
    for (const [dx, dy] of disc) sd += Math.min(grey(cx + dx, cy + dy), 160); // clip catch-lights
    let ss = 0;
    for (const [dx, dy] of sides) ss += grey(cx + dx, cy + dy);
    return ss / sides.length - sd / disc.length;
  };
  const base = score(centre[0], centre[1]);
  let best = base, bx = centre[0];
  const by = centre[1];
  // Horizontal search only: the model's vertical position is good (eval: searching vertically too pulls
  // the centre towards the dark upper lid), its horizontal one can be off by up to ~8 % of the IPD.
  const span = 0.8 * R, st = Math.max(0.5, R / 10);
  for (let ox = -span; ox <= span; ox += st) {
    const s = score(centre[0] + ox, centre[1]);
    if (s > best) { best = s; bx = centre[0] + ox; }
  }
  // Only move when the image clearly prefers the new centre.
  return best > base + 4 ? [bx, by] : centre;
}

/** Set `face.pupils` to the image-refined iris centres (left, right as seen). */
export function refinePupils(img: RawImage, face: DetectedFace): void {
  const ring = (start: number) => [1, 2, 3, 4].map((k) => pt(face, start + k));
  const a = refineIris(img, pt(face, MESH.irisA), ring(MESH.irisA));
  const b = refineIris(img, pt(face, MESH.irisB), ring(MESH.irisB));
  face.pupils = a[0] <= b[0] ? [a, b] : [b, a];
}

/** Cheek-to-cheek width along the pupil line (rotation-invariant). */
export function faceWidthOf(face: DetectedFace): number {
  const [l, r] = pupils(face);
  const ux = r[0] - l[0], uy = r[1] - l[1];
  const n = Math.hypot(ux, uy) || 1;
  const a = pt(face, MESH.cheekEdgeLeft), b = pt(face, MESH.cheekEdgeRight);
  return Math.abs(((b[0] - a[0]) * ux + (b[1] - a[1]) * uy) / n);
}

function labAt(img: RawImage, x: number, y: number): Lab {
  const p = (y * img.width + x) * 3;
  return rgbToLab(img.data[p], img.data[p + 1], img.data[p + 2]);
}

/**
 * Top of the hair (头顶): the person mask's top edge above the face, refined to the first rows that
 * differ in colour from the background just above. Not the mesh forehead (hair is above it).
 */
export function findHeadTop(img: RawImage, mask: PersonMask | null, face: DetectedFace): FaceAnalysis['headTop'] {
  const nose = pt(face, MESH.noseTip);
  const fw = faceWidthOf(face);
  const [l, r] = pupils(face);
  const eyeY = Math.round((l[1] + r[1]) / 2);
  const x0 = Math.max(0, Math.round(nose[0] - 0.3 * fw)), x1 = Math.min(img.width - 1, Math.round(nose[0] + 0.3 * fw));
  const forehead = Math.max(0, Math.round(pt(face, MESH.foreheadTop)[1]));
  if (x1 <= x0) return { y: forehead, method: 'none', touchesTop: forehead <= 0 };
  let maskTop = -1;
  if (mask) {
    const tops: number[] = [];
    for (let x = x0; x <= x1; x++) {
      let top = -1;
      for (let y = 0; y < eyeY; y++) {
        const i = y * mask.width + x;
        if (mask.alpha[i] >= 128 && (y + 2 >= mask.height || mask.alpha[i + 2 * mask.width] >= 128)) { top = y; break; }
      }
      if (top >= 0) tops.push(top);
    }
    if (tops.length > (x1 - x0) * 0.3) {
      tops.sort((a, b) => a - b);
      maskTop = tops[Math.floor(tops.length * 0.1)];
    }
  }
  const start = maskTop >= 0 ? maskTop : forehead;
  // Background colour just above the head: pixels of the rows above `start` outside the person.
  const bgRows = Math.max(0, start - 6);
  let refined = -1;
  if (bgRows >= 4) {
    const samples: Lab[] = [];
    for (let y = 0; y < bgRows; y += 2) {
      for (let x = x0; x <= x1; x += 3) {
        if (!mask || mask.alpha[y * mask.width + x] < 60) samples.push(labAt(img, x, y));
      }
    }
    if (samples.length >= 20) {
      const med = (k: 0 | 1 | 2) => samples.map((s) => s[k]).sort((a, b) => a - b)[samples.length >> 1];
      const bg: Lab = [med(0), med(1), med(2)];
      const lo = Math.max(0, start - 15), hi = Math.min(eyeY, start + 12);
      const cols = x1 - x0 + 1;
      for (let y = lo; y <= hi && refined < 0; y++) {
        let diff = 0;
        for (let x = x0; x <= x1; x++) {
          const c = labAt(img, x, y);
          if (Math.hypot(c[0] - bg[0], c[1] - bg[1], c[2] - bg[2]) > 12) diff++;
        }
        if (diff >= cols * 0.12) refined = y;
      }
    }
  }
  const y = refined >= 0 ? refined : start;
  const method = maskTop >= 0 ? (refined >= 0 ? 'mask+colour' : 'mask') : refined >= 0 ? 'colour' : 'none';
  return { y, method, touchesTop: y <= 0 || maskTop === 0 };
}

/** Background pixels: outside the person mask by a margin, sampled on a 2-px grid. */
function backgroundPixels(img: RawImage, mask: PersonMask | null, face: DetectedFace | null): Uint32Array {
  const W = img.width, H = img.height;
  const out = new Uint32Array(Math.ceil(W / 2) * Math.ceil(H / 2));
  let n = 0;
  const m = 8;
  const fw = face ? faceWidthOf(face) : 0;
  const nose = face ? pt(face, MESH.noseTip) : [0, 0];
  for (let y = 0; y < H; y += 2) {
    for (let x = 0; x < W; x += 2) {
      let bg: boolean;
      if (mask) {
        const a = mask.alpha;
        bg = a[y * W + x] < 25 && a[y * W + Math.max(0, x - m)] < 25 && a[y * W + Math.min(W - 1, x + m)] < 25 && a[Math.max(0, y - m) * W + x] < 25 && a[Math.min(H - 1, y + m) * W + x] < 25;
      } else if (face) {
        // Without a mask: only the top corners beside the head.
        bg = y < nose[1] && Math.abs(x - nose[0]) > fw * 0.9;
      } else bg = false;
      if (bg) out[n++] = y * W + x;
    }
  }
  return out.slice(0, n);
}

/**
 * Face width (px) at which the mesh's depth unit equals one image pixel for the pitch estimate. Human
 * returns mesh z in the units of its 192-px model crop, NOT scaled with the face like x and y, so a
 * raw-z angle shrinks as the face grows in pixels; z is rescaled by faceWidth / PITCH_REF_FACE_WIDTH
 * so the pitch no longer depends on the resolution, and equals the former raw-z convention at the
 * middle face width of the graduation frame (the scale the check's 5° limit and margin were set on).
 */
export const PITCH_REF_FACE_WIDTH = 240;

/**
 * Pitch of the fitted face plane on the 59 frontal London portraits fixed to the graduation frame
 * (mean −1.63°): the least-squares plane through the mesh leans back a little on an upright face, so
 * this offset is removed to make 0° mean "looking straight ahead".
 */
export const PITCH_PLANE_OFFSET = -1.63;

/**
 * Head pitch (俯仰) from the whole mesh: the least-squares plane z = a·x + b·y + c through all 468
 * face-mesh points (depth rescaled, see PITCH_REF_FACE_WIDTH), pitch = atan(b) − offset. Positive =
 * chin down (低头). Averaging over the whole face is less dependent on one person's forehead slope or
 * chin than the forehead-to-chin line (10→152) used before: on the 59 frontal London portraits in the
 * graduation frame sd 1.8° and max |pitch| 4.2° (was sd 2.6°, max 6.6°, 6 of 59 above 5°).
 */
export function meshPitch(face: DetectedFace): number {
  const m = face.mesh, n = Math.min(468, m.length);
  if (n < 3) return 0;
  const k = faceWidthOf(face) / PITCH_REF_FACE_WIDTH;
  // Normal equations of z = a x + b y + c, centred for conditioning.
  let mx = 0, my = 0, mz = 0;
  for (let i = 0; i < n; i++) { mx += m[i][0]; my += m[i][1]; mz += m[i][2] * k; }
  mx /= n; my /= n; mz /= n;
  let sxx = 0, sxy = 0, syy = 0, sxz = 0, syz = 0;
  for (let i = 0; i < n; i++) {
    const x = m[i][0] - mx, y = m[i][1] - my, z = m[i][2] * k - mz;
    sxx += x * x; sxy += x * y; syy += y * y; sxz += x * z; syz += y * z;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-9)) return 0;
  const b = (sxx * syz - sxy * sxz) / det;
  return (Math.atan(b) * 180) / Math.PI - PITCH_PLANE_OFFSET;
}

/**
 * Yaw and pitch from the mesh's depth (头部姿态). Yaw: the angle of the cheek-to-cheek line (234→454)
 * out of the picture plane (follows real turns: look-away 37°, profile 62°, where Human reports 26° and
 * 31°; sd 1.2° on the frontal London portraits). Pitch: `meshPitch`, the fitted face plane.
 */
export function meshPose(face: DetectedFace): { yaw: number; pitch: number } {
  const m = face.mesh, d = 180 / Math.PI;
  const a = m[MESH.cheekEdgeLeft], b = m[MESH.cheekEdgeRight];
  return { yaw: Math.atan2(b[2] - a[2], b[0] - a[0]) * d, pitch: meshPitch(face) };
}

/** Build the shared analysis of one photo from the engine's output. */
export function buildAnalysis(img: RawImage, detected: DetectedFace[], mask: PersonMask | null): FaceAnalysis {
  const area = (f: DetectedFace) => f.box[2] * f.box[3];
  const faces = detected.filter((f) => f.score >= FACE_SCORE && f.mesh.length >= 478).sort((a, b) => area(b) - area(a));
  const face = faces[0] ?? null;
  if (face && !face.pupils) refinePupils(img, face);
  let geometry: FaceGeometry | null = null;
  let ipd = 0;
  let headTop: FaceAnalysis['headTop'] = { y: 0, method: 'none', touchesTop: false };
  if (face) {
    const [l, r] = pupils(face);
    ipd = dist(l, r);
    headTop = findHeadTop(img, mask, face);
    geometry = {
      box: [face.box[0], face.box[1], face.box[2], face.box[3]],
      eyes: [l, r],
      noseTip: pt(face, MESH.noseTip),
      headTop: headTop.y,
      faceWidth: faceWidthOf(face),
      pose: { roll: pupilLineAngle(l, r), ...meshPose(face) },
    };
  }
  return { img, faces, face, mask, geometry, ipd, headTop, background: backgroundPixels(img, mask, face), cache: new Map() };
}
