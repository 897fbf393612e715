/**
 * Engine benchmark (引擎基准): `check` time per 480×640 photo (face analysis off) against a bare sharp
 * decode and the DC-only decode of the same files in the same run, and `fix` on the London neutral portraits (encodes, time).
 *
 *   node packages/photo/dist/tools/bench-engine.js [portraitDir] [rounds]
 */
import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { inspect } from '../inspect.js';
import { decodeDc } from '../jpeg/dc.js';
import { parseJpeg } from '../jpeg/parse.js';
import { loadProfile } from '../profiles.js';
import { standardize } from '../standardize.js';

const dir = process.argv[2] ?? '/work/shared/fixtures/portraits/london/neutral/';
const rounds = Number(process.argv[3] ?? 5);
const profile = loadProfile('chsi-graduation');

function cpuMs(c: NodeJS.CpuUsage): number {
  return (c.user + c.system) / 1000;
}

async function timed(label: string, n: number, fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / n;
  const cpu = cpuMs(process.cpuUsage(c0)) / n;
  console.log(`${label.padEnd(34)} ${wall.toFixed(2).padStart(7)} ms wall  ${cpu.toFixed(2).padStart(7)} ms CPU per photo  (${n} photos)`);
  return { wall, cpu };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
const sources = files.map((f) => readFileSync(dir + f));

// fix: every portrait once.
let encodes = 0;
const outputs: Buffer[] = [];
const fix = await timed('fix (centre, face off)', sources.length, async () => {
  for (const src of sources) {
    const r = await standardize(src, profile, { face: false, fileName: '1837001200001.jpg' });
    encodes += r.encodes;
    if (r.jpeg) outputs.push(r.jpeg);
  }
});
console.log(`fix: ${outputs.length}/${sources.length} written, ${(encodes / sources.length).toFixed(2)} encodes per photo on average`);

// check: the fixed 480×640 outputs, several rounds.
const n = outputs.length * rounds;
for (let i = 0; i < 20; i++) await inspect(outputs[i % outputs.length], { profile, fileName: '1837001200001.jpg', face: false });
const parse = await timed('baseline: JPEG header parse only', n, async () => {
  for (let r = 0; r < rounds; r++) for (const o of outputs) parseJpeg(o);
});
const decode = await timed('baseline: bare sharp decode to raw', n, async () => {
  for (let r = 0; r < rounds; r++) for (const o of outputs) await sharp(o).raw().toBuffer();
});
const dc = await timed('baseline: DC-only decode (dc.ts)', n, async () => {
  for (let r = 0; r < rounds; r++) for (const o of outputs) decodeDc(o);
});
const check = await timed('check (all technical rules)', n, async () => {
  for (let r = 0; r < rounds; r++) for (const o of outputs) await inspect(o, { profile, fileName: '1837001200001.jpg', face: false });
});
console.log(`check / bare decode = ${(check.cpu / decode.cpu).toFixed(2)} (CPU); header parse = ${(parse.cpu * 1000).toFixed(0)} µs; DC decode / sharp decode = ${(dc.cpu / decode.cpu).toFixed(2)}`);
console.log(`check throughput on one core ≈ ${(1000 / check.cpu).toFixed(0)} photos/s CPU-bound; fix ≈ ${fix.cpu.toFixed(1)} ms CPU per photo`);
