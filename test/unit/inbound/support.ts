import { readFileSync } from 'node:fs';
import type { Command, Directive } from '../../../src/domain/commands/command.js';
import type { AnalysisOptions } from '../../../src/domain/inbound/analyse-message.js';
import { topReceivedDate } from '../../../src/inbound/parse-message.js';

export const FIXTURES = new URL('../../fixtures/mail/', import.meta.url);

export const INBOX = 'escalations@sunrise-homes.org.uk';
export const TZ = 'Europe/London';
export const ROLES = [
  'professional',
  'originator',
  'rm',
  'team-manager',
  'iro',
  'assistant-director',
  'dcs',
  'lscp',
  'ofsted-inspector',
  'psw',
  'foster-carer',
  'ssw',
];
export const LADDERS = ['childrens-home-reg5', 'foster-carer-concern', 'fostering-panel', 'firo-dispute-resolution', 'practice-disagreement'];
export const TRUSTED = ['mx.sunrise-homes.org.uk'];

export const ANALYSIS_OPTIONS: AnalysisOptions = {
  inboxAddress: INBOX,
  timezone: TZ,
  roles: ROLES,
  ladderIds: LADDERS,
  trustedAuthservIds: TRUSTED,
  maxHtmlLength: 1_000_000,
};

export function readFixture(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURES));
}

/**
 * The IMAP internal date stands in for "when the server received it": the date of the topmost
 * Received header (the one our own server wrote), as a mail store would record it.
 */
export function receivedAtOf(raw: Buffer): Date {
  const date = topReceivedDate(raw);
  if (!date) throw new Error('fixture has no dated Received header');
  return date;
}

/** A directive as a short string, for compact expectations: "contact:team-manager:jo@…". */
export function describeDirective(d: Directive): string {
  switch (d.kind) {
    case 'ladder':
      return `ladder:${d.ladderId}`;
    case 'child':
      return `child:${d.ref}`;
    case 'contact':
      return `contact:${d.role}:${d.contact.email}${d.contact.name ? `:${d.contact.name}` : ''}`;
    case 'flag':
      return `flag:${d.flag}:${d.value}`;
    case 'imminent':
      return 'imminent';
    case 'category':
      return `category:${d.value}`;
    case 'due':
      return `due:${d.date}`;
    case 'panel-date':
      return `panel-date:${d.field}:${d.date}`;
    case 'panel-action':
      return `panel-action:${d.action.action}:${d.action.who}:${d.action.by ?? d.action.byText ?? ''}`;
    case 'remaining-concerns':
      return `remaining-concerns:${d.text}`;
  }
}

export function describeCommand(c: Command): string {
  switch (c.kind) {
    case 'pause':
      return `pause:${c.until}`;
    case 'extend':
      return `extend:${c.by.n}${c.by.unit}`;
    case 'views':
    case 'note':
      return `${c.kind}:${c.text}`;
    case 'directive':
      return `directive:${describeDirective(c.directive)}`;
    default:
      return c.kind;
  }
}
