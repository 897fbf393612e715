/**
 * Photographic rules accuracy (饰品、头发遮挡、双肩、水印检测准确率) on the London set.
 *
 * Compliant photos are made as in face-composition.js (face-aligned crop, light-blue background). Over
 * each one, scripts/eval/_variants.js draws one violation (hat, cap, headband, hair ornament, bangs over
 * the brows / eyes, hair over the ears, earrings, necklace, scarf, tiled and single watermarks) or tilts
 * the shoulders by 8° / 12° (body below the neck rotated, head kept level, in the direction the person
 * already leans — the London sitters' shoulder lines are not all level, up to 11°, so a rotation the
 * other way could level them). Every variant runs through
 * inspectFace (and the watermark check on the same pixels); a variant is caught when one of its rules
 * says fail or review. On the compliant photos: per rule, fail and review rates.
 *
 * Real violations already in the London originals, found by looking at them (listed, not hidden): ears
 * covered by hair 003 038 143, an earring worn 112 115, crystal studs in both ears 123, a fringe down to the brows 143;
 * shoulders visibly uneven 096. They count as violations, not as compliant, for
 * their own rule only.
 *
 * Flags: --ids 003,012 (those portraits only) · --variants hat,cap (those variants only) · --samples (PNGs of
 * the first three portraits' variants in /tmp) · --misses (list the ids missed).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { drawVariant, tiltShoulders } from './_variants.js';

export const title = '拍摄规则准确率 Photographic rules (accessories, hair, shoulders, watermark; London set)';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROFILE_FILE = path.resolve(here, '../../packages/photo/profiles/chsi-graduation.json');

/** Variant → the rules that should catch it. */
export const VARIANTS = {
  hat: ['headwear'],
  cap: ['headwear'],
  headband: ['headwear'],
  'hair-ornament': ['headwear'],
  'hair-brows': ['hair.eyebrows'],
  'hair-eyes': ['hair.eyes'],
  'hair-ears': ['ears'],
  earrings: ['earrings'],
  necklace: ['necklace'],
  scarf: ['scarf'],
  'watermark-tiled': ['watermark'],
  'watermark-single': ['watermark'],
  'tilt-8': ['shoulders'],
  'tilt-12': ['shoulders'],
};
export const RULES = ['headwear', 'hair.eyebrows', 'hair.eyes', 'ears', 'earrings', 'necklace', 'scarf', 'shoulders', 'watermark'];
/** Real violations in the originals (see above): rule → portrait ids. */
export const ORIGINAL_VIOLATIONS = { ears: new Set(['003', '038', '143']), earrings: new Set(['112', '115', '123']), 'hair.eyebrows': new Set(['143']), shoulders: new Set(['096']) /* 096: shoulder line −10.3° in the original itself (head level, roll −0.6°), viewer's-left shoulder visibly lower — looked at; the crop planner now turns it 2.5° towards level shoulders (双肩找平), which leaves about −6° and passes */ };

const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

