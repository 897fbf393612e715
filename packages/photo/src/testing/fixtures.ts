import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared real portraits (../shared/fixtures/portraits beside the repository, as on every developer's
 * machine and CI), or $GRADPASS_FIXTURES. Read from there; never copied into the repository.
 */
export const PORTRAITS_DIR =
  process.env.GRADPASS_FIXTURES ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/portraits');

/** Folder of the 60 neutral London portraits, with a trailing slash. */
export const LONDON_NEUTRAL = path.join(PORTRAITS_DIR, 'london', 'neutral') + path.sep;

if (!existsSync(LONDON_NEUTRAL)) {
  throw new Error(`测试用人像不存在 FIXTURES_MISSING：${LONDON_NEUTRAL}（设置 GRADPASS_FIXTURES 指向 shared/fixtures/portraits）`);
}
