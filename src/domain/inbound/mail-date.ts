/**
 * RFC 5322 Date headers, read strictly: "Tue, 1 Dec 2026 09:12:33 +0000" and its obsolete forms
 * (two-digit years, GMT/UT/EST… zones, missing seconds, a trailing "(GMT)" comment). JavaScript's
 * own Date parser is too forgiving ("31 Nov" becomes 1 December), so anything else is invalid
 * and the caller falls back to the time the server received the message.
 */
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };

export function parseMailDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const v = value
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const m =
    /^(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*,?\s*)?(\d{1,2})\s+([a-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[a-z]{1,3})?$/i.exec(
      v,
    );
  if (!m) return undefined;
  const day = Number(m[2]);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  const month = MONTHS.indexOf(m[3]!.toLowerCase());
  let year = Number(m[4]);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  if (m[4]!.length === 2) year += year < 50 ? 2000 : 1900;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  else if (m[4]!.length === 3) year += 1900;
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = m[7] ? Number(m[7]) : 0;
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  let offset = 0;
  const zone = m[8];
  if (zone && /^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const hh = Number(zone.slice(1, 3));
    const mm = Number(zone.slice(3, 5));
    if (hh > 23 || mm > 59) return undefined;
    offset = sign * (hh * 60 + mm);
  } else if (zone) {
    const z = ZONES[zone.toLowerCase()];
    if (z === undefined) return undefined;
    offset = z;
  }
  const utc = Date.UTC(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000;
  const check = new Date(Date.UTC(year, month, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined; // 31 Nov
  // A day name that disagrees with the date is ignored: the date itself is what counts.
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
