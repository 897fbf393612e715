/**
 * Matching photos to students (照片与学生匹配): by the file name's stem (学号 or 身份证号), then the
 * cross-checks a centre needs before import — the same file under two students, near-identical pictures,
 * and the same face under two different students.
 */
import path from 'node:path';
import { identify, parseIdCard } from '@gradpass/ids';
import type { CheckStatus, Measure, RawImage } from '@gradpass/photo';
import { decodeRaw, hammingDistance, pictureHashes, sha256 } from './imaging.js';
import { loadFaceMatcher, type FaceMatcher } from './face.js';
import type { Roster, Student } from './roster.js';
import { DEFAULT_THRESHOLDS, type MatchThresholds } from './thresholds.js';

/** A photo to match: bytes in memory or a reader (e.g. a batch source item). 待匹配照片 */
export interface PhotoInput {
  /** Display name (path, or `archive.zip!/entry.jpg`). */
  name: string;
  /** Base file name, e.g. `1837001400123.jpg`. */
  fileName: string;
  bytes?: Buffer;
  read?: () => Promise<Buffer>;
}

/** Read a photo input's bytes. */
export async function readPhoto(p: PhotoInput): Promise<Buffer> {
  if (p.bytes) return p.bytes;
  if (p.read) return p.read();
  throw new Error(`照片“${p.name}”没有内容`);
}

/** What was learnt about one readable photo. 照片指纹 */
export interface PhotoFacts {
  name: string;
  fileName: string;
  size: number;
  sha256: string;
  phash: string;
  dhash: string;
  /** Set when the file name is a copy (e.g. `…(1).jpg`, `… - 副本.jpg`). */
  copyOf?: string;
  /** The input, to read the bytes again (export, reference comparison). */
  input: PhotoInput;
}

/** How a photo was tied to a student. */
export type MatchKey = 'xuehao' | 'idcard';

/** A photo tied to a student. 已匹配 */
export interface MatchedPhoto {
  student: Student;
  photo: PhotoFacts;
  by: MatchKey;
  /** Notes about the file name (copy suffix, extra text around the identifier). */
  notes: { code: string; message: string }[];
}

/** A photo that belongs to no student. 无对应学生的照片 */
export interface UnmatchedPhoto {
  photo: PhotoFacts;
  /** `NAME_NOT_ID` (stem is no identifier), `IDCARD_*` (bad 身份证号 in the name), `NOT_IN_ROSTER`. */
  code: string;
  message: string;
}

/** A photo that could not be read or decoded. 无法读取 */
export interface UnreadablePhoto {
  name: string;
  fileName: string;
  code: string;
  message: string;
}

/** One photo under one student, as the cross-checks name it. */
export interface StudentPhoto {
  student: Student;
  photo: PhotoFacts;
}

/** The face comparison's state for the whole run. */
export interface FaceCheckState {
  status: 'done' | 'unavailable' | 'off';
  code?: string;
  message: string;
  /** Photos on which no single face was found (`NO_FACE`) or the model failed. */
  failures: { photo: PhotoFacts; student: Student; code: string; message: string }[];
}

/** Everything `matchPhotos` found (匹配结果). */
export interface MatchResult {
  /** Every photo tied to a student (a student may have several: see `multiple`). */
  matched: MatchedPhoto[];
  /** Students without a photo. 缺照片 */
  missing: Student[];
  /** Photos without a student. 多余照片 */
  unmatched: UnmatchedPhoto[];
  unreadable: UnreadablePhoto[];
  /** Students with more than one photo (e.g. `学号.jpg` and `学号(1).jpg`). 一人多照 */
  multiple: { student: Student; photos: PhotoFacts[] }[];
  /** The very same file (SHA-256) under different students. 同一文件 */
  sameFile: { sha256: string; entries: StudentPhoto[] }[];
  /** Near-identical pictures (pHash) under different students, not already the same file. 近似重复 */
  nearDuplicates: { a: StudentPhoto; b: StudentPhoto; distance: number }[];
  /** The same face under different students. 同一人脸 */
  sameFace: { a: StudentPhoto; b: StudentPhoto; similarity: number; status: 'fail' | 'review' }[];
  face: FaceCheckState;
  thresholds: MatchThresholds;
}

