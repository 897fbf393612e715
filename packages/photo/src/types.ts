/**
 * The photo engine's public types: profiles, check results, reports.
 *
 * This file is the contract between the engine's parts (technical checks, face analysis, encode-to-size,
 * the worker pool) and its users (the CLI, the roster tools, the server). Change it with care.
 */

/** Every rule the engine knows, as named in photo-standard.md. 规则编号 */
export type RuleId =
  // §2 technical rules (技术规则)
  | 'format.jpeg'
  | 'format.baseline'
  | 'size.pixels'
  | 'size.bytes'
  | 'dpi'
  | 'quality'
  | 'colour'
  | 'border'
  | 'watermark'
  | 'name'
  // §3 composition rules (构图规则)
  | 'face.count'
  | 'geometry.head-top'
  | 'geometry.eye-line'
  | 'geometry.face-width'
  | 'geometry.centre'
  | 'pose.roll'
  | 'pose.yaw'
  | 'pose.pitch'
  | 'expression'
  | 'shoulders'
  // §4 photographic rules (拍摄规则)
  | 'background.colour'
  | 'background.uniform'
  | 'clothing.contrast'
  | 'exposure'
  | 'sharpness'
  | 'glasses'
  | 'headwear'
  | 'hair.eyebrows'
  | 'hair.eyes'
  | 'ears'
  | 'earrings'
  | 'necklace'
  | 'scarf'
  | 'retouch';

/** Outcome of one check. `skip` only where a prerequisite check failed (e.g. no face found). */
export type CheckStatus = 'pass' | 'fail' | 'review' | 'skip';

/** Outcome of a whole photo. `error` when the file could not be processed at all (I/O, unreadable). */
export type Verdict = 'pass' | 'fail' | 'review' | 'error';

/** A measured value or a limit: a number, a [min, max] range, a string, or null when not measured. */
export type Measure = number | string | boolean | null | readonly number[] | { readonly [k: string]: number | string | null };

/** The result of one rule on one photo (检查结果). */
export interface CheckResult {
  /** Stable rule id, e.g. `size.bytes`. */
  id: RuleId;
  status: CheckStatus;
  /** What was measured, in the unit named by the rule (bytes, px, degrees, ΔE…); null when not measured. */
  value: Measure;
  /** The limit from the profile, e.g. [20480, 40960] for size.bytes; null when the rule has no figure. */
  limit: Measure;
  /** Chinese explanation for people, with the number and the limit. 中文说明 */
  message: string;
  /** Chinese hint on how to fix it (only on fail/review). 修改建议 */
  hint?: string;
  /** Stable English code of the problem on fail/review/skip, e.g. `JPEG_PROGRESSIVE`, `BYTES_TOO_LARGE`. */
  code?: string;
  /** Where in the photo the problem is (问题位置), in the photo's own pixels, when the rule found a place. */
  region?: Region;
}

/** A box in the photo's own pixels (x, y of the top-left corner). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Face geometry in the photo's own pixel coordinates (人脸几何). */
export interface FaceGeometry {
  box: [number, number, number, number];
  /** Pupil centres, left then right as seen in the image. */
  eyes: [[number, number], [number, number]];
  noseTip: [number, number];
  /** y of the top of the head (hair included). */
  headTop: number;
  /** Face width cheek to cheek, px. */
  faceWidth: number;
  pose: { roll: number; yaw: number; pitch: number };
}

/** Report on one photo (照片检测报告). Also the shape of one `--json` line. */
export interface PhotoReport {
  /** The file as the user named it (path, or `archive.zip!/entry.jpg`). */
  file: string;
  verdict: Verdict;
  /** Where `fix` wrote the standardised photo. */
  output?: string;
  checks: CheckResult[];
  /** Present when face analysis ran: null when no face was found. */
  face?: FaceGeometry | null;
  /**
   * On a photo not yet in the profile's frame (check): whether `fix --background blue` can make it
   * compliant, or the refusal it would give (e.g. HEAD_CUT_OFF) — the student must be photographed again. 可否修正
   */
  fixable?: { ok: true; message: string } | { ok: false; code: string; message: string };
  /** True when the engine changed the picture's content beyond crop/scale (e.g. background replaced). 已编辑 */
  edited?: boolean;
  /** When verdict is `error` (unreadable input), or a refused `fix` (verdict `fail`, e.g. SOURCE_TOO_SMALL): a stable code and a Chinese message. */
  error?: { code: string; message: string };
}

