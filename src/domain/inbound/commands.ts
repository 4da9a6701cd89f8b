import { parseDuration } from '../calendar/duration.js';
import type { Command, CommandLine } from '../commands/command.js';
import { parseDirectiveLine, type DirectiveOptions } from './directives.js';
import { exampleDate, findEnGbDate, localDate } from './en-gb-dates.js';
import { plainForMatching } from './new-text.js';

export interface CommandParse {
  lines: CommandLine[];
  /** Lines that looked like commands but could not be understood, each saying what was wrong. */
  errors: string[];
}

const SIMPLE: Record<string, Command['kind']> = {
  resolved: 'resolved',
  resolve: 'resolved',
  done: 'resolved',
  close: 'close',
  closed: 'close',
  reopen: 'reopen',
  're-open': 'reopen',
  resume: 'resume',
  unpause: 'resume',
  escalate: 'escalate',
  approve: 'approve',
  approved: 'approve',
  skip: 'skip',
  safeguarding: 'safeguarding',
  imminent: 'imminent',
  help: 'help',
  timetable: 'timetable',
  'time-table': 'timetable',
};

/** Asking for something, not changing the case: only alone on the line (or in capitals), so "Help, I am not sure what you need" stays prose. */
const ASKING = new Set<Command['kind']>(['help', 'timetable']);

const WITH_ARGUMENT = ['pause', 'extend', 'views', 'note'] as const;
const KEYWORDS = new Set<string>([...Object.keys(SIMPLE), ...WITH_ARGUMENT]);
const CANONICAL = [
  'RESOLVED',
  'CLOSE',
  'REOPEN',
  'PAUSE',
  'RESUME',
  'ESCALATE',
  'EXTEND',
  'APPROVE',
  'SKIP',
  'SAFEGUARDING',
  'VIEWS',
  'NOTE',
  'HELP',
  'TIMETABLE',
];

export const COMMAND_HELP =
  'Commands: RESOLVED, NOT DONE, CLOSE, REOPEN, PAUSE until <date>, RESUME, ESCALATE, EXTEND <n> days, APPROVE, SKIP, SAFEGUARDING, VIEWS: <text>, NOTE: <text>, TIMETABLE (the full timetable by mail), HELP (every command by mail), or a directive such as "Team manager: Name <address>".';

/** Capitalised words that open ordinary mail, never meant as commands. */
const NOT_COMMAND_WORDS = new Set([
  'FYI',
  'ASAP',
  'URGENT',
  'IMPORTANT',
  'OFFICIAL',
  'NB',
  'PS',
  'RE',
  'FW',
  'FWD',
  'OK',
  'OKAY',
  'THANKS',
  'THANK',
  'HI',
  'HELLO',
  'DEAR',
  'NOTED',
  'LAC',
  'CLA',
  'CIC',
  'IRO',
  'PSW',
  'LA',
  'SW',
  'TM',
  'DCS',
  'LADO',
  'MASH',
  'CP',
  'CIN',
  'PEP',
  'EHCP',
  'ADM',
  'SSW',
  'RM',
  'YP',
  'ESC',
  'UPDATE',
  'CAUTION',
  'EXTERNAL',
  'WARNING',
  'SORRY',
  'YES',
  'NO',
]);

/** Words of a friendly reply that sit close to a command word ("Noted" vs NOTE, "Closing" vs CLOSE). */
const CONVERSATIONAL = new Set([
  'noted',
  'notes',
  'closing',
  'closer',
  'closely',
  'approx',
  'done.',
  'doing',
  'dome',
  'sure',
  'node',
  'notice',
  'nice',
  'views.',
  'view',
  'viewed',
  'resume.',
  'pauses',
  'extended',
  'extends',
  'nope',
  'vote',
  'lose',
  'cause',
  'chose',
  'those',
  'whose',
  'skype',
  'ship',
  'slip',
  'skin',
]);

/** What may follow a no-argument command: nothing, thanks, "please", "now", "this". */
const POLITE_TAIL =
  /^[\s:.,!-]*(?:(?:please|pls|now|asap|thanks|thank you|many thanks|cheers|ta|this|it|this one|this case|the case|this rung|the draft|this draft|as discussed|for now)[\s.,!]*)*$/i;

