/**
 * Start of the local day in an IANA time zone, with Intl only (no library). Handles DST days of
 * 23 and 25 hours and zones whose midnight is skipped (the day then starts at the first instant
 * that exists, e.g. 01:00).
 */

const fmtCache = new Map<string, Intl.DateTimeFormat>();

function fmt(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    fmtCache.set(tz, f);
  }
  return f;
}

/** True when the zone is known to this runtime's Intl. */
export function isTimeZone(tz: string): boolean {
  try {
    fmt(tz);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function parts(t: number, tz: string): LocalParts {
  const out: LocalParts = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of fmt(tz).formatToParts(new Date(t))) {
    const v = Number(p.value);
    if (p.type === 'year') out.y = v;
    else if (p.type === 'month') out.mo = v;
    else if (p.type === 'day') out.d = v;
    else if (p.type === 'hour') out.h = v;
    else if (p.type === 'minute') out.mi = v;
    else if (p.type === 'second') out.s = v;
  }
  return out;
}

/** Local time minus UTC at instant t, in ms. */
function offsetAt(t: number, tz: string): number {
  const p = parts(t, tz);
  const whole = t - (((t % 1000) + 1000) % 1000);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - whole;
}

const sameDay = (a: LocalParts, b: LocalParts): boolean => a.y === b.y && a.mo === b.mo && a.d === b.d;

/** The first instant (Unix ms) of the local calendar day that contains `now`. */
export function startOfLocalDay(now: number, tz: string): number {
  const today = parts(now, tz);
  const midnight = Date.UTC(today.y, today.mo - 1, today.d);
  let t = midnight - offsetAt(now, tz);
  t = midnight - offsetAt(t, tz);
  // Skipped midnight: t may land in the previous day; step forward to the first instant of today.
  if (!sameDay(parts(t, tz), today)) {
    const next = midnight - offsetAt(t + 6 * 3_600_000, tz);
    t = sameDay(parts(next, tz), today) ? next : t;
  }
  // Repeated midnight (clocks fall back across 00:00): take the earlier occurrence.
  for (const back of [3_600_000, 1_800_000]) {
    const earlier = t - back;
    const p = parts(earlier, tz);
    if (sameDay(p, today) && p.h === 0 && p.mi === 0) t = earlier;
  }
  return t;
}

/** The first instant of the next local day. */
export function startOfNextLocalDay(now: number, tz: string): number {
  return startOfLocalDay(startOfLocalDay(now, tz) + 26 * 3_600_000, tz);
}

/** "HH:MM" local time, for messages. */
export function localClock(t: number, tz: string): string {
  const p = parts(t, tz);
  return `${String(p.h).padStart(2, '0')}:${String(p.mi).padStart(2, '0')}`;
}
