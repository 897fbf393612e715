/**
 * Calendar arithmetic for the domain (日期与工作日). Pure: the clock is always an argument.
 *
 * Every rule in the notices is stated in calendar days of China Standard Time (UTC+8, no daylight
 * saving): "2025 年 12 月 8 日至 2025 年 12 月 19 日" means the whole of both days in Beijing. So an instant
 * (`Date`) is first turned into its Beijing calendar day with {@link chinaDate}, and windows are compared
 * as ISO dates (`YYYY-MM-DD`), inclusive at both ends.
 */

/** A calendar day, `YYYY-MM-DD`, in China Standard Time. 日期 */
export type IsoDate = string;

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Beijing calendar day of an instant: 2025-12-19T15:59:59Z → '2025-12-19', 16:00Z → '2025-12-20'. */
export function chinaDate(at: Date): IsoDate {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as people read it, in Beijing time to the minute: 2026-12-01T06:38:12Z → '2026-12-01 14:38'. 北京时间 */
export function chinaDateTime(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** True for a real calendar day written `YYYY-MM-DD` (2026-02-30 is not). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

function toUtcMs(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`日期“${date}”格式不对：应为 YYYY-MM-DD 的真实日期`);
  return Date.parse(`${date}T00:00:00Z`);
}

function fromUtcMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcMs(toUtcMs(date) + days * DAY_MS);
}

/** Calendar days from `from` to `to` (positive when `to` is later; 0 on the same day). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** -1, 0 or 1, like a comparator. ISO dates also compare correctly as strings; this validates them. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  const d = toUtcMs(a) - toUtcMs(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** The Beijing day of an instant, or the day itself when given an ISO date. */
export function toChinaDate(at: Date | IsoDate): IsoDate {
  if (typeof at === 'string') {
    toUtcMs(at);
    return at;
  }
  return chinaDate(at);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

/**
 * Which days are working days (工作日). Monday–Friday by default; `holidays` are public holidays that fall
 * on weekdays (法定节假日), `workdays` are weekend days made working days by the State Council's swaps (调休上班).
 */
export interface WorkingCalendar {
  holidays?: readonly IsoDate[];
  workdays?: readonly IsoDate[];
}

/** True when `date` is a working day under the calendar. */
export function isWorkingDay(date: IsoDate, calendar: WorkingCalendar = {}): boolean {
  if (calendar.workdays?.includes(date)) return true;
  if (calendar.holidays?.includes(date)) return false;
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6;
}

/**
 * The working day that is `n` working days after `date` ("7 个工作日内" counts from the next working day:
 * a final approval on Friday 2025-09-05 with 7 working days → Tuesday 2025-09-16). n = 0 returns `date`.
 */
export function addWorkingDays(date: IsoDate, n: number, calendar: WorkingCalendar = {}): IsoDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`工作日天数必须是非负整数，实际为 ${n}`);
  let d = date;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d, calendar)) left--;
  }
  return d;
}

/** Working days after `from` up to and including `to` (0 when `to` ≤ `from`). */
export function workingDaysBetween(from: IsoDate, to: IsoDate, calendar: WorkingCalendar = {}): number {
  let count = 0;
  for (let d = addDays(from, 1); compareDates(d, to) <= 0; d = addDays(d, 1)) {
    if (isWorkingDay(d, calendar)) count++;
  }
  return count;
}
