import { parseDuration } from '../calendar/duration.js';
import type { CommandLine } from '../commands/command.js';
import { parseDirectiveLine, type DirectiveOptions } from './directives.js';
import { findEnGbDate } from './en-gb-dates.js';

export interface CommandParse {
  lines: CommandLine[];
  /** Lines that looked like commands but could not be understood. */
  errors: string[];
}

const SIMPLE: Record<string, CommandLine['command']['kind']> = {
  resolved: 'resolved',
  resolve: 'resolved',
  done: 'resolved',
  close: 'close',
  closed: 'close',
  reopen: 'reopen',
  resume: 'resume',
  escalate: 'escalate',
  approve: 'approve',
  approved: 'approve',
  skip: 'skip',
  safeguarding: 'safeguarding',
  imminent: 'imminent',
};

const KEYWORDS = new Set([...Object.keys(SIMPLE), 'pause', 'extend', 'views', 'note']);

function parseExtend(rest: string): CommandLine['command'] | string {
  const m = /^(\d{1,3})\s*(working days?|wd|days?|d|weeks?|w)?$/i.exec(rest.trim());
  if (!m) return `EXTEND ${rest.trim()}: say how long, e.g. EXTEND 5 days or EXTEND 2 weeks`;
  const n = Number(m[1]);
  if (n < 1 || n > 365) return 'EXTEND: between 1 and 365 days';
  const unit = (m[2] ?? 'days').toLowerCase();
  const by = unit.startsWith('w') && unit !== 'wd' && !unit.startsWith('working') ? `${n}w` : unit.startsWith('working') || unit === 'wd' ? `${n}wd` : `${n}d`;
  return { kind: 'extend', by: parseDuration(by) };
}

/**
 * Commands sit on the first lines of the new text, one per line, any case, with or without a
 * colon. Parsing stops at the first line that is neither a command nor a directive, so a
 * conversational reply ("Thanks, we'll wait") holds no command and no error.
 */
export function parseCommands(newText: string, opts: DirectiveOptions): CommandParse {
  const out: CommandParse = { lines: [], errors: [] };
  const lines = newText.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') {
      // A blank line ends the command block once something was found.
      if (out.lines.length + out.errors.length > 0) break;
      continue;
    }
    const m = /^([A-Za-z]+)\b\s*:?\s*(.*)$/.exec(line);
    const word = m?.[1]?.toLowerCase() ?? '';
    const rest = (m?.[2] ?? '').trim();
    if (KEYWORDS.has(word)) {
      const r = parseKeyword(word, rest, line, opts);
      if (typeof r === 'string') out.errors.push(r);
      else out.lines.push({ line, command: r });
      continue;
    }
    const d = parseDirectiveLine(line, opts);
    if (d && 'directive' in d) {
      out.lines.push({ line, command: { kind: 'directive', directive: d.directive } });
      continue;
    }
    if (d && 'problem' in d) {
      out.errors.push(d.problem);
      continue;
    }
    // A shouted single word on the first line is meant as a command we do not know.
    if (out.lines.length === 0 && out.errors.length === 0 && /^[A-Z]{3,}[.!]?$/.test(line)) {
      out.errors.push(`"${line}" is not a command I know. Commands: RESOLVED, CLOSE, REOPEN, PAUSE until <date>, RESUME, ESCALATE, EXTEND <n> days, APPROVE, SKIP, SAFEGUARDING, VIEWS: <text>, NOTE: <text>.`);
    }
    break;
  }
  return out;
}

function parseKeyword(word: string, rest: string, line: string, opts: DirectiveOptions): CommandLine['command'] | string {
  const simple = SIMPLE[word];
  if (simple) {
    if (rest.replace(/[.!]+$/, '') !== '') {
      // "Resolved, thanks" is still RESOLVED; "Resolve the issue with…" is prose.
      if (/^[,.!-]\s*(thanks|thank you|cheers|many thanks)?[.!]?$/i.test(rest)) return { kind: simple } as CommandLine['command'];
      return `${line}: ${word.toUpperCase()} takes nothing after it`;
    }
    return { kind: simple } as CommandLine['command'];
  }
  switch (word) {
    case 'pause': {
      const text = rest.replace(/^until\s+/i, '');
      if (!text) return 'PAUSE: say until when, e.g. PAUSE until 4 December';
      const d = findEnGbDate(text, opts.reference, opts.timezone);
      if (!d) return `PAUSE ${rest}: "${text}" is not a date I can read (try PAUSE until 4 December 2026)`;
      return { kind: 'pause', until: d.date };
    }
    case 'extend':
      return parseExtend(rest);
    case 'views':
    case 'note':
      if (!rest) return `${word.toUpperCase()}: write the text after the colon`;
      return { kind: word, text: rest.slice(0, 4000) };
  }
  return `${line}: not understood`;
}
