#!/usr/bin/env node
/**
 * The photo check alone (引擎基线), for `bench:workers`: `node engine-loop.js N file…` runs `inspect` with face
 * analysis on the first N files after warming up on the rest, with no queue and no database, and prints one JSON line
 * {wallMs, cpuMs} per photo. bench/workers.js runs it pinned on one core, then on both cores at once: the baseline
 * of how the engine itself scales on this machine.
 */
import fs from 'node:fs';

const photo = await import('@gradpass/photo');
const n = Number(process.argv[2]);
const files = process.argv.slice(3);
const profile = photo.loadProfile('chsi-graduation');
const bytes = files.map((f) => fs.readFileSync(f));
for (const b of bytes.slice(n)) await photo.inspect(b, { profile, fileName: 'x.jpg', face: true });
const c0 = process.cpuUsage(),
  t0 = performance.now();
for (const b of bytes.slice(0, n)) await photo.inspect(b, { profile, fileName: 'x.jpg', face: true });
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ wallMs: (performance.now() - t0) / n, cpuMs: (c.user + c.system) / 1000 / n }));
