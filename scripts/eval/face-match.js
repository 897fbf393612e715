/**
 * Identity and duplicate calibration (人脸比对、近似重复与同版阈值标定) on the London set.
 *
 * Every portrait is first cut to the graduation frame (centre 3:4 crop, 480×640, JPEG q90), as the
 * roster tools see photos. Then:
 *  1. Face (同一人): embeddings of the 60 neutral NNN_03 and 60 smiling NNN_08 photos (computed once, kept
 *     in memory only). Genuine pairs: NNN_03 vs NNN_08 of the same person. Impostor pairs: every
 *     cross-person pair of the 120 photos. Prints FMR/FNMR at the shipped threshold, the distributions and
 *     the range of thresholds that would give no false match and ≤ 2 % false non-matches.
 *  2. pHash (近似重复): each neutral photo vs re-encoded/resized copies of itself (must match) vs other
 *     people (must not) vs the same person's smiling shot (a different picture).
 *  3. 同版 (SSIM in the standard frame): same shot re-encoded/resized, and re-framed (cut 6 % off one
 *     side then resized, as a re-crop does) vs a different shot of the same person (smiling); with the
 *     plain resize and with eye alignment by the face module.
 * Run: `npx tsc -b && npm run eval -- --section face-match` (add `--quick` for 20 people).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const title = '人脸比对、近似重复与同版阈值标定 Face match / pHash / same-shot calibration (London set)';

const pct = (n, d) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(2)} % (${n}/${d})`);
const f3 = (x) => x.toFixed(3);
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], p01: quantile(s, 0.01), p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1], n: s.length };
}
function table(log, rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) log('  ' + r.map((c, i) => String(c).padEnd(w[i])).join('  '));
}

/** The graduation frame of a London portrait: centre 3:4 crop, 480×640, q90. */
async function frame(file) {
  const meta = await sharp(file).metadata();
  const h = meta.height;
  const w = Math.round((h * 3) / 4);
  return sharp(file).extract({ left: Math.round((meta.width - w) / 2), top: 0, width: w, height: h }).resize(480, 640).jpeg({ quality: 90 }).toBuffer();
}

/** Copies that must still count as the same picture. */
const COPIES = {
  'resize 360 q55': (b) => sharp(b).resize(360).jpeg({ quality: 55 }).toBuffer(),
  'resize 240 q40': (b) => sharp(b).resize(240).jpeg({ quality: 40 }).toBuffer(),
  'resize 300 q45': (b) => sharp(b).resize(300).jpeg({ quality: 45 }).toBuffer(),
  're-encode q30': (b) => sharp(b).jpeg({ quality: 30 }).toBuffer(),
  'upscale 960 q80': (b) => sharp(b).resize(960).jpeg({ quality: 80 }).toBuffer(),
  PNG: (b) => sharp(b).png().toBuffer(),
};
/** Same shot, cut differently (a re-crop): 6 % off the left and the top, back to 480×640. */
const reframe = (b) => sharp(b).extract({ left: 29, top: 38, width: 451, height: 602 }).resize(480, 640).jpeg({ quality: 80 }).toBuffer();