/** Damerau–Levenshtein distance, capped: small typos in a command word ("RESLOVED", "EXTNED"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every index is within the (a.length + 1) × (b.length + 1) table filled above
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every index is within the table (i, j > 1 here)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the table is (a.length + 1) × (b.length + 1)
  return d[a.length]![b.length]!;
}

function closestCommand(word: string): string | undefined {
  const w = word.toUpperCase();
  if (w.length < 4) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of CANONICAL) {
    const dd = distance(w, c);
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  const allowed = w.length >= 7 ? 2 : 1;
  return bestD > 0 && bestD <= allowed ? best : undefined;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  fourteen: 14,
  twenty: 20,
  thirty: 30,
};

function parseExtend(rest: string, line: string): Command | string {
  // A remark may follow after a dash, comma or full stop: "EXTEND 5 days - Sam asked for more time".
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split() always returns at least one piece
  const text = rest
    .replace(/^[\s:-]*(?:by|for)?\s*/i, '')
    .split(/\s+-\s+|[,;]|\.\s/)[0]!
    .replace(/[\s.!]*(?:please|thanks|thank you)?[\s.!]*$/i, '')
    .trim();
  const m =
    /^(\d{1,3}|a|one|two|three|four|five|six|seven|eight|nine|ten|fourteen|twenty|thirty)\s*(working days?|business days?|wd|calendar days?|days?|d|weeks?|wks?|w)?$/i.exec(
      text,
    );
  if (!m) return `"${line}": EXTEND needs how long, e.g. EXTEND 5 days, EXTEND 3 working days, EXTEND 5 calendar days or EXTEND 2 weeks.`;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, and a word it matches is a key of NUMBER_WORDS
  const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : NUMBER_WORDS[m[1]!.toLowerCase()]!;
  const unit = (m[2] ?? 'days').toLowerCase();
  const working = unit.startsWith('working') || unit.startsWith('business') || unit === 'wd';
  const calendar = unit.startsWith('calendar');
  const weeks = !working && (unit.startsWith('week') || unit.startsWith('wk') || unit === 'w');
  const days = weeks ? n * 7 : n;
  if (n < 1 || days > 365) return `"${line}": EXTEND by between 1 day and 52 weeks.`;
  if (weeks) return { kind: 'extend', by: parseDuration(`${n}w`) };
  if (working) return { kind: 'extend', by: parseDuration(`${n}wd`) };
  // Plain days count in the ladder's own clock (working days on a working-day ladder); only
  // "calendar days" asks for calendar days whatever the ladder.
  return calendar ? { kind: 'extend', by: parseDuration(`${n}d`) } : { kind: 'extend', by: parseDuration(`${n}d`), ladderClock: true };
}

function parsePause(rest: string, line: string, opts: DirectiveOptions): Command | string {
  const text = rest.replace(/^[\s:-]*/, '').trim();
  const example = exampleDate(opts.reference, opts.timezone);
  if (!text) return `"${line}": PAUSE needs a date, e.g. PAUSE until ${example}.`;
  // "PAUSE for 2 weeks" reads as "in 2 weeks".
  const phrase = text.replace(/^(?:until|till|til|to|up to)\s+/i, '').replace(/^for\s+/i, 'in ');
  const d = findEnGbDate(phrase, opts.reference, opts.timezone);
  if (!d) return `"${line}": "${phrase.slice(0, 60)}" is not a date I can read. Try PAUSE until ${example}.`;
  if (d.date <= localDate(opts.reference, opts.timezone)) return `"${line}": ${d.date} is not in the future. Give a later date, e.g. PAUSE until ${example}.`;
  return { kind: 'pause', until: d.date };
}

type KeywordResult = { command: Command } | { error: string } | { prose: true };

/**
 * NOT DONE (also NOT-DONE, NOTDONE): in capitals always, in ordinary case only alone on its line
 * or with a remark after punctuation ("Not done - wrong minutes"), never "not done yet, sorry".
 */