export interface MatchOptions {
  /** Compare faces across students (loads the face models). Default true. */
  face?: boolean;
  /** A face matcher to use instead of the photo engine's (tests, or an already loaded one). */
  faceMatcher?: FaceMatcher;
  thresholds?: Partial<MatchThresholds>;
  /** Called after each photo is read and fingerprinted. */
  onProgress?: (done: number, total: number | undefined, name: string) => void;
}

const COPY_SUFFIX = /^(.*?)(\s*[(（]\s*\d{1,3}\s*[)）]|\s*-\s*副本(\s*[(（]\d{1,3}[)）])?|\s*-\s*copy(\s*[(（]?\d{1,3}[)）]?)?|\s+copy)$/i;
const ID_TOKEN = /(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15}|\d{13})(?![0-9A-Za-z])/g;

/** What a photo's file name says about whose photo it is. 文件名解析 */
export interface StemInfo {
  stem: string;
  /** The identifier found, normalised (upper-case X), or null. */
  id: string | null;
  kind: 'xuehao' | 'idcard' | null;
  /** The copy suffix, e.g. `(1)` or ` - 副本`, when present. */
  copySuffix: string | null;
  /** True when the identifier was found inside other text (e.g. `张三_1837001400123`). */
  embedded: boolean;
  /** When the stem looks like a 身份证号 but is not valid: the problem. */
  problem?: { code: string; message: string };
}

/** Read a photo's file name: `1837001400123.jpg`, `11010519491231002x.JPG`, `…(1).jpg`, `张三_…`. */
export function parsePhotoName(fileName: string): StemInfo {
  const base = path.basename(fileName.replace(/\\/g, '/'));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  let core = stem.trim();
  let copySuffix: string | null = null;
  const cm = COPY_SUFFIX.exec(core);
  if (cm && cm[1].trim() !== '') {
    copySuffix = cm[2].trim();
    core = cm[1].trim();
  }
  const direct = identify(core);
  if (direct.kind !== 'unknown') return { stem, id: direct.value, kind: direct.kind, copySuffix, embedded: false };
  if (/^\d{17}[\dXx]$/.test(core)) {
    const p = parseIdCard(core);
    if (!p.ok) return { stem, id: null, kind: null, copySuffix, embedded: false, problem: { code: p.problem.code, message: `文件名${p.problem.message}` } };
  }
  const tokens = [...core.matchAll(ID_TOKEN)].map((m) => identify(m[1])).filter((t) => t.kind !== 'unknown');
  if (tokens.length === 1) return { stem, id: tokens[0].value, kind: tokens[0].kind as MatchKey, copySuffix, embedded: true };
  return { stem, id: null, kind: null, copySuffix, embedded: false };
}

/**
 * Match photos to a roster's students by file name, then cross-check them (匹配照片). Never throws on a bad
 * photo: unreadable files are listed in `unreadable`.
 */
