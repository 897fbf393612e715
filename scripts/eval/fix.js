/**
 * fix success (修正成功率): how many of the London neutral portraits and the everyday portraits
 * `gradpass fix --background blue` turns into a compliant photo, the refusals with their reasons, and the
 * checks that fail or ask for review on the outputs (the output inspection `fix` reports, which is
 * `check` on the written file).
 *
 * Runs the real command (worker pool, folder walk) on a temp copy of each folder as people have it —
 * London's .tem landmark files stay beside the photos and must be skipped, not reported. The profile is
 * chsi-graduation with file naming off (the portraits are not named by 学号).
 *   --outputs DIR   keep the outputs in DIR/<set>/ (to look at them) instead of a temp folder
 *   --quick         the first 12 London portraits
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const title = '修正成功率 fix --background blue (London neutral + everyday)';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const PROFILE_FILE = path.join(root, 'packages/photo/profiles/chsi-graduation.json');

/** Rules about the person in the photo (a new photo is needed, fix cannot help) — the rest are about the photo. */
export const PERSON_RULES = new Set(['face.count', 'pose.roll', 'pose.yaw', 'pose.pitch', 'expression', 'shoulders', 'glasses', 'headwear', 'hair.eyebrows', 'hair.eyes', 'ears', 'earrings', 'necklace', 'scarf', 'accessories', 'retouch', 'clothing.contrast']);

function gradpass(argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'packages/cli/bin/gradpass.js'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 || code === 1 ? resolve({ out, err }) : reject(new Error(`gradpass 退出码 ${code}：${err.slice(0, 400)}`))));
  });
}

const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');

export async function run(ctx) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'gradpass-eval-fix-'));
  const keep = ctx.args.includes('--outputs') ? ctx.args[ctx.args.indexOf('--outputs') + 1] : null;
  try {
    const profile = { ...JSON.parse(await readFile(PROFILE_FILE, 'utf8')), id: 'eval-fix', fileNaming: 'none' };
    const profileFile = path.join(tmp, 'profile.json');
    await writeFile(profileFile, JSON.stringify(profile));
    const sets = [
      { name: 'london', dir: path.join(ctx.fixtures, 'london', 'neutral'), pick: (f) => f.endsWith('_03.jpg') || f.endsWith('_03.tem') },
      { name: 'everyday', dir: path.join(ctx.fixtures, 'everyday'), pick: (f) => /\.jpe?g$/i.test(f) },
    ];
    const rows = [];
    const ruleCounts = new Map(); // rule → { fail, review }
    const refusals = [];
    const outputFails = [];
    for (const set of sets) {
      let files = (await readdir(set.dir)).filter(set.pick).sort();
      if (ctx.quick && set.name === 'london') files = files.filter((f) => f.endsWith('.jpg')).slice(0, 12).flatMap((f) => [f, f.replace(/\.jpg$/, '.tem')]);
      const src = path.join(tmp, 'in', set.name);
      await mkdir(src, { recursive: true });
      for (const f of files) await copyFile(path.join(set.dir, f), path.join(src, f)).catch(() => undefined);
      const out = keep ? path.join(keep, set.name) : path.join(tmp, 'out', set.name);
      const r = await gradpass(['fix', src, '--out', out, '--background', 'blue', '--json', '--profile', profileFile]);
      const reports = r.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const skipped = /已跳过\s*(\d+)/.exec(r.err)?.[1] ?? '0';
      const row = { set: set.name, photos: reports.length, skipped, outputs: 0, pass: 0, review: 0, personReview: 0, fail: 0, refused: 0, errors: 0 };
      for (const rep of reports) {
        const name = path.basename(rep.file);
        if (!rep.output) {
          if (rep.verdict === 'error') row.errors++;
          else row.refused++;
          refusals.push(`${set.name}/${name}: ${rep.error?.code ?? rep.verdict} ${rep.error?.message ?? ''}`);
          continue;
        }
        row.outputs++;
        const bad = rep.checks.filter((c) => c.status === 'fail' || c.status === 'review');
        for (const c of bad) {
          const k = ruleCounts.get(c.id) ?? { fail: 0, review: 0 };
          k[c.status]++;
          ruleCounts.set(c.id, k);
        }
        if (bad.some((c) => c.status === 'fail')) {
          row.fail++;
          outputFails.push(`${set.name}/${name}: ${bad.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.message}`).join('；')}`);
        } else if (bad.length === 0) row.pass++;
        else if (bad.every((c) => PERSON_RULES.has(c.id))) row.personReview++;
        else row.review++;
      }
      rows.push(row);
    }
    ctx.log('set        photos  non-photos skipped  outputs  pass  review (person rules only)  review (other)  fail  refused  error');
    for (const r of rows) {
      ctx.log(`${r.set.padEnd(9)} ${String(r.photos).padStart(7)}  ${String(r.skipped).padStart(18)}  ${String(r.outputs).padStart(7)}  ${String(r.pass).padStart(4)}  ${String(r.personReview).padStart(26)}  ${String(r.review).padStart(14)}  ${String(r.fail).padStart(4)}  ${String(r.refused).padStart(7)}  ${String(r.errors).padStart(5)}`);
    }
    const tot = rows.reduce((a, r) => ({ photos: a.photos + r.photos, outputs: a.outputs + r.outputs, ok: a.ok + r.pass + r.personReview }), { photos: 0, outputs: 0, ok: 0 });
    ctx.log(`outputs ${tot.outputs}/${tot.photos} (${pct(tot.outputs, tot.photos)}); no fail and no review from a rule about the photo: ${tot.ok}/${tot.outputs} (${pct(tot.ok, tot.outputs)})`);
    ctx.log('\nchecks on the outputs (rule, fail, review; * = about the person, a new photo is needed, not the fix):');
    for (const [id, k] of [...ruleCounts].sort((a, b) => b[1].fail + b[1].review - (a[1].fail + a[1].review))) {
      ctx.log(`  ${(PERSON_RULES.has(id) ? `${id} *` : id).padEnd(22)} fail ${String(k.fail).padStart(3)}  review ${String(k.review).padStart(3)}`);
    }
    if (refusals.length) ctx.log('\nno output:');
    for (const r of refusals) ctx.log(`  ${r}`);
    if (outputFails.length) ctx.log('\noutputs that fail:');
    for (const r of outputFails) ctx.log(`  ${r}`);
    return { rows, rules: Object.fromEntries(ruleCounts), refusals, outputFails };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
