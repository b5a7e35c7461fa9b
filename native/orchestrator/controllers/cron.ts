// Cron schedules as the CronJob controller reads them (robfig/cron's standard parser): five fields
// (minute, hour, day of month, month, day of week) with `*`, `*/n`, `a-b`, `a-b/n`, lists and month
// and weekday names; `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`
// and `@every <duration>`. When both day fields are restricted a day matching either runs, as in
// cron. Times are in the given IANA zone, or the process's own (kube-controller-manager's) when none.

export interface Schedule {
  /** The first run strictly after `ms`. */
  next(ms: number): number;
}

const macros: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  values: Set<number>;
  /** Written as `*` (or `?`): matters for the day-of-month/day-of-week rule. */
  star: boolean;
}

function parseField(text: string, min: number, max: number, names?: string[]): Field {
  const values = new Set<number>();
  const value = (s: string) => {
    const named = names?.indexOf(s.toLowerCase()) ?? -1;
    const n = named >= 0 ? named + (names === months ? 1 : 0) : Number(s);
    if (!/^\d+$/.test(s) && named < 0) throw new Error(`failed to parse int from ${s}`);
    if (n < min || n > max) throw new Error(`value ${s} out of range [${min}, ${max}]`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a), value(b)];
      if (lo > hi) throw new Error(`beginning of range (${lo}) beyond end of range (${hi}): ${part}`);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  // Sunday may be written 7.
  if (names === days && values.delete(7)) values.add(0);
  return { values, star: text === '*' || text === '?' || text === '*/1' };
}

const durationUnits: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses a schedule; throws with robfig's kind of message when it cannot. */
export function parseSchedule(text: string, timeZone?: string): Schedule {
  const trimmed = text.trim();
  if (trimmed.startsWith('@every ')) {
    let ms = 0;
    const rest = trimmed
      .slice(7)
      .trim()
      .replace(/(\d+(?:\.\d+)?)(ms|h|m|s)/g, (_m, n: string, u: string) => {
        ms += Number(n) * durationUnits[u];
        return '';
      });
    if (rest || ms <= 0) throw new Error(`failed to parse duration ${trimmed}`);
    const every = Math.max(1000, Math.floor(ms / 1000) * 1000);
    return { next: (t) => Math.floor(t / 1000) * 1000 + every };
  }
  const expanded = macros[trimmed.toLowerCase()] ?? trimmed;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new Error(`expected exactly 5 fields, found ${parts.length}: ${text}`);
  const [minute, hour, dom, month, dow] = [
    parseField(parts[0], 0, 59),
    parseField(parts[1], 0, 23),
    parseField(parts[2], 1, 31),
    parseField(parts[3], 1, 12, months),
    parseField(parts[4], 0, 7, days),
  ];
  const fields = zoneFields(timeZone);
  const dayMatches = (f: ReturnType<typeof fields>) => {
    const d = dom.values.has(f.day);
    const w = dow.values.has(f.weekday);
    return dom.star || dow.star ? d && w : d || w;
  };
  return {
    next(ms) {
      let t = Math.floor(ms / 60_000) * 60_000 + 60_000;
      // Skips a day or an hour at a time where nothing can match: a few hundred steps for a year.
      for (let i = 0; i < 100_000; i++) {
        const f = fields(t);
        if (!month.values.has(f.month) || !dayMatches(f)) {
          t += ((23 - f.hour) * 60 + (60 - f.minute)) * 60_000;
          continue;
        }
        if (!hour.values.has(f.hour)) {
          t += (60 - f.minute) * 60_000;
          continue;
        }
        if (!minute.values.has(f.minute)) {
          t += 60_000;
          continue;
        }
        return t;
      }
      throw new Error(`no time matches ${text}`);
    },
  };
}

interface Fields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

function zoneFields(timeZone?: string): (ms: number) => Fields {
  if (!timeZone)
    return (ms) => {
      const d = new Date(ms);
      return {
        minute: d.getMinutes(),
        hour: d.getHours(),
        day: d.getDate(),
        month: d.getMonth() + 1,
        weekday: d.getDay(),
      };
    };
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    minute: 'numeric',
    hour: 'numeric',
    day: 'numeric',
    month: 'numeric',
    weekday: 'short',
  });
  return (ms) => {
    const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, x.value]));
    return {
      minute: Number(p.minute),
      hour: Number(p.hour),
      day: Number(p.day),
      month: Number(p.month),
      weekday: days.indexOf(String(p.weekday).toLowerCase()),
    };
  };
}
