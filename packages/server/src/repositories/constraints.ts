/**
 * Which database constraint a failed statement hit (约束冲突), in the domain's words, so services can answer with
 * the right refusal instead of a 500. The names are those of migration 004 and the unique indexes.
 */
export type ConstraintHit = 'PHOTO_LOCKED' | 'ALREADY_GRADUATED' | 'REGISTRATION_NUMBER_TAKEN' | 'UNIQUE';

export function constraintHit(e: unknown): ConstraintHit | null {
  const err = e as { message?: string; code?: string; constraint?: string } | null;
  const message = String(err?.message ?? '');
  if (/PHOTO_LOCKED/.test(message)) return 'PHOTO_LOCKED';
  const unique = err?.code === '23505' || /UNIQUE constraint failed/i.test(message);
  if (!unique) return null;
  const where = `${err?.constraint ?? ''} ${message}`;
  if (/applications_one_graduated|applications\.student_id/.test(where)) return 'ALREADY_GRADUATED';
  if (/registration_number/.test(where)) return 'REGISTRATION_NUMBER_TAKEN';
  return 'UNIQUE';
}
