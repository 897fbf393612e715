/**
 * background.uniform accuracy (背景均匀检查准确率): objects, shadows, other people and leftovers of an old
 * background, anywhere in the background including right next to the hair and the shoulders.
 *
 * Compliant base: `fix --background blue` (standardize, face-aligned, RVM matte) of every London neutral
 * portrait and of both everyday portraits. Variants made here from each base, with the base's person mask:
 *   object-corner    a textured object (44×56 px, one of six colours) in a top corner of the background
 *   object-hair      a textured object (36×44 px) touching the hair beside the head at eye level
 *   object-shoulder  a textured object (40×40 px) standing on the shoulder line beside the neck
 *   shadow           the person's silhouette shifted right/down, darkened to 72 % on the background (cast shadow)
 *   second-person    another portrait's person behind the student, entering from the left edge (about a third)
 *   leftover-green   a soft blob (about 40×60 px) of a leafy outdoor background left beside the hair
 *                    (the everyday portrait test1's trees) — what a poor replacement leaves
 *   leftover-grey    the same blob, holding the portrait's own original grey studio background
 * Caught = background.uniform fails or reviews. Compliant = the base as it is, and the London originals as
 * `check` sees them off the frame (skip with --no-originals). --bases DIR reuses fix outputs written there
 * (e.g. `gradpass fix --background blue` output), --save DIR writes every variant there, --variants a,b runs only
 * those variants (the compliant bases are always checked).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const title = '背景均匀检查准确率 background.uniform (London + everyday, fix outputs and variants)';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROFILE_FILE = path.resolve(here, '../../packages/photo/profiles/chsi-graduation.json');
const COLOURS = [
  [200, 40, 40],
  [40, 150, 60],
  [230, 200, 40],
  [90, 60, 40],
  [240, 240, 235],
  [30, 30, 35],
];
export const VARIANTS = [
  'object-corner',
  'object-hair',
  'object-shoulder',
  'shadow',
  'second-person',
  'leftover-green',
  'leftover-grey',
];

const toRaw = async (s) => {
  const { data, info } = await s.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
};
const clone = (img) => ({ ...img, data: Buffer.from(img.data) });

/** Deterministic noise for textures. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Paint a soft-edged ellipse centred (cx, cy), half-axes (rx, ry); colour from f(x, y) → [r, g, b]. */
function blob(img, cx, cy, rx, ry, f, keep = () => true) {
  const { width: W, height: H, data } = img;
  for (let y = Math.max(0, Math.floor(cy - ry - 2)); y <= Math.min(H - 1, Math.ceil(cy + ry + 2)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rx - 2)); x <= Math.min(W - 1, Math.ceil(cx + rx + 2)); x++) {
      if (!keep(x, y)) continue;
      const d = Math.hypot((x - cx) / rx, (y - cy) / ry);
      const a = Math.max(0, Math.min(1, ((1 - d) * Math.min(rx, ry)) / 1.5));
      if (a <= 0) continue;
      const c = f(x, y),
        p = (y * W + x) * 3;
      for (let k = 0; k < 3; k++) data[p + k] = Math.round(data[p + k] * (1 - a) + c[k] * a);
    }
  }
}

function texturedColour(seed) {
  const base = COLOURS[seed % COLOURS.length],
    r = rng(seed + 7);
  return () => base.map((v) => Math.max(0, Math.min(255, v + (r() - 0.5) * 40)));
}

function pct(n, d) {
  return d ? `${((100 * n) / d).toFixed(1)}%` : '—';
}