export async function run(ctx) {
  const { log } = ctx;
  const R = await import('@gradpass/roster');
  const T = R.DEFAULT_THRESHOLDS;
  const dir = path.join(ctx.fixtures, 'london');
  const ids = (await readdir(path.join(dir, 'smiling'))).filter((f) => f.endsWith('.jpg')).map((f) => f.slice(0, 3)).sort();
  const people = ctx.quick ? ids.slice(0, 20) : ids;
  log(`人数 people: ${people.length}（neutral NNN_03 + smiling NNN_08, 480×640 centre crop）`);

  const P = [];
  for (const id of people) {
    const neutral = await frame(await readFile(path.join(dir, 'neutral', `${id}_03.jpg`)));
    const smiling = await frame(await readFile(path.join(dir, 'smiling', `${id}_08.jpg`)));
    P.push({ id, neutral, smiling });
  }

  // ---------------------------------------------------------------- 1. face
  log('\n[1] 人脸比对 face match (faceEmbedding + faceSimilarity of @gradpass/photo)');
  let matcher = null;
  try {
    matcher = await R.loadFaceMatcher();
  } catch (e) {
    log(`  人脸模块不可用 FACE_UNAVAILABLE: ${e.message}`);
  }
  if (matcher) {
    const t0 = performance.now();
    let embedded = 0;
    for (const p of P) {
      p.en = await matcher.embed(await R.decodeRaw(p.neutral));
      p.es = await matcher.embed(await R.decodeRaw(p.smiling));
      embedded += 2;
    }
    const ms = (performance.now() - t0) / embedded;
    const noFace = P.flatMap((p) => [p.en ? null : `${p.id}_03`, p.es ? null : `${p.id}_08`]).filter(Boolean);
    log(`  embeddings: ${embedded}, ${ms.toFixed(0)} ms each; no single face: ${noFace.length ? noFace.join(', ') : 'none'}`);
    const genuine = [];
    for (const p of P) if (p.en && p.es) genuine.push(await matcher.similarity(p.en, p.es));
    const impostor = [];
    const all = P.flatMap((p) => [{ id: p.id, e: p.en }, { id: p.id, e: p.es }]).filter((x) => x.e);
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) if (all[i].id !== all[j].id) impostor.push(await matcher.similarity(all[i].e, all[j].e));
    const g = stats(genuine);
    const im = stats(impostor);
    table(log, [
      ['pairs', 'n', 'min', 'p01', 'median', 'p99', 'max'],
      ['genuine 同一人', g.n, f3(g.min), f3(g.p01), f3(g.p50), f3(g.p99), f3(g.max)],
      ['impostor 不同人', im.n, f3(im.min), f3(im.p01), f3(im.p50), f3(im.p99), f3(im.max)],
    ]);
    const fm = impostor.filter((s) => s >= T.face.match).length;
    const fnm = genuine.filter((s) => s < T.face.match).length;
    const fmReview = impostor.filter((s) => s >= T.face.review).length;
    const fnmReview = genuine.filter((s) => s < T.face.review).length;
    log(`  shipped threshold 阈值: same person ≥ ${T.face.match} (review band [${T.face.review}, ${T.face.match}))`);
    log(`  false match rate FMR @${T.face.match}: ${pct(fm, impostor.length)};  false non-match rate FNMR @${T.face.match}: ${pct(fnm, genuine.length)}`);
    log(`  impostors reaching review ≥ ${T.face.review}: ${pct(fmReview, impostor.length)};  genuine below review (would fail outright): ${pct(fnmReview, genuine.length)}`);
    // Range of thresholds with no false match and ≤ 2 % false non-matches.
    const lo = im.max;
    const sortedG = [...genuine].sort((a, b) => a - b);
    const allowed = Math.floor(0.02 * genuine.length);
    const hi = sortedG[allowed];
    log(`  no false match needs threshold > ${f3(lo)} (max impostor); ≤ 2 % FNMR needs threshold ≤ ${f3(hi)} (genuine #${allowed + 1} from the bottom)`);
    log(lo < hi ? `  → feasible window (${f3(lo)}, ${f3(hi)}]; shipped ${T.face.match} ${T.face.match > lo && T.face.match <= hi ? 'is inside it' : 'is OUTSIDE it'}` : '  → no threshold meets both aims on this set');
  }

  // ---------------------------------------------------------------- 2. pHash
  log(`\n[2] 近似重复 pHash (64-bit DCT hash; near-identical when Hamming distance ≤ ${T.phash})`);
  for (const p of P) {
    p.hn = (await R.pictureHashes(p.neutral)).phash;
    p.hs = (await R.pictureHashes(p.smiling)).phash;
    p.hc = {};
    for (const [k, f] of Object.entries(COPIES)) p.hc[k] = (await R.pictureHashes(await f(p.neutral))).phash;
  }
  const rows = [['pairs', 'n', 'min', 'median', 'max', `rate ≤ ${T.phash}`]];
  let copyMiss = 0;
  let copyN = 0;
  for (const k of Object.keys(COPIES)) {
    const d = P.map((p) => R.hammingDistance(p.hn, p.hc[k]));
    const s = stats(d);
    const hit = d.filter((x) => x <= T.phash).length;
    copyMiss += d.length - hit;
    copyN += d.length;
    rows.push([`copy: ${k}`, s.n, s.min, s.p50, s.max, pct(hit, d.length)]);
  }
  const diffShot = P.map((p) => R.hammingDistance(p.hn, p.hs));
  const impH = [];
  for (let i = 0; i < P.length; i++) for (let j = i + 1; j < P.length; j++) for (const [a, b] of [[P[i].hn, P[j].hn], [P[i].hs, P[j].hs], [P[i].hn, P[j].hs], [P[i].hs, P[j].hn]]) impH.push(R.hammingDistance(a, b));
  for (const [label, d] of [['same person, other shot', diffShot], ['different people', impH]]) {
    const s = stats(d);
    rows.push([label, s.n, s.min, s.p50, s.max, pct(d.filter((x) => x <= T.phash).length, d.length)]);
  }
  table(log, rows);
  log(`  copies missed (false non-match): ${pct(copyMiss, copyN)};  different people flagged (false match): ${pct(impH.filter((x) => x <= T.phash).length, impH.length)}`);
  log(`  threshold choice: max copy distance ${Math.max(...P.flatMap((p) => Object.values(p.hc).map((h) => R.hammingDistance(p.hn, h))))}, min different-people distance ${Math.min(...impH)} → ${T.phash}`);

  // ---------------------------------------------------------------- 3. 同版 SSIM
  const ts = T.ssim;
  log(`\n[3] 同版 same shot: SSIM of grey 480×640 standard frames (shipped decision judgeSameShot)`);
  log(`  cut alike (mode resize): pass ≥ ${ts.pass}, fail < ${ts.fail}; re-cut (mode registered, eyes + search): pass ≥ ${ts.passRegistered} and local p10 ≥ ${ts.localPass}, fail < ${ts.fail} or local p10 < ${ts.localFail}`);
  const withEyes = !!matcher?.eyes;
  const prep = async (bytes) => {
    const frame = await R.toStandardFrame(bytes);
    if (!withEyes) return { frame, eyes: null };
    const img = await R.decodeRaw(bytes);
    const e = await matcher.eyes(img);
    return { frame, eyes: e ? R.eyesInFrame(e, img.width, img.height) : null };
  };
  const groups = { 'same shot, resize 360 q55': [], 'same shot, resize 240 q40': [], 'same shot, re-cut 6 %': [], 'other shot, same person': [] };
  for (const p of P) {
    const a = await prep(p.neutral);
    const others = {
      'same shot, resize 360 q55': await COPIES['resize 360 q55'](p.neutral),
      'same shot, resize 240 q40': await COPIES['resize 240 q40'](p.neutral),
      'same shot, re-cut 6 %': await reframe(p.neutral),
      'other shot, same person': p.smiling,
    };
    for (const [label, bytes] of Object.entries(others)) {
      const b = await prep(bytes);
      const score = R.sameShotScore(a.frame, b.frame, a.eyes && b.eyes ? { a: a.eyes, b: b.eyes } : null);
      groups[label].push({ ...score, verdict: R.judgeSameShot(score, T) });
    }
  }
  const ssRows = [['pairs', 'n', 'resize/registered', 'SSIM min', 'median', 'max', 'local p10 min', 'max', 'pass', 'review', 'fail']];
  for (const [label, v] of Object.entries(groups)) {
    const g = stats(v.map((x) => x.mean));
    const l = stats(v.map((x) => x.blockP10));
    const c = (k) => v.filter((x) => x.verdict === k).length;
    ssRows.push([label, v.length, `${v.filter((x) => x.mode === 'resize').length}/${v.filter((x) => x.mode === 'registered').length}`, f3(g.min), f3(g.p50), f3(g.max), f3(l.min), f3(l.max), c('pass'), c('review'), c('fail')]);
  }
  table(log, ssRows);
  const same = Object.entries(groups).filter(([k]) => k.startsWith('same')).flatMap(([, v]) => v);
  const other = groups['other shot, same person'];
  log(`  same shot judged "not same" (fail): ${pct(same.filter((x) => x.verdict === 'fail').length, same.length)}; other shot judged "same" (pass): ${pct(other.filter((x) => x.verdict === 'pass').length, other.length)}`);
  log(`  left for review: same shot ${pct(same.filter((x) => x.verdict === 'review').length, same.length)}, other shot ${pct(other.filter((x) => x.verdict === 'review').length, other.length)}`);
  log('  aim: same shot never fails, another shot never passes; what cannot be told apart goes to review.');
}