export async function matchPhotos(roster: Pick<Roster, 'students'>, photos: Iterable<PhotoInput> | AsyncIterable<PhotoInput>, opts: MatchOptions = {}): Promise<MatchResult> {
  const thresholds: MatchThresholds = {
    phash: opts.thresholds?.phash ?? DEFAULT_THRESHOLDS.phash,
    ssim: opts.thresholds?.ssim ?? DEFAULT_THRESHOLDS.ssim,
    face: opts.thresholds?.face ?? DEFAULT_THRESHOLDS.face,
  };
  const byXuehao = new Map<string, Student>();
  const byIdCard = new Map<string, Student>();
  for (const s of roster.students) {
    if (s.xuehao) byXuehao.set(s.xuehao, s);
    if (s.idCard) byIdCard.set(s.idCard.toUpperCase(), s);
  }
  const total = Array.isArray(photos) ? photos.length : undefined;

  const matched: MatchedPhoto[] = [];
  const unmatched: UnmatchedPhoto[] = [];
  const unreadable: UnreadablePhoto[] = [];
  const faceWanted = opts.face !== false;
  let matcher: FaceMatcher | null = null;
  const face: FaceCheckState = { status: faceWanted ? 'done' : 'off', message: faceWanted ? '已比对人脸' : '未比对人脸（已关闭）', failures: [] };
  if (faceWanted) {
    try {
      matcher = opts.faceMatcher ?? (await loadFaceMatcher());
    } catch (e) {
      face.status = 'unavailable';
      face.code = 'FACE_UNAVAILABLE';
      face.message = `人脸模块不可用，未能检查“同一人脸用于不同学生”，请人工核对：${(e as Error).message}`;
    }
  }
  const embeddings = new Map<MatchedPhoto, Float32Array>();

  let done = 0;
  for await (const input of photos as AsyncIterable<PhotoInput>) {
    let bytes: Buffer;
    try {
      bytes = await readPhoto(input);
    } catch (e) {
      const err = e as { code?: string; message: string };
      unreadable.push({ name: input.name, fileName: input.fileName, code: err.code ?? 'READ_FAILED', message: `无法读取：${err.message}` });
      opts.onProgress?.(++done, total, input.name);
      continue;
    }
    let facts: PhotoFacts;
    try {
      const h = await pictureHashes(bytes);
      facts = { name: input.name, fileName: input.fileName, size: bytes.length, sha256: sha256(bytes), phash: h.phash, dhash: h.dhash, input };
    } catch (e) {
      unreadable.push({ name: input.name, fileName: input.fileName, code: 'DECODE_FAILED', message: `不是可识别的图片：${(e as Error).message}` });
      opts.onProgress?.(++done, total, input.name);
      continue;
    }
    const info = parsePhotoName(input.fileName);
    if (info.copySuffix) facts.copyOf = info.copySuffix;
    const student = info.id ? (info.kind === 'xuehao' ? byXuehao.get(info.id) : byIdCard.get(info.id)) : undefined;
    if (!info.id) {
      if (info.problem) unmatched.push({ photo: facts, code: info.problem.code, message: info.problem.message });
      else unmatched.push({ photo: facts, code: 'NAME_NOT_ID', message: `文件名“${input.fileName}”不是学号或身份证号，无法对应到学生` });
    } else if (!student) {
      unmatched.push({ photo: facts, code: 'NOT_IN_ROSTER', message: `文件名中的${info.kind === 'xuehao' ? '学号' : '身份证号'} ${info.id} 不在名册中` });
    } else {
      const notes: MatchedPhoto['notes'] = [];
      if (info.copySuffix) notes.push({ code: 'COPY_NAME', message: `文件名带有副本标记“${info.copySuffix}”，可能是重复下载的照片` });
      if (info.embedded) notes.push({ code: 'NAME_EXTRA_TEXT', message: `文件名“${info.stem}”中除${info.kind === 'xuehao' ? '学号' : '身份证号'}外还有其他文字，导出时将重新命名` });
      const m: MatchedPhoto = { student, photo: facts, by: info.kind as MatchKey, notes };
      matched.push(m);
      if (matcher) {
        try {
          const img: RawImage = await decodeRaw(bytes);
          const emb = await matcher.embed(img);
          if (emb) embeddings.set(m, emb);
          else face.failures.push({ photo: facts, student, code: 'NO_FACE', message: '未检测到唯一的人脸，无法比对是否与其他学生为同一人' });
        } catch (e) {
          const err = e as { code?: string; message: string };
          if (err.code === 'FACE_UNAVAILABLE') {
            matcher = null;
            face.status = 'unavailable';
            face.code = 'FACE_UNAVAILABLE';
            face.message = `人脸模块不可用，未能检查“同一人脸用于不同学生”，请人工核对：${err.message}`;
            embeddings.clear();
            face.failures = [];
          } else {
            face.failures.push({ photo: facts, student, code: 'FACE_FAILED', message: `人脸分析失败：${err.message}` });
          }
        }
      }
    }
    opts.onProgress?.(++done, total, input.name);
  }

  // Students with no photo / several photos.
  const perStudent = new Map<Student, MatchedPhoto[]>();
  for (const m of matched) {
    const list = perStudent.get(m.student) ?? [];
    list.push(m);
    perStudent.set(m.student, list);
  }
  const missing = roster.students.filter((s) => !perStudent.has(s));
  const multiple = [...perStudent.entries()].filter(([, l]) => l.length > 1).map(([student, l]) => ({ student, photos: l.map((m) => m.photo) }));

  // The same file under different students.
  const bySha = new Map<string, MatchedPhoto[]>();
  for (const m of matched) {
    const list = bySha.get(m.photo.sha256) ?? [];
    list.push(m);
    bySha.set(m.photo.sha256, list);
  }
  const sameFile: MatchResult['sameFile'] = [];
  for (const [hash, list] of bySha) {
    if (new Set(list.map((m) => m.student)).size > 1) sameFile.push({ sha256: hash, entries: list.map((m) => ({ student: m.student, photo: m.photo })) });
  }

  // Pairwise checks across different students (n² over matched photos; fingerprints are tiny).
  const nearDuplicates: MatchResult['nearDuplicates'] = [];
  const sameFace: MatchResult['sameFace'] = [];
  for (let i = 0; i < matched.length; i++) {
    for (let j = i + 1; j < matched.length; j++) {
      const a = matched[i];
      const b = matched[j];
      if (a.student === b.student) continue;
      // The very same file is reported once, as such; a near-identical picture is also compared by face.
      if (a.photo.sha256 === b.photo.sha256) continue;
      const d = hammingDistance(a.photo.phash, b.photo.phash);
      if (d <= thresholds.phash) nearDuplicates.push({ a: { student: a.student, photo: a.photo }, b: { student: b.student, photo: b.photo }, distance: d });
      const ea = embeddings.get(a);
      const eb = embeddings.get(b);
      if (matcher && ea && eb) {
        const s = await matcher.similarity(ea, eb);
        if (s >= thresholds.face.review) {
          sameFace.push({ a: { student: a.student, photo: a.photo }, b: { student: b.student, photo: b.photo }, similarity: s, status: s >= thresholds.face.match ? 'fail' : 'review' });
        }
      }
    }
  }
  return { matched, missing, unmatched, unreadable, multiple, sameFile, nearDuplicates, sameFace, face, thresholds };
}

