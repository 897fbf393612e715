/**
 * Comparison with reference photos (与学信网/入学照片比对): per student, is it the same person (同一人,
 * face embeddings) and the same shot (同版, SSIM in the standard frame)?
 */
import { decodeRaw, eyesInFrame, sameShotScore, toStandardFrame, type EyePair, type GreyImage, type SsimDetail } from './imaging.js';
import { loadFaceMatcher, type FaceMatcher } from './face.js';
import { matchPhotos, readPhoto, studentRef, type MatchResult, type PhotoFacts, type PhotoInput, type StudentCheck, type StudentLine } from './match.js';
import type { Roster, Student } from './roster.js';
import { DEFAULT_THRESHOLDS, type MatchThresholds } from './thresholds.js';

/** One student's photo against their reference photo. 比对结果 */
export interface ReferenceComparison {
  student: Student;
  photo: PhotoFacts | null;
  reference: PhotoFacts | null;
  /** Same person? `value` = face similarity (0–1), null when not measured. */
  face: StudentCheck;
  /** Same shot? `value` = SSIM in the standard frame, null when not measured. */
  sameShot: StudentCheck;
  status: 'pass' | 'fail' | 'review';
}

export interface CompareOptions {
  /** Compare faces (loads the face models). Default true. */
  face?: boolean;
  faceMatcher?: FaceMatcher;
  thresholds?: Partial<MatchThresholds>;
  /** The photos already matched (from `matchPhotos`), to avoid fingerprinting them twice. */
  matched?: MatchResult;
  onProgress?: (done: number, total: number, name: string) => void;
}

function statusOf(...c: StudentCheck[]): 'pass' | 'fail' | 'review' {
  if (c.some((x) => x.status === 'fail')) return 'fail';
  if (c.some((x) => x.status === 'review' || x.status === 'skip')) return 'review';
  return 'pass';
}

/**
 * The 同版 decision on a `sameShotScore`: frames cut alike — the global SSIM decides (pass ≥ `pass`, fail <
 * `fail`); a re-cut that had to be registered — the global SSIM and the local low tail must both agree.
 */
export function judgeSameShot(score: SsimDetail & { mode: 'resize' | 'registered' }, t: MatchThresholds = DEFAULT_THRESHOLDS): 'pass' | 'fail' | 'review' {
  if (score.mode === 'resize') return score.mean >= t.ssim.pass ? 'pass' : score.mean < t.ssim.fail ? 'fail' : 'review';
  if (score.mean >= t.ssim.passRegistered && score.blockP10 >= t.ssim.localPass) return 'pass';
  if (score.mean < t.ssim.fail || score.blockP10 < t.ssim.localFail) return 'fail';
  return 'review';
}

/** Grey standard-frame picture, the eyes in it, and (when the face module finds one face) the embedding. */
interface Prepared {
  frame: GreyImage;
  eyes: EyePair | null;
  embedding: Float32Array | null;
  faceError?: { code: string; message: string };
}

async function prepare(bytes: Buffer, matcher: FaceMatcher | null): Promise<Prepared> {
  let embedding: Float32Array | null = null;
  let eyes: EyePair | null = null;
  let faceError: Prepared['faceError'];
  if (matcher) {
    const img = await decodeRaw(bytes);
    try {
      embedding = await matcher.embed(img);
      if (!embedding) faceError = { code: 'NO_FACE', message: '未检测到唯一的人脸' };
      const e = matcher.eyes ? await matcher.eyes(img) : null;
      if (e) eyes = eyesInFrame(e, img.width, img.height);
    } catch (e) {
      faceError = { code: (e as { code?: string }).code ?? 'FACE_FAILED', message: `人脸分析失败：${(e as Error).message}` };
    }
  }
  return { frame: await toStandardFrame(bytes), eyes, embedding, faceError };
}

/**
 * Compare each student's photo with the reference photo of the same student (named the same way, by 学号
 * or 身份证号). Every student of the roster gets a result; a student without a photo or a reference gets
 * `review` saying so.
 */