export async function run(ctx) {
  const photo = await import('@gradpass/photo');
  const profile = { ...JSON.parse(await readFile(PROFILE_FILE, 'utf8')), fileNaming: 'none' };
  const W = profile.width,
    H = profile.height;
  const neutral = path.join(ctx.fixtures, 'london', 'neutral');
  let files = (await readdir(neutral))
    .filter((f) => f.endsWith('_03.jpg'))
    .sort()
    .map((f) => path.join(neutral, f));
  if (ctx.quick) files = files.slice(0, 12);
  const everydayDir = path.join(ctx.fixtures, 'everyday');
  const everyday = (await readdir(everydayDir))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => path.join(everydayDir, f));
  // The leafy texture for leftover-green: the top-left trees of the outdoor everyday portrait.
  const leaves = await toRaw(
    sharp(path.join(everydayDir, 'hivision-test1.jpg')).extract({ left: 0, top: 0, width: 160, height: 160 }),
  );
  await photo.warmUpFace();

  // --bases DIR: reuse the fix outputs (and grey frames) written there by an earlier run (`--bases` creates
  // what is missing), e.g. the output folder of `gradpass fix --background blue`.
  const basesDir = ctx.args.includes('--bases') ? ctx.args[ctx.args.indexOf('--bases') + 1] : null;
  if (basesDir) await mkdir(basesDir, { recursive: true });
  const bases = []; // { name, img, grey (original background frame), analysis }
  for (const file of [...files, ...everyday]) {
    const name = path.basename(file);
    const cached = basesDir && existsSync(path.join(basesDir, name)) ? await readFile(path.join(basesDir, name)) : null;
    const bytes = await readFile(file);
    let jpeg = cached;
    if (!jpeg) {
      const r = await photo.standardize(bytes, profile, {
        align: 'face',
        background: 'blue',
        face: false,
        fileName: name,
      });
      if (!r.jpeg) {
        ctx.log(`  ${name}: not built (${r.report.error?.code})`);
        continue;
      }
      jpeg = r.jpeg;
      if (basesDir) await writeFile(path.join(basesDir, name), jpeg);
    }
    const img = await toRaw(sharp(jpeg));
    const greyFile = basesDir && path.join(basesDir, `grey-${name.replace(/\.\w+$/, '')}.png`);
    let grey = null;
    if (greyFile && existsSync(greyFile)) grey = await toRaw(sharp(greyFile));
    else if (!(greyFile && existsSync(`${greyFile}.none`))) {
      const src = await toRaw(sharp(bytes).rotate());
      const planned = await photo.planFaceCrop(src, profile, { replaceBackground: true, maxUpscale: 1.5 });
      grey = planned.ok && !planned.extended ? await photo.applyCropPlan(src, planned.plan, W, H) : null;
      if (greyFile && grey)
        await sharp(grey.data, { raw: { width: W, height: H, channels: 3 } })
          .png()
          .toFile(greyFile);
      else if (greyFile) await writeFile(`${greyFile}.none`, '');
    }
    bases.push({ name, img, grey, analysis: await photo.analyseFace(img) });
  }

  const status = async (img) => {
    const r = await photo.inspectFace(img, profile);
    return {
      bu: r.checks.find((c) => c.id === 'background.uniform'),
      bc: r.checks.find((c) => c.id === 'background.colour'),
      fc: r.checks.find((c) => c.id === 'face.count'),
    };
  };
  // --save DIR: write every variant there (to look at them).
  const saveDir = ctx.args.includes('--save') ? ctx.args[ctx.args.indexOf('--save') + 1] : null;
  if (saveDir) await mkdir(saveDir, { recursive: true });
  const only = ctx.args.includes('--variants')
    ? ctx.args[ctx.args.indexOf('--variants') + 1].split(',').filter((v) => VARIANTS.includes(v))
    : VARIANTS;
  const compliant = { n: 0, buFail: 0, buReview: 0, bcFail: 0, bcReview: 0, notes: [] };
  const results = Object.fromEntries(VARIANTS.map((v) => [v, { n: 0, fail: 0, review: 0, misses: [] }]));
  for (let bi = 0; bi < bases.length; bi++) {
    const { name, img, grey, analysis: a } = bases[bi];
    const s = await status(img);
    compliant.n++;
    if (s.bu.status === 'fail') compliant.buFail++;
    if (s.bu.status === 'review') compliant.buReview++;
    if (s.bc.status === 'fail') compliant.bcFail++;
    if (s.bc.status === 'review') compliant.bcReview++;
    if (s.bu.status !== 'pass' || s.bc.status !== 'pass')
      compliant.notes.push(
        `${name}: ${s.bu.status}/${s.bc.status} ${s.bu.status !== 'pass' ? s.bu.message : s.bc.message}`,
      );
    if (!a.face || !a.mask) continue;
    const mask = a.mask.alpha;
    const isBg = (x, y) => mask[y * W + x] < 60;
    const g = a.geometry;
    const eyeY = (g.eyes[0][1] + g.eyes[1][1]) / 2,
      noseX = g.noseTip[0],
      fw = g.faceWidth;
    const chinY = a.face.mesh[152][1];
    // Outline of the person on a row: leftmost / rightmost mask pixel.
    const rowEdges = (y) => {
      let l = -1,
        r = -1;
      for (let x = 0; x < W; x++)
        if (mask[Math.round(y) * W + x] >= 128) {
          if (l < 0) l = x;
          r = x;
        }
      return [l, r];
    };
    const side = bi % 2 === 0 ? -1 : 1; // alternate left / right
    const make = {
      'object-corner': () => {
        const v = clone(img);
        blob(v, side < 0 ? 50 : W - 50, 55, 22, 28, texturedColour(bi));
        return v;
      },
      'object-hair': () => {
        const v = clone(img);
        const y = eyeY - 0.2 * fw;
        const [l, r] = rowEdges(y);
        if (l < 0) return null;
        const cx = side < 0 ? l - 18 : r + 18;
        if (cx < 20 || cx > W - 20) return null;
        blob(v, cx, y, 18, 22, texturedColour(bi + 1), isBg);
        return v;
      },
      'object-shoulder': () => {
        const v = clone(img);
        const x = Math.round(noseX + side * 0.95 * fw);
        if (x < 22 || x > W - 22) return null;
        let top = -1;
        for (let y = Math.round(chinY); y < H; y++)
          if (mask[y * W + x] >= 128) {
            top = y;
            break;
          }
        if (top < 0) return null;
        blob(v, x, top - 20, 20, 20, texturedColour(bi + 2), isBg);
        return v;
      },
      shadow: () => {
        const v = clone(img);
        const dx = Math.round(0.18 * fw),
          dy = Math.round(0.06 * fw);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const sx = x - dx,
              sy = y - dy;
            if (sx < 0 || sy < 0 || mask[sy * W + sx] < 128 || !isBg(x, y)) continue;
            const p = (y * W + x) * 3;
            for (let k = 0; k < 3; k++) v.data[p + k] = Math.round(v.data[p + k] * 0.72);
          }
        return v;
      },
      'second-person': () => {
        const o = bases[(bi + 1) % bases.length];
        if (o === bases[bi] || !o.analysis.mask) return null;
        const v = clone(img);
        const om = o.analysis.mask.alpha,
          shift = Math.round(W * 0.62);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const sx = x + shift;
            if (sx >= W || om[y * W + sx] < 128 || !isBg(x, y)) continue;
            const p = (y * W + x) * 3,
              q = (y * W + sx) * 3;
            for (let k = 0; k < 3; k++) v.data[p + k] = o.img.data[q + k];
          }
        return v;
      },
      'leftover-green': () => {
        const v = clone(img);
        const y = eyeY + 0.5 * fw;
        const [l, r] = rowEdges(y);
        if (l < 0) return null;
        const cx = side < 0 ? l - 8 : r + 8;
        blob(
          v,
          cx,
          y,
          20,
          30,
          (x, yy) => {
            const p = (((yy * 7 + 13) % 160) * 160 + ((x * 5 + 31) % 160)) * 3;
            return [leaves.data[p], leaves.data[p + 1], leaves.data[p + 2]];
          },
          isBg,
        );
        return v;
      },
      'leftover-grey': () => {
        if (!grey) return null;
        const v = clone(img);
        const y = eyeY + 0.5 * fw;
        const [l, r] = rowEdges(y);
        if (l < 0) return null;
        const cx = side > 0 ? l - 8 : r + 8;
        blob(
          v,
          cx,
          y,
          20,
          30,
          (x, yy) => {
            const p = (yy * W + x) * 3;
            return [grey.data[p], grey.data[p + 1], grey.data[p + 2]];
          },
          isBg,
        );
        return v;
      },
    };
    for (const vname of only) {
      const v = make[vname]();
      if (!v) continue;
      const t = await status(v);
      const rr = results[vname];
      rr.n++;
      if (t.bu.status === 'fail') rr.fail++;
      else if (t.bu.status === 'review') rr.review++;
      else rr.misses.push(name);
      if (saveDir)
        await sharp(v.data, { raw: { width: W, height: H, channels: 3 } })
          .png()
          .toFile(path.join(saveDir, `${vname}-${name.replace(/\.\w+$/, '')}.png`));
    }
  }

  // The compliant originals as `check` sees them (not in the frame: frame-independent findings only).
  const originals = { n: 0, fail: 0, review: 0, notes: [] };
  if (!ctx.args.includes('--no-originals')) {
    for (const file of files) {
      const r = await photo.inspect(await readFile(file), { profile, fileName: path.basename(file), face: true });
      const bu = r.checks.find((c) => c.id === 'background.uniform');
      if (!bu || bu.status === 'skip') continue;
      originals.n++;
      if (bu.status === 'fail') originals.fail++;
      if (bu.status === 'review') originals.review++;
      if (bu.status !== 'pass') originals.notes.push(`${path.basename(file)}: ${bu.status} ${bu.message}`);
    }
  }

  ctx.log('variant          rule                 caught (fail)    fail|review');
  let tn = 0,
    tc = 0;
  for (const v of only) {
    const r = results[v];
    tn += r.n;
    tc += r.fail + r.review;
    ctx.log(
      `${v.padEnd(16)} background.uniform  ${`${r.fail}/${r.n}`.padStart(6)} ${pct(r.fail, r.n).padStart(6)}   ${`${r.fail + r.review}/${r.n}`.padStart(6)} ${pct(r.fail + r.review, r.n).padStart(6)}${r.misses.length ? `  missed: ${r.misses.slice(0, 6).join(' ')}` : ''}`,
    );
  }
  ctx.log(`all variants                          ${`${tc}/${tn}`.padStart(20)} ${pct(tc, tn)}`);
  ctx.log(
    `Compliant (${compliant.n}: ${bases.length - everyday.length} London + everyday fix outputs): background.uniform fail ${compliant.buFail}, review ${compliant.buReview} (${pct(compliant.buReview, compliant.n)}); background.colour fail ${compliant.bcFail}, review ${compliant.bcReview}`,
  );
  for (const n of compliant.notes) ctx.log(`  ${n}`);
  if (originals.n) {
    ctx.log(
      `Compliant originals (${originals.n} London sources, \`check\` off the frame): background.uniform fail ${originals.fail}, review ${originals.review} (${pct(originals.review, originals.n)})`,
    );
    for (const n of originals.notes) ctx.log(`  ${n}`);
  }
  return { results, compliant, originals };
}
