/**
 * Durations as policies state them: "2w", "3wd", "5d", "same-day".
 * `wd` counts working days of the organisation's nation; `d` and `w` count calendar days.
 */
export type Duration = { unit: 'wd'; n: number } | { unit: 'd'; n: number } | { unit: 'w'; n: number } | { unit: 'same-day'; n: 0 };

const PATTERN = /^(\d{1,3})\s*(wd|d|w)$/;

export function parseDuration(text: string): Duration {
  const value = text.trim().toLowerCase();
  if (value === 'same-day' || value === 'same day') return { unit: 'same-day', n: 0 };
  const match = PATTERN.exec(value);
  if (!match) {
    throw new Error(`"${text}" is not a duration (use e.g. 2w, 3wd, 5d or same-day)`);
  }
  return { unit: match[2] as 'wd' | 'd' | 'w', n: Number(match[1]) };
}

export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

export function formatDuration(d: Duration): string {
  return d.unit === 'same-day' ? 'same-day' : `${d.n}${d.unit}`;
}

/** Plain English for mails and timetables: "2 weeks", "3 working days", "the same day". */
export function describeDuration(d: Duration): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  switch (d.unit) {
    case 'same-day':
      return 'the same day';
    case 'wd':
      return plural(d.n, 'working day');
    case 'd':
      return plural(d.n, 'day');
    case 'w':
      return plural(d.n, 'week');
  }
}