// ---------------------------------------------------------------------------------------------------
// Per-student view (one JSON line per student, like `gradpass check`)

/** One finding about a student's photo. 检查项 */
export interface StudentCheck {
  /** Stable id, e.g. `photo.present`, `photo.same-file`. */
  id: string;
  status: CheckStatus;
  /** Stable English code on fail/review, e.g. `PHOTO_MISSING`. */
  code?: string;
  value?: Measure;
  message: string;
}

/** One line of the per-student report. */
export interface StudentLine {
  student: { row: number; xuehao: string; idCard: string | null; name: string };
  /** Photo files tied to the student (display names). */
  photos: string[];
  status: 'pass' | 'fail' | 'review';
  checks: StudentCheck[];
}

/** One line for a photo that belongs to no student (or could not be read). */
export interface OrphanLine {
  photo: string;
  status: 'fail';
  checks: StudentCheck[];
}

function worst(checks: StudentCheck[]): 'pass' | 'fail' | 'review' {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'review')) return 'review';
  return 'pass';
}

export function studentRef(s: Student): StudentLine['student'] {
  return { row: s.row, xuehao: s.xuehao, idCard: s.idCard, name: s.name };
}

function who(s: Student): string {
  return `${s.name}（${s.xuehao}）`;
}

/** Turn a match result into one line per student (roster order), then one per orphan photo. */
export function matchLines(roster: Pick<Roster, 'students'>, result: MatchResult): { students: StudentLine[]; orphans: OrphanLine[] } {
  const checks = new Map<Student, StudentCheck[]>();
  const photos = new Map<Student, string[]>();
  for (const s of roster.students) {
    checks.set(s, []);
    photos.set(s, []);
  }
  const add = (s: Student, c: StudentCheck) => checks.get(s)?.push(c);
  for (const m of result.matched) {
    photos.get(m.student)?.push(m.photo.name);
    for (const n of m.notes) add(m.student, { id: 'photo.name', status: n.code === 'COPY_NAME' ? 'review' : 'pass', code: n.code, message: `${m.photo.name}：${n.message}` });
  }
  for (const s of result.missing) add(s, { id: 'photo.present', status: 'fail', code: 'PHOTO_MISSING', message: '没有找到该学生的照片（文件名应为学号或身份证号）' });
  for (const s of roster.students) {
    const n = photos.get(s)?.length ?? 0;
    if (n === 1) add(s, { id: 'photo.present', status: 'pass', message: '已找到照片' });
  }
  for (const m of result.multiple) {
    add(m.student, { id: 'photo.present', status: 'review', code: 'PHOTO_MULTIPLE', value: m.photos.length, message: `该学生有 ${m.photos.length} 张照片：${m.photos.map((p) => p.name).join('、')}，请确认使用哪一张` });
  }
  for (const g of result.sameFile) {
    for (const e of g.entries) {
      const others = g.entries.filter((o) => o.student !== e.student).map((o) => `${who(o.student)} 的 ${o.photo.name}`);
      add(e.student, { id: 'photo.same-file', status: 'fail', code: 'SAME_FILE', value: g.sha256.slice(0, 16), message: `照片 ${e.photo.name} 与 ${others.join('、')} 是同一个文件` });
    }
  }
  for (const d of result.nearDuplicates) {
    for (const [x, y] of [[d.a, d.b], [d.b, d.a]] as const) {
      add(x.student, { id: 'photo.near-duplicate', status: 'fail', code: 'NEAR_DUPLICATE', value: d.distance, message: `照片 ${x.photo.name} 与 ${who(y.student)} 的 ${y.photo.name} 几乎相同（感知哈希相差 ${d.distance} 位，阈值 ${result.thresholds.phash}）` });
    }
  }
  for (const f of result.sameFace) {
    for (const [x, y] of [[f.a, f.b], [f.b, f.a]] as const) {
      add(x.student, {
        id: 'photo.same-face',
        status: f.status,
        code: 'SAME_FACE',
        value: Number(f.similarity.toFixed(3)),
        message: `照片 ${x.photo.name} 与 ${who(y.student)} 的 ${y.photo.name} ${f.status === 'fail' ? '是同一人' : '可能是同一人'}（人脸相似度 ${f.similarity.toFixed(3)}，阈值 ${result.thresholds.face.match}）`,
      });
    }
  }
  for (const f of result.face.failures) add(f.student, { id: 'photo.face', status: 'review', code: f.code, message: `${f.photo.name}：${f.message}` });
  if (result.face.status === 'unavailable') {
    for (const s of roster.students) if ((photos.get(s)?.length ?? 0) > 0) add(s, { id: 'photo.same-face', status: 'review', code: 'FACE_UNAVAILABLE', message: result.face.message });
  }
  const students: StudentLine[] = roster.students.map((s) => {
    const c = checks.get(s) ?? [];
    return { student: studentRef(s), photos: photos.get(s) ?? [], status: worst(c), checks: c };
  });
  const orphans: OrphanLine[] = [
    ...result.unmatched.map((u) => ({ photo: u.photo.name, status: 'fail' as const, checks: [{ id: 'photo.student', status: 'fail' as const, code: u.code, message: u.message }] })),
    ...result.unreadable.map((u) => ({ photo: u.name, status: 'fail' as const, checks: [{ id: 'photo.readable', status: 'fail' as const, code: u.code, message: u.message }] })),
  ];
  return { students, orphans };
}
