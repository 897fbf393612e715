/**
 * Enrolment terms and the 8-year validity of enrolment (入学学期与学籍有效期).
 *
 * Seed 000 §三.7: "学生学籍从入学注册起8年内有效 … 2026年4月中下旬，国开将开展超学籍有效期学生学籍清理工作 …
 * 务必高度重视2018年春季入学学籍状态即将达到8年有效期学生的毕业审核工作", and §一 admits "2018 年春季及以后入学"
 * students to the January 2026 batch. So a spring 2018 enrolment is still valid through the January 2026
 * batch and ends with the cleanup of April 2026.
 *
 * OUR CHOICE (the notice gives no exact day): an enrolment YYYY春 is valid up to and including
 * (YYYY+8)-04-30 (the end of the month of the spring cleanup); an enrolment YYYY秋 is valid up to and
 * including (YYYY+8)-10-31 (the same six months later, the autumn cleanup). No extension exists (不再办理学籍延期).
 */
import { refuse, ok, type Result } from './errors.js';
import { compareDates, daysBetween, toChinaDate, type IsoDate } from './time.js';

export type TermSeason = 'spring' | 'autumn';

/** An enrolment term (入学学期), e.g. 2018春. */
export interface EnrolmentTerm {
  year: number;
  season: TermSeason;
}

/** Validity of an enrolment in years (学籍有效期). */
export const ENROLMENT_VALIDITY_YEARS = 8;

const SEASON_WORDS: Array<[RegExp, TermSeason]> = [
  [/^(春|春季|春季学期|spring|spr|s|03|3)$/i, 'spring'],
  [/^(秋|秋季|秋季学期|autumn|fall|aut|a|f|09|9)$/i, 'autumn'],
];

/**
 * Parse a term as people and systems write it: '2018春', '2018春季', '2018年春季', '2018 spring', '2018-Autumn',
 * '2018 fall', '201803' / '2018-03' (国开 term codes: 03 spring, 09 autumn), '2018S', '2018秋'.
 */
export function parseEnrolmentTerm(input: string): Result<EnrolmentTerm> {
  const s = input.trim().replace(/\s+/g, ' ');
  const m = /^(\d{4})\s*(?:年)?\s*[-_/ ]?\s*(.+)$/.exec(s);
  if (m) {
    const year = Number(m[1]);
    const word = m[2].trim();
    for (const [re, season] of SEASON_WORDS) {
      if (re.test(word) && year >= 1979 && year <= 2200) return ok({ year, season });
    }
  }
  return refuse('ENROLMENT_TERM_INVALID', `入学学期“${input}”无法识别：应形如“2018春”或“2018秋”`, { input });
}

function asTerm(term: EnrolmentTerm | string): EnrolmentTerm {
  if (typeof term !== 'string') return term;
  const r = parseEnrolmentTerm(term);
  if (!r.ok) throw new RangeError(r.refusal.message);
  return r.value;
}

/** '2018春' / '2018秋'. */
export function formatEnrolmentTerm(term: EnrolmentTerm | string): string {
  const t = asTerm(term);
  return `${t.year}${t.season === 'spring' ? '春' : '秋'}`;
}

/** The last day the enrolment is valid (学籍有效期截止日): YYYY春 → (YYYY+8)-04-30, YYYY秋 → (YYYY+8)-10-31. */
export function enrolmentValidUntil(term: EnrolmentTerm | string): IsoDate {
  const t = asTerm(term);
  const y = t.year + ENROLMENT_VALIDITY_YEARS;
  return t.season === 'spring' ? `${y}-04-30` : `${y}-10-31`;
}

/** True when the enrolment is still valid on that day (or at that instant, in Beijing time). */
export function isEnrolmentValid(term: EnrolmentTerm | string, at: Date | IsoDate): boolean {
  return compareDates(toChinaDate(at), enrolmentValidUntil(term)) <= 0;
}

/** True when the enrolment ends before the given day, i.e. it is not valid any more on `date`. */
export function expiresBefore(term: EnrolmentTerm | string, date: Date | IsoDate): boolean {
  return compareDates(enrolmentValidUntil(term), toChinaDate(date)) < 0;
}

/** Calendar days left (0 on the last valid day, negative once expired). */
export function daysUntilEnrolmentExpiry(term: EnrolmentTerm | string, at: Date | IsoDate): number {
  return daysBetween(toChinaDate(at), enrolmentValidUntil(term));
}

/** Orders terms: 2018春 < 2018秋 < 2019春. */
export function compareTerms(a: EnrolmentTerm | string, b: EnrolmentTerm | string): number {
  const x = asTerm(a), y = asTerm(b);
  if (x.year !== y.year) return x.year < y.year ? -1 : 1;
  if (x.season === y.season) return 0;
  return x.season === 'spring' ? -1 : 1;
}

/** The oldest term still valid on a day: on 2026-01-10 that is 2018春; on 2026-05-01 it is 2018秋. */
export function oldestValidTerm(at: Date | IsoDate): EnrolmentTerm {
  const day = toChinaDate(at);
  const year = Number(day.slice(0, 4)) - ENROLMENT_VALIDITY_YEARS;
  const candidates: EnrolmentTerm[] = [
    { year: year - 1, season: 'autumn' },
    { year, season: 'spring' },
    { year, season: 'autumn' },
    { year: year + 1, season: 'spring' },
  ];
  return candidates.find((t) => isEnrolmentValid(t, day)) ?? { year: year + 1, season: 'spring' };
}

/** Anything with an enrolment term (a student record). */
export interface HasEnrolment {
  enrolmentTerm: string;
}

/** Those whose enrolment has already expired on `at` (学籍清理名单). Unparseable terms are not listed here. */
export function listExpired<T extends HasEnrolment>(items: readonly T[], at: Date | IsoDate): T[] {
  return items.filter((s) => parseEnrolmentTerm(s.enrolmentTerm).ok && !isEnrolmentValid(s.enrolmentTerm, at));
}

/**
 * Those still valid on `at` whose enrolment ends before `date` — e.g. students who must graduate in this batch
 * because they will be cleaned up before the next one. Sorted, soonest first.
 */
export function listExpiringBefore<T extends HasEnrolment>(items: readonly T[], date: Date | IsoDate, at: Date | IsoDate): T[] {
  return items
    .filter((s) => parseEnrolmentTerm(s.enrolmentTerm).ok && isEnrolmentValid(s.enrolmentTerm, at) && expiresBefore(s.enrolmentTerm, date))
    .sort((a, b) => compareTerms(a.enrolmentTerm, b.enrolmentTerm));
}

/** Items whose term cannot be read: they must be fixed before any rule can be applied to them. */
export function listUnreadableTerms<T extends HasEnrolment>(items: readonly T[]): T[] {
  return items.filter((s) => !parseEnrolmentTerm(s.enrolmentTerm).ok);
}