function notDone(line: string): KeywordResult | undefined {
  const m = /^(not[\s-]*done)\b(.*)$/i.exec(line);
  if (!m) return undefined;
  const [, word = '', rest = ''] = m;
  const caps = word === word.toUpperCase();
  if (caps || POLITE_TAIL.test(rest) || /^\s*[:\-–—,.;!]/.test(rest)) return { command: { kind: 'not-done' } };
  return { prose: true };
}

/**
 * One command line. A word in capitals is always meant as a command, so anything wrong with it
 * is an error; in ordinary case a line is only a command when it is shaped like one
 * ("Resolved, thanks", "Pause until Friday", "Note: …"), otherwise it is prose and ends the block.
 */
function parseKeyword(word: string, rest: string, line: string, opts: DirectiveOptions): KeywordResult {
  const lower = word.toLowerCase();
  const caps = word.length > 1 && word === word.toUpperCase();
  const simple = SIMPLE[lower];
  if (simple) {
    if (POLITE_TAIL.test(rest)) return { command: { kind: simple } as Command };
    if (ASKING.has(simple)) return caps && /^\s*[:\-–—,.;!]/.test(rest) ? { command: { kind: simple } as Command } : { prose: true };
    // "RESOLVED – minutes received today": the rest is a remark kept with the line.
    if (caps || /^\s*[:\-–—,.;!]/.test(rest)) return { command: { kind: simple } as Command };
    return { prose: true };
  }
  switch (lower) {
    case 'pause': {
      if (!caps && !/^\s*(?::|-|until\b|till\b|til\b|for\b|to\b)/i.test(rest) && rest.trim() !== '') return { prose: true };
      const r = parsePause(rest, line, opts);
      return typeof r === 'string' ? { error: r } : { command: r };
    }
    case 'extend': {
      if (!caps && !/^\s*(?::|-|by\b|for\b|\d|a\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|ten\b)/i.test(rest) && rest.trim() !== '')
        return { prose: true };
      const r = parseExtend(rest, line);
      return typeof r === 'string' ? { error: r } : { command: r };
    }
    case 'views':
    case 'note': {
      if (!caps && !/^\s*[:\-–—]/.test(rest)) return { prose: true };
      const text = rest.replace(/^\s*[:\-–—]\s*/, '').trim();
      if (!text) return { error: `"${line}": write the text after ${word.toUpperCase()}:, e.g. ${word.toUpperCase()}: …` };
      return { command: { kind: lower, text: text.slice(0, 4000) } };
    }
  }
  return { prose: true };
}

const GREETING = /^(?:hi|hello|hey|dear|morning|afternoon|good (?:morning|afternoon|evening)|hiya)\b[^.!?:]{0,40}[,.!]?$/i;

/** A first line that is meant as a command we do not know ("POSTPONE until Friday", "RESLOVED"). */
function unknownCommand(line: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z-]*)(.*)$/.exec(line);
  if (!m) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  const word = m[1]!;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  const rest = m[2]!;
  const words = line.split(/\s+/).length;
  const caps = word.length >= 3 && word === word.toUpperCase() && /[A-Z]/.test(word);
  const suggestion = CONVERSATIONAL.has(word.toLowerCase()) ? undefined : closestCommand(word);
  if (suggestion && !/\?\s*$/.test(line) && (caps || (word.length >= 6 && words <= 3))) {
    return `"${line}": ${word} is not a command. Did you mean ${suggestion}? ${COMMAND_HELP}`;
  }
  if (caps && !NOT_COMMAND_WORDS.has(word.toUpperCase()) && (words <= 6 || /^\s*:/.test(rest))) {
    // A shouted word that opens a short line: a command we do not know.
    const restWords = rest.trim().split(/\s+/).filter(Boolean);
    const shouted =
      restWords.length === 0 || /^\s*:/.test(rest) || restWords.every((w) => w === w.toUpperCase()) || /^(?:until|till|for|by|to|on)\b/i.test(rest.trim());
    if (shouted) return `"${line}": ${word} is not a command I know. ${COMMAND_HELP}`;
  }
  return undefined;
}

