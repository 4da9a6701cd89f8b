import type { Directive } from '../commands/command.js';
import { roleFromWords } from '../roles.js';
import { parseContact } from './contact-value.js';
import { findEnGbDate } from './en-gb-dates.js';

export interface DirectiveParse {
  items: Array<{ line: string; directive: Directive }>;
  /** `Key: value` lines whose key we do not know: said back to the sender, never dropped silently. */
  unknown: string[];
  /** Known keys with values we could not use. */
  problems: string[];
}

export interface DirectiveOptions {
  /** Roles any ladder uses (so `Operational lead: …` works). */
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  reference: Date;
  timezone: string;
}

const KEY_LINE = /^\s*([A-Za-z][A-Za-z’' -]{0,40}?)\s*:\s*(.+?)\s*$/;
const YES = /^(yes|y|true|on)$/i;
const NO = /^(no|n|false|off)$/i;

/** Keys that are ordinary prose or header lines, not directives. */
const NOT_DIRECTIVES = new Set(['hi', 'dear', 'hello', 'thanks', 'regards', 'from', 'to', 'cc', 'sent', 'date', 'subject', 'tel', 'phone', 'mobile', 'email', 'e-mail', 'web', 'fax', 'address', 'http', 'https', 'mailto', 'ps', 're', 'fw', 'fwd', 'note', 'views']);

function yesNo(v: string): boolean | undefined {
  if (YES.test(v)) return true;
  if (NO.test(v)) return false;
  return undefined;
}

/** Parses one `Key: value` line; undefined when the line is not shaped like a directive. */
export function parseDirectiveLine(
  line: string,
  opts: DirectiveOptions,
): { directive: Directive } | { unknown: string } | { problem: string } | undefined {
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  const rawKey = m[1]!.trim();
  const value = m[2]!;
  const key = rawKey.toLowerCase().replace(/[’']/g, '').replace(/\s+/g, ' ');
  if (key.split(' ').length > 4 || NOT_DIRECTIVES.has(key)) return undefined;
  switch (key) {
    case 'ladder': {
      const id = value.trim().toLowerCase();
      if (![...opts.ladderIds].includes(id)) return { problem: `Ladder: "${value}" is not a ladder here (${[...opts.ladderIds].join(', ')})` };
      return { directive: { kind: 'ladder', ladderId: id } };
    }
    case 'child':
    case 'child ref':
    case 'child reference':
    case 'young person':
      return { directive: { kind: 'child', ref: value.trim().slice(0, 64) } };
    case 'category':
      return { directive: { kind: 'category', value: value.trim().slice(0, 120) } };
    case 'due':
    case 'due date': {
      const d = findEnGbDate(value, opts.reference, opts.timezone);
      if (!d) return { problem: `Due: "${value}" is not a date I can read (try 4 December 2026 or 2026-12-04)` };
      return { directive: { kind: 'due', date: d.date } };
    }
    case 'safeguarding':
    case 'child protection':
    case 'urgent': {
      const yn = yesNo(value);
      if (yn === undefined) return { problem: `${rawKey}: answer yes or no` };
      const flag = key === 'child protection' ? 'child-protection' : 'safeguarding';
      return { directive: { kind: 'flag', flag, value: yn } };
    }
    case 'imminent':
    case 'imminent risk': {
      const yn = yesNo(value);
      if (yn === undefined) return { problem: `${rawKey}: answer yes or no` };
      return yn ? { directive: { kind: 'imminent' } } : { directive: { kind: 'flag', flag: 'safeguarding', value: false } };
    }
  }
  const role = roleFromWords(rawKey, opts.roles);
  if (role === 'psw' || key === 'psw') {
    const yn = yesNo(value);
    if (yn !== undefined) return { directive: { kind: 'flag', flag: 'psw', value: yn } };
  }
  if (role) {
    const contact = parseContact(value);
    if ('error' in contact) return { problem: `${rawKey}: ${contact.error}` };
    return { directive: { kind: 'contact', role, contact } };
  }
  return { unknown: line.trim().slice(0, 200) };
}

/** Every directive line of the new text (quoted history has already been removed). */
export function parseDirectives(newText: string, opts: DirectiveOptions): DirectiveParse {
  const out: DirectiveParse = { items: [], unknown: [], problems: [] };
  for (const line of newText.split(/\r?\n/)) {
    const r = parseDirectiveLine(line, opts);
    if (!r) continue;
    if ('directive' in r) out.items.push({ line: line.trim(), directive: r.directive });
    else if ('unknown' in r) out.unknown.push(r.unknown);
    else out.problems.push(r.problem);
  }
  return out;
}
