#!/usr/bin/env node
/**
 * Accuracy evaluation (准确率评估): `npm run eval [-- --quick] [-- --section NAME]`.
 *
 * Runs the sections in scripts/eval/ in order, on the BUILT packages (run `npx tsc -b` first).
 * A section is a module exporting:
 *   export const title = '...';                  // printed as the heading
 *   export async function run(ctx) { ... }       // prints its own tables; may return a summary object
 * ctx = { quick: boolean, fixtures: string (path of /work/shared/fixtures/portraits or $GRADPASS_FIXTURES),
 *         args: string[], log: (...lines) => void }
 *
 * Order: the sections named in ORDER first (missing ones are skipped), then any other *.js file in
 * scripts/eval/ alphabetically. To add a section, drop a module into scripts/eval/ — e.g. the roster
 * engineer's face-match calibration goes in scripts/eval/face-match.js (already listed in ORDER).
 */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sectionsDir = path.join(here, 'eval');
/** Sections in the order they run. */
export const ORDER = ['face-composition.js', 'face-match.js'];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--section') ? args[args.indexOf('--section') + 1] : null;
const fixtures = process.env.GRADPASS_FIXTURES ?? path.resolve(here, '../../shared/fixtures/portraits');

const files = (await readdir(sectionsDir)).filter((f) => f.endsWith('.js') && !f.startsWith('_'));
const ordered = [...ORDER.filter((f) => files.includes(f)), ...files.filter((f) => !ORDER.includes(f)).sort()];
const log = (...lines) => console.log(...lines);
if (!existsSync(fixtures)) {
  console.error(`找不到测试人像目录 fixtures not found: ${fixtures}`);
  process.exit(2);
}
let failed = 0;
for (const file of ordered) {
  const name = file.replace(/\.js$/, '');
  if (only && only !== name) continue;
  const mod = await import(pathToFileURL(path.join(sectionsDir, file)).href);
  log(`\n=== ${mod.title ?? name} (${name}) ===`);
  const t0 = performance.now();
  try {
    await mod.run({ quick, fixtures, args, log });
  } catch (e) {
    failed++;
    console.error(`section ${name} failed:`, e);
  }
  log(`--- ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
process.exitCode = failed ? 1 : 0;