/**
 * Commands sit on the first lines of the new text, one per line, any case, with or without a
 * colon, after an optional greeting ("Hi all,"). The block ends at a blank line after the
 * first command, or at the first line that is neither a command nor a directive — so a
 * conversational reply ("Thanks, will wait") holds no command and no error, while a line meant
 * as a command that cannot be understood gives an error saying what was not understood.
 * A `Key: value` line with an unknown key is prose at the start, but an error once commands
 * have begun (the sender is clearly writing commands).
 */
export function parseCommands(newText: string, opts: DirectiveOptions): CommandParse {
  const out: CommandParse = { lines: [], errors: [] };
  const lines = plainForMatching(newText).split('\n').slice(0, 200);
  const found = () => out.lines.length + out.errors.length > 0;
  let i = 0;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
  while (i < lines.length && lines[i]!.trim() === '') i++;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
  if (i < lines.length && GREETING.test(lines[i]!.trim())) i++;
  for (; i < lines.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const line = lines[i]!.trim()
      .replace(/^(?:[-•*]\s+)/, '')
      .replace(/^\*+(?=[A-Za-z])|(?<=[A-Za-z:])\*+(?=\s|:|$)/g, '');
    if (line === '') {
      if (!found()) continue;
      // A blank line ends the block, unless another command follows it.
      let j = i + 1;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
      while (j < lines.length && lines[j]!.trim() === '') j++;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
      if (j < lines.length && startsCommand(lines[j]!.trim(), opts)) {
        i = j - 1;
        continue;
      }
      break;
    }
    const m = /^([A-Za-z]+(?:-[A-Za-z]+)?)\b(.*)$/.exec(line);
    const word = m?.[1] ?? '';
    const rest = m?.[2] ?? '';
    const lineForRecord = line.slice(0, 300);
    // A directive with a known key wins over a command word: "Safeguarding: no" sets the flag
    // to no, it is not the SAFEGUARDING command.
    const d = parseDirectiveLine(line, opts);
    if (d && 'directive' in d) {
      out.lines.push({ line: lineForRecord, command: { kind: 'directive', directive: d.directive } });
      continue;
    }
    if (d && 'problem' in d) {
      out.errors.push(d.problem);
      continue;
    }
    const nd = notDone(line);
    if (nd && 'command' in nd) {
      out.lines.push({ line: lineForRecord, command: nd.command });
      continue;
    }
    if (nd) break;
    if (KEYWORDS.has(word.toLowerCase())) {
      const r = parseKeyword(word, rest, lineForRecord, opts);
      if ('command' in r) {
        // VIEWS and NOTE run on over the following lines until a blank line or another command.
        if (r.command.kind === 'views' || r.command.kind === 'note') {
          let text = r.command.text;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
          while (i + 1 < lines.length && lines[i + 1]!.trim() !== '' && !startsCommand(lines[i + 1]!.trim(), opts)) {
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
            text = `${text} ${lines[++i]!.trim()}`;
          }
          r.command.text = text.slice(0, 4000);
        }
        out.lines.push({ line: lineForRecord, command: r.command });
        continue;
      }
      if ('error' in r) {
        out.errors.push(r.error);
        continue;
      }
      break;
    }
    if (d && 'unknown' in d && found()) {
      out.errors.push(`"${d.unknown}": not a command or directive I know. ${COMMAND_HELP}`);
      continue;
    }
    if (!found()) {
      const unknown = unknownCommand(line);
      if (unknown) out.errors.push(unknown);
    }
    break;
  }
  return out;
}

function startsCommand(line: string, opts: DirectiveOptions): boolean {
  const nd = notDone(line);
  if (nd) return 'command' in nd;
  const m = /^([A-Za-z]+)\b(.*)$/.exec(line);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  if (m && KEYWORDS.has(m[1]!.toLowerCase())) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const r = parseKeyword(m[1]!, m[2]!, line, opts);
    if (!('prose' in r)) return true;
  }
  const d = parseDirectiveLine(line, opts);
  return !!d && 'directive' in d;
}
