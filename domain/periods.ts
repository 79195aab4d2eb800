// Shanghai's calendar periods, as the duty rules count them (seed 001: "每周不少于1次", a publicity item
// a month): a week runs from Monday 00:00 to the next Monday 00:00, a month from the 1st 00:00 to the
// next month's 1st, both at +08:00. Shanghai keeps no daylight saving time, so a fixed offset is exact
// and these functions need no time-zone database — which keeps them pure, for the workflow sandbox too.
// Every period is `{ start, end }` with `end` exclusive: an instant belongs to exactly one week.

/** China Standard Time, UTC+8, all year. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface Period {
  start: Date;
  /** Exclusive: the start of the next period. */
  end: Date;
}

/** The same instant moved so that its UTC fields read Shanghai's wall clock. */
const wallClock = (date: Date) => new Date(date.getTime() + SHANGHAI_OFFSET_MS);
/** A Shanghai wall-clock time (given as UTC fields) back to the instant it names. */
const fromWallClock = (ms: number) => new Date(ms - SHANGHAI_OFFSET_MS);

/** The Asia/Shanghai week (Monday 00:00 to the next Monday 00:00, +08:00) that `date` falls in. */
export function shanghaiWeekOf(date: Date): Period {
  const local = wallClock(date);
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  // getUTCDay: 0 is Sunday; days since Monday run 0 (Monday) … 6 (Sunday).
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  const start = fromWallClock(midnight - sinceMonday * DAY_MS);
  return { start, end: new Date(start.getTime() + 7 * DAY_MS) };
}

/** The Asia/Shanghai month (the 1st 00:00 to the next month's 1st, +08:00) that `date` falls in. */
export function shanghaiMonthOf(date: Date): Period {
  const local = wallClock(date);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  // Date.UTC rolls month 12 over into January of the next year: December's end is 1 January.
  return { start: fromWallClock(Date.UTC(year, month, 1)), end: fromWallClock(Date.UTC(year, month + 1, 1)) };
}

/** The week before the one `date` falls in: what a check run during a week looks at. */
export function previousShanghaiWeek(date: Date): Period {
  return shanghaiWeekOf(new Date(shanghaiWeekOf(date).start.getTime() - 1));
}

/** The month before the one `date` falls in. */
export function previousShanghaiMonth(date: Date): Period {
  return shanghaiMonthOf(new Date(shanghaiMonthOf(date).start.getTime() - 1));
}

/** The Shanghai calendar day of an instant, as YYYY-MM-DD (a week is named by its Monday). */
export function shanghaiDay(date: Date): string {
  return wallClock(date).toISOString().slice(0, 10);
}

/** The Shanghai month of an instant, as YYYY-MM. */
export function shanghaiMonthName(date: Date): string {
  return shanghaiDay(date).slice(0, 7);
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/** 00:00 in Shanghai of a YYYY-MM-DD day, or undefined when it is no such day (2026-02-30). */
export function parseShanghaiDay(day: string): Date | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // A day that does not exist rolls over into the next month: refuse it rather than guess.
  if (new Date(ms).toISOString().slice(0, 10) !== day) return undefined;
  return fromWallClock(ms);
}

/** The Shanghai month named YYYY-MM, or undefined when there is no such month. */
export function parseShanghaiMonth(month: string): Period | undefined {
  const m = MONTH.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined;
  return shanghaiMonthOf(fromWallClock(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)));
}

/** The weeks whose Monday lies in `[from, to)`, in order: the weeks a month (or any range) is made of. */
export function shanghaiWeeksStartingIn({ start, end }: Period): Period[] {
  const weeks: Period[] = [];
  let week = shanghaiWeekOf(start);
  if (week.start < start) week = shanghaiWeekOf(week.end);
  while (week.start < end) {
    weeks.push(week);
    week = shanghaiWeekOf(week.end);
  }
  return weeks;
}

/** The months whose 1st lies in `[from, to)`, in order. */
export function shanghaiMonthsStartingIn({ start, end }: Period): Period[] {
  const months: Period[] = [];
  let month = shanghaiMonthOf(start);
  if (month.start < start) month = shanghaiMonthOf(month.end);
  while (month.start < end) {
    months.push(month);
    month = shanghaiMonthOf(month.end);
  }
  return months;
}
