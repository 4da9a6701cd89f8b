import type { Directive } from '../commands/command.js';
import { roleFromWords } from '../roles.js';
import { looksLikeFullName } from './child-reference.js';
import { parseContact } from './contact-value.js';
import { exampleDate, findEnGbDate } from './en-gb-dates.js';
import { splitPanelAction, type PanelDateField } from '../case/panel-form.js';

export { looksLikeFullName } from './child-reference.js';

export interface DirectiveParse {
  items: { line: string; directive: Directive }[];
  /** `Key: value` lines whose key we do not know: said back to the sender, never dropped silently. */
  unknown: string[];
  /** Known keys with values we could not use (said back to the sender; never repeats a child's name). */
  problems: string[];
}

export interface DirectiveOptions {
  /** Roles any ladder uses (so `Operational lead: …` works). */
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  /** The message's date: relative dates ("Due: Friday") are read from it. */
  reference: Date;
  timezone: string;
  /** The organisation's child reference format; default `DEFAULT_CHILD_REFERENCE`. */
  childReference?: { pattern: RegExp; example: string };
}

/** Letters and digits (with - / . between them) and at least two digits: `AB-1234`. Mirrors the config default. */
export const DEFAULT_CHILD_REFERENCE = { pattern: /^(?=(?:[^0-9]*[0-9]){2})[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*$/, example: 'AB-1234' };

/**
 * The fostering panel escalation form's date lines, by what people write: the form's own labels
 * ("Date of fostering panel", "Date sent to ADM") and the short forms ("Panel date", "Sent to ADM").
 */
const PANEL_DATE_KEYS: Record<string, PanelDateField> = {
  'panel date': 'panel-date',
  'date of panel': 'panel-date',
  'date of fostering panel': 'panel-date',
  'form due': 'form-due',
  'date for response': 'form-due',
  'escalation form due': 'form-due',
  'date received': 'received',
  'response received': 'received',
  'sent to chair': 'sent-to-chair',
  'sent to panel chair': 'sent-to-chair',
  'date sent to panel chair': 'sent-to-chair',
  'date sent to chair': 'sent-to-chair',
  'sent to adm': 'sent-to-adm',
  'date sent to adm': 'sent-to-adm',
  'feedback to panel': 'feedback-to-panel',
  'panel feedback': 'feedback-to-panel',
  'date for feedback': 'feedback-to-panel',
  'date for feedback to panel': 'feedback-to-panel',
  'date for feedback to fostering panel': 'feedback-to-panel',
};

/**
 * Whether the foster carer is kept informed (FIRO: "Where appropriate the foster carer should be
 * informed …"): `Foster carer informed: yes`. Read before the role names, so the line is never
 * taken for the carer's address.
 */
const CARER_INFORMED_KEYS = new Set([
  'foster carer informed',
  'carer informed',
  'inform foster carer',
  'inform carer',
  'inform the foster carer',
  'keep foster carer informed',
  'keep carer informed',
  'tell foster carer',
  'tell the foster carer',
]);

/** Step 6's further form: "Remaining concerns: …". */
const REMAINING_CONCERN_KEYS = new Set(['remaining concerns', 'remaining concern', 'still concerned', 'further form', 'aspects of concern']);

const KEY_LINE = /^([A-Za-z][A-Za-z’'/& -]{0,40}?)\s*:\s*(.*?)\s*$/;
const YES = /^(?:yes|y|true|on|yes please|yep|yeah|ja)$/i;
const NO = /^(?:no|n|false|off|none|nope)$/i;

/**
 * Keys that are prose, signatures or header lines, not directives: "Hi Sam:", "Tel: …",
 * "From: … Sent: …", "Pronouns: she/her", "Background: …".
 */
const NOT_DIRECTIVES = new Set([
  'hi',
  'dear',
  'hello',
  'hey',
  'morning',
  'good morning',
  'good afternoon',
  'thanks',
  'regards',
  'kind regards',
  'many thanks',
  'ps',
  'pps',
  'nb',
  'fyi',
  're',
  'fw',
  'fwd',
  'cc',
  'bcc',
  'from',
  'to',
  'sent',
  'date',
  'subject',
  'importance',
  'attachments',
  'attachment',
  'reply to',
  'on behalf of',
  'tel',
  'telephone',
  'phone',
  'mobile',
  'mob',
  'm',
  't',
  'e',
  'w',
  'f',
  'p',
  'email',
  'e-mail',
  'web',
  'website',
  'fax',
  'address',
  'office',
  'direct line',
  'direct dial',
  'switchboard',
  'ext',
  'extension',
  'teams',
  'pronouns',
  'working days',
  'working hours',
  'my working days',
  'my working hours',
  'hours',
  'twitter',
  'linkedin',
  'facebook',
  'instagram',
  'secure email',
  'out of hours',
  'emergency duty team',
  'edt',
  'job title',
  'role',
  'team',
  'service',
  'organisation',
  'company',
  'registered office',
  'registered in england',
  'company number',
  'charity number',
  'vat',
  'vat number',
  'ofsted urn',
  'urn',
  'http',
  'https',
  'mailto',
  'www',
  'note',
  'notes',
  'views',
  'update',
  'background',
  'summary',
  'context',
  'details',
  'issue',
  'question',
  'questions',
  'action',
  'actions',
  'outcome',
  'purpose',
  'agenda',
  'request',
  'reason',
  'history',
  'concern',
  'concerns',
  'please note',
  'important',
  'urgent note',
  'caution',
  'warning',
  'disclaimer',
  'confidentiality',
  'classification',
  'sensitivity',
  'official',
  'protective marking',
]);

function yesNo(v: string): boolean | undefined {
  const bare = v.replace(/[.!]+$/, '').trim();
  if (YES.test(bare)) return true;
  if (NO.test(bare)) return false;
  return undefined;
}

/** Bullets and the emphasis Gmail and Outlook leave in plain text: "- *Child:* AB-1234" → "Child: AB-1234". */
function cleanLine(line: string): string {
  let s = line.trim().replace(/^(?:[-•·▪◦]\s+|\d{1,2}[.)]\s+)/, '');
  s = s.replace(/^[*_]{1,2}(?=[A-Za-z])/, '');
  s = s.replace(/^([A-Za-z][A-Za-z’'/& -]{0,40}?)[*_]{0,2}\s*:\s*[*_]{0,2}/, '$1: ');
  return s.trim();
}

const CHILD_KEYS = new Set([
  'child',
  'child ref',
  'child reference',
  'childs ref',
  'childs reference',
  'young person',
  'young persons ref',
  'young persons reference',
  'yp',
  'yp ref',
  'child id',
]);

/** The key as one of ours ("Child"), so a problem never repeats what else the sender wrote on the line. */
function cleanKey(rawKey: string): string {
  return /^[A-Za-z][A-Za-z '’]{0,30}$/.test(rawKey) ? rawKey : 'Child';
}

/** Parses one `Key: value` line; undefined when the line is not shaped like a directive. */
export function parseDirectiveLine(line: string, opts: DirectiveOptions): { directive: Directive } | { unknown: string } | { problem: string } | undefined {
  const m = KEY_LINE.exec(cleanLine(line));
  if (!m) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  const rawKey = m[1]!.trim();
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
  const value = m[2]!.replace(/[*_]+$/, '').trim();
  const key = rawKey.toLowerCase().replace(/[’']/g, '').replace(/\s+/g, ' ');
  // The panel form's own labels may be longer ("Date for feedback to fostering panel").
  if (!(key in PANEL_DATE_KEYS) && (key.split(' ').length > 4 || NOT_DIRECTIVES.has(key))) return undefined;
  if (value === '') {
    return CHILD_KEYS.has(key) || ['ladder', 'category', 'due', 'due date'].includes(key) ? { problem: `${rawKey}: nothing after the colon` } : undefined;
  }
  if (CHILD_KEYS.has(key)) {
    // Never repeat the value in what we say back: it may well be the child's name.
    const format = opts.childReference ?? DEFAULT_CHILD_REFERENCE;
    const key = cleanKey(rawKey);
    if (looksLikeFullName(value)) {
      return { problem: `${key}: that looks like a name, so it was not recorded. Use the child's reference (e.g. ${format.example}), never their name.` };
    }
    const ref = value.replace(/[.]+$/, '');
    if (ref.length > 40 || !format.pattern.test(ref)) {
      return {
        problem: `${key}: that is not a child reference in this organisation's format (e.g. ${format.example}), so it was not recorded. Use the reference, never a name.`,
      };
    }
    return { directive: { kind: 'child', ref } };
  }
  const panelField = PANEL_DATE_KEYS[key];
  if (panelField) {
    const d = findEnGbDate(value, opts.reference, opts.timezone);
    if (!d) return { problem: `${rawKey}: "${value.slice(0, 60)}" is not a date I can read (try ${exampleDate(opts.reference, opts.timezone)})` };
    return { directive: { kind: 'panel-date', field: panelField, date: d.date } };
  }
  if (CARER_INFORMED_KEYS.has(key)) {
    const yn = yesNo(value);
    if (yn === undefined) return { problem: `${rawKey}: answer yes or no (and give the carer's address on a line such as "Foster carer: Name <address>")` };
    return { directive: { kind: 'flag', flag: 'carer-informed', value: yn } };
  }
  if (REMAINING_CONCERN_KEYS.has(key)) return { directive: { kind: 'remaining-concerns', text: value.slice(0, 2000) } };
  switch (key) {
    case 'panel action':
    case 'section c action': {
      const parts = splitPanelAction(value);
      if (!parts)
        return {
          problem: `${rawKey}: give the action, who and by when, separated by semicolons (Panel action: review the assessment; Team manager; 15 January 2027)`,
        };
      const when = parts.when ? findEnGbDate(parts.when, opts.reference, opts.timezone) : undefined;
      const byWhen = when ? { by: when.date } : parts.when ? { byText: parts.when } : {};
      return { directive: { kind: 'panel-action', action: { action: parts.action, who: parts.who, ...byWhen } } };
    }
    case 'ladder': {
      const id = value.toLowerCase().replace(/[.]+$/, '').replace(/\s+/g, '-');
      const ids = [...opts.ladderIds];
      if (!ids.includes(id)) return { problem: `Ladder: "${value.slice(0, 60)}" is not a ladder here (${ids.join(', ')})` };
      return { directive: { kind: 'ladder', ladderId: id } };
    }
    case 'category':
      return { directive: { kind: 'category', value: value.slice(0, 120) } };
    case 'due':
    case 'due date':
    case 'deadline':
    case 'due by': {
      const d = findEnGbDate(value, opts.reference, opts.timezone);
      if (!d) return { problem: `${rawKey}: "${value.slice(0, 60)}" is not a date I can read (try ${exampleDate(opts.reference, opts.timezone)})` };
      return { directive: { kind: 'due', date: d.date } };
    }
    case 'safeguarding':
    case 'child protection':
    case 'cp':
    case 'urgent': {
      const yn = yesNo(value);
      if (yn === undefined) return { problem: `${rawKey}: answer yes or no` };
      const flag = key === 'child protection' || key === 'cp' ? 'child-protection' : 'safeguarding';
      return { directive: { kind: 'flag', flag, value: yn } };
    }
    case 'imminent':
    case 'imminent risk': {
      const yn = yesNo(value);
      if (yn === undefined) return { problem: `${rawKey}: answer yes or no` };
      return yn ? { directive: { kind: 'imminent' } } : { directive: { kind: 'flag', flag: 'safeguarding', value: false } };
    }
  }
  const role = key === 'psw' ? 'psw' : key === 'iro' ? 'iro' : roleFromWords(rawKey, opts.roles);
  // "PSW: yes" copies the PSW; "IRO: yes" informs the IRO from the first step. With an address
  // instead, the line names who holds the role.
  if (role === 'psw' || role === 'iro') {
    const yn = yesNo(value);
    if (yn !== undefined) return { directive: { kind: 'flag', flag: role, value: yn } };
  }
  if (role) {
    const contact = parseContact(value);
    if ('error' in contact) return { problem: `${rawKey}: ${contact.error}` };
    return { directive: { kind: 'contact', role, contact } };
  }
  // Long values are prose that happens to contain a colon, not a directive we failed to know.
  if (value.length > 200) return undefined;
  return { unknown: cleanLine(line).slice(0, 200) };
}

/** Every directive line of the text given (the caller removes quoted history first). */
export function parseDirectives(newText: string, opts: DirectiveOptions): DirectiveParse {
  const out: DirectiveParse = { items: [], unknown: [], problems: [] };
  for (const line of newText.split(/\r?\n/).slice(0, 500)) {
    const r = parseDirectiveLine(line, opts);
    if (!r) continue;
    if ('directive' in r) out.items.push({ line: cleanLine(line), directive: r.directive });
    else if ('unknown' in r) {
      if (!out.unknown.includes(r.unknown)) out.unknown.push(r.unknown);
    } else if (!out.problems.includes(r.problem)) out.problems.push(r.problem);
  }
  return out;
}