export async function run(ctx) {
  const face = await import('@gradpass/photo/face/index');
  const { checkWatermark } = await import('@gradpass/photo/checks/watermark');
  const { measureShoulders } = await import('@gradpass/photo/face/rules/shoulders');
  const profile = JSON.parse(await readFile(PROFILE_FILE, 'utf8'));
  const dir = path.join(ctx.fixtures, 'london', 'neutral');
  let ids = (await readdir(dir)).filter((f) => f.endsWith('_03.jpg')).map((f) => f.slice(0, 3)).sort();
  if (ctx.quick) ids = ids.slice(0, 12);
  const only = ctx.args.includes('--ids') ? ctx.args[ctx.args.indexOf('--ids') + 1].split(',') : null;
  if (only) ids = ids.filter((id) => only.includes(id));
  // --variants hat,cap: only these variants (the compliant table is still printed for every rule).
  const wanted = ctx.args.includes('--variants') ? ctx.args[ctx.args.indexOf('--variants') + 1].split(',') : null;
  const variantNames = Object.keys(VARIANTS).filter((k) => !wanted || wanted.includes(k));
  await face.warmUpFace();

  const check = async (img) => {
    const r = await face.inspectFace(img, profile);
    const wm = checkWatermark({ pixels: img, pixelScale: 1, profile, bytes: Buffer.alloc(0), fileName: 'x.jpg', format: 'jpeg', jpeg: null });
    return [...r.checks, wm];
  };
  const compliant = [];
  const caught = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  const misses = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  for (const [n, id] of ids.entries()) {
    const { data, info } = await sharp(path.join(dir, `${id}_03.jpg`)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const src = { data, width: info.width, height: info.height, channels: 3 };
    const planned = await face.planFaceCrop(src, profile);
    if (!planned.ok) continue;
    const good = await face.replaceBackground(await face.applyCropPlan(src, planned.plan, profile.width, profile.height), profile.background.rgb);
    const a = await face.analyseFace(good);
    if (!a.face) continue;
    compliant.push({ id, checks: await check(good) });
    // Tilt away from level: the same way the person already leans (so the result is ≥ the added angle).
    const base = measureShoulders(a).tilt;
    const away = base === null || base === 0 ? (n % 2 ? -1 : 1) : Math.sign(base);
    for (const [k, name] of Object.keys(VARIANTS).entries()) {
      if (!variantNames.includes(name)) continue;
      const img = name.startsWith('tilt-')
        ? await tiltShoulders(good, a, away * Number(name.slice(5)))
        : await drawVariant(good, a, name, Number(id) * 31 + k);
      if (ctx.args.includes('--samples') && n < 3) await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(`/tmp/variant-${id}-${name}.png`);
      const checks = await check(img);
      const hit = checks.some((c) => VARIANTS[name].includes(c.id) && (c.status === 'fail' || c.status === 'review'));
      const failed = checks.some((c) => VARIANTS[name].includes(c.id) && c.status === 'fail');
      caught[name].push({ id, hit, failed });
      if (!hit) misses[name].push(id);
    }
    process.stdout.write('.');
  }
  ctx.log('');
  ctx.log(`${'variant'.padEnd(18)} ${'rules'.padEnd(14)} ${'caught (fail)'.padStart(16)} ${'fail|review'.padStart(16)}`);
  let all = 0, allN = 0;
  for (const [name, rules] of Object.entries(VARIANTS)) {
    if (!variantNames.includes(name)) continue;
    const list = caught[name];
    const f = list.filter((v) => v.failed).length, fr = list.filter((v) => v.hit).length;
    all += fr;
    allN += list.length;
    ctx.log(`${name.padEnd(18)} ${rules.join('|').padEnd(14)} ${`${f}/${list.length} ${pct(f, list.length)}`.padStart(16)} ${`${fr}/${list.length} ${pct(fr, list.length)}`.padStart(16)}${ctx.args.includes('--misses') && misses[name].length ? '   missed: ' + misses[name].join(' ') : ''}`);
  }
  ctx.log(`${'all variants'.padEnd(33)} ${''.padStart(16)} ${`${all}/${allN} ${pct(all, allN)}`.padStart(16)}`);
  ctx.log(`\nCompliant photos (${compliant.length}): per rule, fail and review (real violations in the originals counted apart)`);
  for (const rule of RULES) {
    const known = ORIGINAL_VIOLATIONS[rule] ?? new Set();
    const set = compliant.filter((c) => !known.has(c.id));
    const st = (c) => c.checks.find((x) => x.id === rule)?.status;
    const f = set.filter((c) => st(c) === 'fail'), r = set.filter((c) => st(c) === 'review');
    const knownHere = compliant.filter((c) => known.has(c.id));
    const knownCaught = knownHere.filter((c) => st(c) === 'fail' || st(c) === 'review').length;
    ctx.log(`${rule.padEnd(14)} fail ${`${f.length}/${set.length} ${pct(f.length, set.length)}`.padStart(13)}   review ${`${r.length}/${set.length} ${pct(r.length, set.length)}`.padStart(13)}${knownHere.length ? `   (originals with this violation: ${knownCaught}/${knownHere.length} caught)` : ''}${ctx.args.includes('--misses') && (f.length || r.length) ? '   ' + [...f, ...r].map((c) => c.id).join(' ') : ''}`);
  }
  const anyReview = compliant.filter((c) => c.checks.some((x) => RULES.includes(x.id) && x.status !== 'pass' && !(ORIGINAL_VIOLATIONS[x.id]?.has(c.id)))).length;
  ctx.log(`${'any of these'.padEnd(14)} sent to review or failed: ${anyReview}/${compliant.length} ${pct(anyReview, compliant.length)}`);
  return { compliant: compliant.length, variants: allN };
}