/** Which identifier a file name must carry (文件命名规则). */
export type FileNaming = 'xuehao' | 'idcard' | 'either' | 'none';

/**
 * A profile (照片规格): the figures one receiving system asks for. Data, never code:
 * shipped profiles live in `profiles/*.json`; users load their own from JSON or YAML.
 */
export interface Profile {
  id: string;
  /** Chinese name shown to people. */
  name: string;
  description?: string;
  width: number;
  height: number;
  /** Byte window, inclusive; null = any size. */
  bytes: { min: number; max: number } | null;
  /** Bytes per KB in messages (1024 unless the receiving system says otherwise). */
  kilobyte?: number;
  /** Required dpi in the JFIF header (and EXIF if present); null = any. */
  dpi: number | null;
  /** Minimum estimated IJG quality factor. */
  minQuality: number;
  /** Accepted file extensions, case-sensitive as listed, e.g. [".jpg", ".JPG"]. */
  extensions: string[];
  fileNaming: FileNaming;
  /** Background reference colour and tolerance (CIELAB ΔE2000); null = not checked. */
  background: { rgb: [number, number, number]; maxDeltaE: number } | null;
  /** Composition limits on the width×height frame. */
  geometry: {
    /** y range of the head top, px from the top edge. */
    headTop: [number, number];
    /** y range of the pupil line, px from the top edge. */
    eyeLine: [number, number];
    /** face width range, px. */
    faceWidth: [number, number];
    /** nose x may differ from the centre line by at most this fraction of the width. */
    centreTolerance: number;
  };
  pose: { maxRoll: number; maxYaw: number; maxPitch: number };
  /**
   * Optional limits of the photographic checks (拍摄规则阈值). Missing fields take the defaults in
   * `DEFAULT_PHOTO_LIMITS` (face/checks.ts), which were calibrated on the London portrait set.
   */
  photo?: Partial<PhotoLimits>;
  /**
   * Largest enlargement `fix` may apply (output px per source px; 最大放大倍数), default 1.5; the output
   * must still pass `sharpness`. 1 = never enlarge.
   */
  maxUpscale?: number;
}

/** Limits of the photographic and expression checks (拍摄规则阈值). */
export interface PhotoLimits {
  /** background.uniform: largest 95th-percentile ΔE76 of background pixels from their median. */
  maxBackgroundSpread: number;
  /** background.uniform: largest ΔE2000 between halves of the background (gradient, shadow). */
  maxBackgroundGradient: number;
  /** clothing.contrast: smallest ΔE2000 between clothing and background. */
  minClothingDeltaE: number;
  /** shoulders: largest shoulder-line tilt, degrees. */
  maxShoulderTilt: number;
  /** exposure: smallest median face lightness L*. */
  minFaceLightness: number;
  /** exposure: smallest 99th-percentile lightness of the whole photo (underexposed photo). */
  minPhotoHighlight: number;
  /** exposure: largest share of blown-out (clipped) face pixels. */
  maxFaceClipped: number;
  /** exposure: largest left/right cheek lightness difference ΔL* (阴阳脸). */
  maxHalfLit: number;
  /** sharpness: smallest normalised high-frequency energy of the eye region. */
  minSharpness: number;
  /** expression: smallest eye opening (lid distance / eye width). */
  minEyeOpening: number;
  /** expression: largest mouth opening (inner lip gap / mouth width). */
  maxMouthOpening: number;
  /** expression: largest share of teeth-like pixels inside the lips. */
  maxTeeth: number;
}

/** Options of one inspection. */
export interface InspectOptions {
  profile: Profile;
  /** The file name as given (used by the `name` and `format.jpeg` extension rules). */
  fileName: string;
  /** Run face and composition analysis (needs the face models). Default true where available. */
  face?: boolean;
  /** Roster look-up for the `name` rule: when given and it returns false, the name fails (不在名册中). */
  isKnownId?: (id: string) => boolean;
}

/** Decoded pixels, sRGB, interleaved, 3 channels (no alpha), top-left origin. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/**
 * How to cut the standard frame out of a source photo (裁剪方案): rotate the source by `angle` degrees
 * about its centre (positive = clockwise, to level the pupils), then cut `crop` from the rotated picture
 * (in rotated-picture pixels; it may not leave the picture), then resize to the profile's width × height.
 */
export interface CropPlan {
  angle: number;
  crop: { left: number; top: number; width: number; height: number };
}

/** A refusal with a stable code and a Chinese message, e.g. `NO_ROOM_ABOVE_HEAD`. */
export interface Refusal {
  code: string;
  message: string;
}
