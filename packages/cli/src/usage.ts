import type { Profile } from '@gradpass/photo';
import { loadProfile } from '@gradpass/photo/profiles';

/** A misuse of the command (用法错误): exit code 2, Chinese message with a stable English code. */
export class UsageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Load a profile by id or file; a missing or bad profile is a misuse (exit 2) with the engine's code. */
export function loadProfileOrUsage(ref: string): Profile {
  try {
    return loadProfile(ref);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(typeof code === 'string' ? code : 'PROFILE_INVALID', err instanceof Error ? err.message : String(err));
  }
}