export async function compareWithReference(
  roster: Pick<Roster, 'students'>,
  photos: Iterable<PhotoInput> | AsyncIterable<PhotoInput>,
  references: Iterable<PhotoInput> | AsyncIterable<PhotoInput>,
  opts: CompareOptions = {},
): Promise<ReferenceComparison[]> {
  const t: MatchThresholds = {
    phash: opts.thresholds?.phash ?? DEFAULT_THRESHOLDS.phash,
    ssim: opts.thresholds?.ssim ?? DEFAULT_THRESHOLDS.ssim,
    face: opts.thresholds?.face ?? DEFAULT_THRESHOLDS.face,
  };
  const photoMatch = opts.matched ?? (await matchPhotos(roster, photos, { face: false }));
  const refMatch = await matchPhotos(roster, references, { face: false });
  let matcher: FaceMatcher | null = null;
  let faceDown: string | null = null;
  if (opts.face !== false) {
    try {
      matcher = opts.faceMatcher ?? (await loadFaceMatcher());
    } catch (e) {
      faceDown = `人脸模块不可用，请人工核对是否为同一人：${(e as Error).message}`;
    }
  } else faceDown = '未比对人脸（已关闭），请人工核对是否为同一人';

  const firstOf = (r: MatchResult) => {
    const m = new Map<Student, PhotoFacts[]>();
    for (const x of r.matched) m.set(x.student, [...(m.get(x.student) ?? []), x.photo]);
    return m;
  };
  const photosOf = firstOf(photoMatch);
  const refsOf = firstOf(refMatch);
  const out: ReferenceComparison[] = [];
  let done = 0;
  for (const student of roster.students) {
    const photo = photosOf.get(student)?.[0] ?? null;
    const reference = refsOf.get(student)?.[0] ?? null;
    opts.onProgress?.(++done, roster.students.length, student.xuehao);
    if (!photo || !reference) {
      const msg = !photo ? '没有该学生的照片，无法比对' : '没有该学生的参考照片（学信网/入学照片），无法比对';
      const code = !photo ? 'PHOTO_MISSING' : 'REFERENCE_MISSING';
      const face: StudentCheck = { id: 'reference.face', status: 'review', code, value: null, message: msg };
      const sameShot: StudentCheck = { id: 'reference.same-shot', status: 'review', code, value: null, message: msg };
      out.push({ student, photo, reference, face, sameShot, status: statusOf(face, sameShot) });
      continue;
    }
    const extra = (photosOf.get(student)?.length ?? 0) > 1 ? `（该学生有多张照片，比对的是 ${photo.name}）` : '';
    let a: Prepared;
    let b: Prepared;
    try {
      a = await prepare(await readPhoto(photo.input), matcher);
      b = await prepare(await readPhoto(reference.input), matcher);
    } catch (e) {
      const msg = `无法读取照片：${(e as Error).message}`;
      const face: StudentCheck = { id: 'reference.face', status: 'review', code: 'READ_FAILED', value: null, message: msg };
      out.push({ student, photo, reference, face, sameShot: { ...face, id: 'reference.same-shot' }, status: 'review' });
      continue;
    }
    // 同一人
    let face: StudentCheck;
    if (!matcher) face = { id: 'reference.face', status: 'review', code: 'FACE_UNAVAILABLE', value: null, message: faceDown ?? '人脸模块不可用' };
    else if (!a.embedding || !b.embedding) {
      const which = !a.embedding ? `照片 ${photo.name}` : `参考照片 ${reference.name}`;
      const err = (!a.embedding ? a.faceError : b.faceError) ?? { code: 'NO_FACE', message: '未检测到唯一的人脸' };
      face = { id: 'reference.face', status: 'review', code: err.code, value: null, message: `${which}：${err.message}，请人工核对是否为同一人` };
    } else {
      const s = await matcher.similarity(a.embedding, b.embedding);
      const v = Number(s.toFixed(3));
      if (s >= t.face.match) face = { id: 'reference.face', status: 'pass', value: v, message: `与参考照片是同一人（人脸相似度 ${v}，阈值 ${t.face.match}）` };
      else if (s >= t.face.review) face = { id: 'reference.face', status: 'review', code: 'FACE_UNCERTAIN', value: v, message: `与参考照片可能不是同一人（人脸相似度 ${v}，阈值 ${t.face.match}），请人工核对` };
      else face = { id: 'reference.face', status: 'fail', code: 'FACE_MISMATCH', value: v, message: `与参考照片不是同一人（人脸相似度 ${v}，阈值 ${t.face.match}）` };
    }
    // 同版
    const score = sameShotScore(a.frame, b.frame, a.eyes && b.eyes ? { a: a.eyes, b: b.eyes } : null);
    const v = Number(score.mean.toFixed(3));
    const local = Number(score.blockP10.toFixed(3));
    const registered = score.mode === 'registered';
    const verdict = judgeSameShot(score, t);
    const pass = verdict === 'pass';
    const fail = verdict === 'fail';
    const how = registered ? `取景不同，已按双眼对齐并配准；局部最低相似度 ${local}` : '同样取景，缩放到 480×640';
    const limit = registered ? `通过需 ≥ ${t.ssim.passRegistered} 且局部 ≥ ${t.ssim.localPass}` : `通过需 ≥ ${t.ssim.pass}`;
    let sameShot: StudentCheck;
    if (pass) sameShot = { id: 'reference.same-shot', status: 'pass', value: v, message: `与参考照片同版（结构相似度 ${v}，${how}，${limit}）${extra}` };
    else if (fail) sameShot = { id: 'reference.same-shot', status: 'fail', code: 'NOT_SAME_SHOT', value: v, message: `与参考照片不是同一版照片（结构相似度 ${v}，${how}，低于不同版界限）；须使用与学信网一致的照片${extra}` };
    else sameShot = { id: 'reference.same-shot', status: 'review', code: 'SAME_SHOT_UNCERTAIN', value: v, message: `无法确定是否与参考照片同版（结构相似度 ${v}，${how}，${limit}），请人工核对${extra}` };
    out.push({ student, photo, reference, face, sameShot, status: statusOf(face, sameShot) });
  }
  return out;
}

/** One JSON line per student for `gradpass compare --json`. */
export function comparisonLines(results: ReferenceComparison[]): StudentLine[] {
  return results.map((r) => ({
    student: studentRef(r.student),
    photos: [r.photo?.name, r.reference?.name].filter((x): x is string => !!x),
    status: r.status,
    checks: [r.face, r.sameShot],
  }));
}

