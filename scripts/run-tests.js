#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain summary line CI reads: "N passed, N failed, N skipped".
// Extra arguments go to vitest (e.g. a path filter).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'gradpass-tests-'));
const out = join(dir, 'results.json');
const child = spawn(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  let passed = 0, failed = 0, skipped = 0;
  try {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.testResults ?? []).filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    skipped = r.numPendingTests + r.numTodoTests;
  } catch {
    failed = Math.max(1, failed);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exitCode = code === 0 && failed === 0 ? 0 : code || 1;
  if (signal) process.exitCode = 1;
});
