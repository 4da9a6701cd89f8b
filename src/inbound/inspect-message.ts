import type { CommandLine } from '../domain/commands/command.js';
import { analyseMessage, type MessageAnalysis } from '../domain/inbound/analyse-message.js';
import type { Authentication } from '../domain/inbound/authentication.js';
import type { SenderVerification, TrustSetting } from '../domain/inbound/sender-verification.js';
import type { BounceRecipient } from '../domain/inbound/automatic.js';
import type { Classification } from '../domain/inbound/classify-reply.js';
import type { DirectiveParse } from '../domain/inbound/directives.js';
import type { WorkingDays } from '../domain/inbound/en-gb-dates.js';
import { isTnef, type Address } from '../domain/inbound/inbound-mail.js';
import { parseMessage } from './parse-message.js';
import { describeThrown } from '../lib/error-message.js';

export interface InspectOptions {
  inboxAddress: string;
  timezone: string;
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  trustedAuthservIds: string[];
  /** The organisation's trust source (README, Trust); default from `trustedAuthservIds`. */
  trust?: TrustSetting;
  /** The organisation's working days (its calendar), as the ingest job uses them. */
  workingDays?: WorkingDays;
  /** Stands in for the IMAP internal date: used when the Date header is missing or invalid. */
  receivedAt: Date;
  maxHtmlLength: number;
}

/** What the service makes of one message, as plain JSON. Changes nothing and reads no clock. */
export interface InspectReport {
  messageId: string;
  from?: Address;
  sender?: Address;
  to: Address[];
  cc: Address[];
  subject: string;
  /** ISO instant: the Date header, or `receivedAt` when it was missing or invalid. */
  date: string;
  dateFromHeader: boolean;
  inReplyTo?: string;
  references: string[];
  threadIds: string[];
  automatic: MessageAnalysis['automatic']['kind'];
  automaticReason?: string;
  /** An out-of-office's stated return date. */
  returnDate?: string;
  bounce?: {
    recipients: BounceRecipient[];
    originalMessageId?: string;
    originalReferences: string[];
    originalCaseTag?: string;
  };
  newText: string;
  newTextSource: 'html' | 'text';
  classification: Classification;
  command: { lines: { line: string; command: CommandLine['command'] }[]; errors: string[] };
  directives: DirectiveParse;
  caseTag?: string;
  escalateTag: boolean;
  plusLadder?: string;
  plusToken?: string;
  plusUnknown?: string;
  authentication: Authentication;
  verification: SenderVerification;
  attachments: { filename?: string; contentType: string; size: number; tnef: boolean }[];
  tnef: boolean;
  parseProblems: string[];
  parseWarnings: string[];
}

export async function inspectMessage(raw: Buffer, opts: InspectOptions): Promise<InspectReport> {
  const mail = await parseMessage(raw, { receivedAt: opts.receivedAt, maxHtmlLength: opts.maxHtmlLength });
  let analysis: MessageAnalysis;
  try {
    analysis = analyseMessage(mail, {
      inboxAddress: opts.inboxAddress,
      timezone: opts.timezone,
      roles: opts.roles,
      ladderIds: opts.ladderIds,
      trustedAuthservIds: opts.trustedAuthservIds,
      ...(opts.trust ? { trust: opts.trust } : {}),
      ...(opts.workingDays ? { workingDays: opts.workingDays } : {}),
      maxHtmlLength: opts.maxHtmlLength,
    });
  } catch (error) {
    // The analysis is pure and should not throw; if it does, say so rather than crash the CLI.
    mail.parseProblems.push(`analysis failed: ${describeThrown(error).slice(0, 200)}`);
    analysis = analyseMessage(
      { ...mail, text: '', html: undefined, subject: '' },
      {
        inboxAddress: opts.inboxAddress,
        timezone: opts.timezone,
        roles: [],
        ladderIds: [],
        trustedAuthservIds: [],
      },
    );
  }
  return {
    messageId: mail.messageId,
    ...(mail.from ? { from: mail.from } : {}),
    ...(mail.sender ? { sender: mail.sender } : {}),
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    date: mail.date.toISOString(),
    dateFromHeader: mail.dateFromHeader,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references: mail.references,
    threadIds: analysis.threadIds,
    automatic: analysis.automatic.kind,
    ...(analysis.automatic.reason ? { automaticReason: analysis.automatic.reason } : {}),
    ...(analysis.automatic.returnDate ? { returnDate: analysis.automatic.returnDate } : {}),
    ...(analysis.bounce ? { bounce: analysis.bounce } : {}),
    newText: analysis.newText,
    newTextSource: analysis.newTextSource,
    classification: analysis.classification,
    command: { lines: analysis.commands.lines.map((l) => ({ line: l.line, command: l.command })), errors: analysis.commands.errors },
    directives: analysis.directives,
    ...(analysis.caseTag ? { caseTag: analysis.caseTag } : {}),
    escalateTag: analysis.escalateTag,
    ...(analysis.plusLadder ? { plusLadder: analysis.plusLadder } : {}),
    ...(analysis.plusToken ? { plusToken: analysis.plusToken } : {}),
    ...(analysis.plusUnknown ? { plusUnknown: analysis.plusUnknown } : {}),
    authentication: analysis.authentication,
    verification: analysis.verification,
    attachments: mail.attachments.map((a) => ({ ...a, tnef: isTnef(a) })),
    tnef: analysis.tnef,
    parseProblems: mail.parseProblems,
    parseWarnings: mail.parseWarnings ?? [],
  };
}

function describeCommand(c: CommandLine['command']): string {
  switch (c.kind) {
    case 'pause':
      return `PAUSE until ${c.until}`;
    case 'extend':
      return `EXTEND by ${c.by.n}${c.by.unit}`;
    case 'views':
    case 'note':
      return `${c.kind.toUpperCase()}: ${c.text}`;
    case 'directive':
      return `directive ${describeDirective(c.directive)}`;
    default:
      return c.kind.toUpperCase();
  }
}

function describeDirective(d: DirectiveParse['items'][number]['directive']): string {
  switch (d.kind) {
    case 'ladder':
      return `ladder = ${d.ladderId}`;
    case 'child':
      return `child = ${d.ref}`;
    case 'contact':
      return `${d.role} = ${d.contact.name ? `${d.contact.name} <${d.contact.email}>` : d.contact.email}`;
    case 'flag':
      return `${d.flag} = ${d.value ? 'yes' : 'no'}`;
    case 'imminent':
      return 'imminent risk = yes';
    case 'category':
      return `category = ${d.value}`;
    case 'due':
      return `due = ${d.date}`;
    case 'panel-date':
      return `panel form ${d.field} = ${d.date}`;
    case 'panel-action':
      return `panel form action = ${d.action.action}; ${d.action.who}; ${d.action.by ?? d.action.byText ?? ''}`;
    case 'remaining-concerns':
      return 'panel form remaining concerns = (text)';
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** The report as a person reads it at a terminal. */
export function formatInspectReport(r: InspectReport): string {
  const out: string[] = [];
  const who = (a?: Address) => (a ? (a.name ? `${a.name} <${a.address}>` : a.address) : '(none)');
  out.push(`Message-ID:   ${r.messageId}`);
  out.push(`From:         ${who(r.from)}${r.sender ? ` (sent by ${who(r.sender)})` : ''}`);
  if (r.to.length) out.push(`To:           ${r.to.map((a) => who(a)).join(', ')}`);
  if (r.cc.length) out.push(`Cc:           ${r.cc.map((a) => who(a)).join(', ')}`);
  out.push(`Subject:      ${r.subject || '(none)'}`);
  out.push(`Date:         ${r.date}${r.dateFromHeader ? '' : ' (received time: the Date header was missing or invalid)'}`);
  if (r.threadIds.length) out.push(`Thread ids:   ${r.threadIds.join(' ')}`);
  out.push('');
  if (r.parseProblems.length) {
    out.push('PARSE PROBLEMS (the message would change nothing):');
    for (const p of r.parseProblems) out.push(`  - ${p}`);
  }
  if (r.parseWarnings.length) {
    out.push('Parse warnings:');
    for (const w of r.parseWarnings) out.push(`  - ${w}`);
  }
  out.push(`Automatic:    ${r.automatic}${r.automaticReason ? ` (${r.automaticReason})` : ''}${r.returnDate ? `, back ${r.returnDate}` : ''}`);
  if (r.bounce) {
    out.push('Bounce:');
    for (const b of r.bounce.recipients) {
      out.push(
        `  - ${b.address}: ${b.action ?? '?'} ${b.status ?? ''}${b.permanent ? ' (permanent)' : ' (temporary)'}${b.diagnostic ? ` — ${b.diagnostic}` : ''}`,
      );
    }
    if (r.bounce.recipients.length === 0) out.push('  (no recipients listed)');
    out.push(
      `  returned message: ${r.bounce.originalMessageId ?? '(no Message-ID returned)'}${r.bounce.originalCaseTag ? ` [${r.bounce.originalCaseTag}]` : ''}`,
    );
  }
  out.push(`Case tag:     ${r.caseTag ?? '(none)'}`);
  out.push(`Escalate tag: ${r.escalateTag ? 'yes' : 'no'}`);
  if (r.plusLadder) out.push(`Plus ladder:  ${r.plusLadder}`);
  if (r.plusToken) out.push(`Plus token:   ${r.plusToken}`);
  if (r.plusUnknown) out.push(`Plus address: +${r.plusUnknown} (neither a ladder here nor a case token)`);
  const auth = r.authentication;
  out.push(
    `Sender auth:  ${auth.trusted ? `${auth.verdict ?? 'none'} per ${auth.authservId} (dmarc=${auth.dmarc ?? '-'} dkim=${auth.dkim ?? '-'} spf=${auth.spf ?? '-'})${auth.reason ? ` — ${auth.reason}` : ''}` : 'no trusted Authentication-Results header'}`,
  );
  out.push(`Sender:       ${r.verification.status}${r.verification.by ? ` by ${r.verification.by}` : ''} — ${r.verification.reason}`);
  out.push('');
  out.push(`New text (from the ${r.newTextSource === 'html' ? 'HTML part' : 'plain text'}):`);
  out.push(r.newText ? indent(r.newText) : '    (empty)');
  out.push('');
  const c = r.classification;
  out.push(`As a chased recipient's reply: ${c.class}${c.promiseDate ? ` until ${c.promiseDate}` : ''}${c.evidence ? ` — "${c.evidence}"` : ''}`);
  if (r.command.lines.length || r.command.errors.length) {
    out.push('As staff commands:');
    for (const l of r.command.lines) out.push(`  - ${describeCommand(l.command)}   ← "${l.line}"`);
    for (const e of r.command.errors) out.push(`  ! ${e}`);
  } else out.push('As staff commands: none');
  const d = r.directives;
  if (d.items.length || d.unknown.length || d.problems.length) {
    out.push('Directives:');
    for (const i of d.items) out.push(`  - ${describeDirective(i.directive)}`);
    for (const u of d.unknown) out.push(`  ? not understood: ${u}`);
    for (const p of d.problems) out.push(`  ! ${p}`);
  } else out.push('Directives: none');
  if (r.attachments.length) {
    out.push('Attachments:');
    for (const a of r.attachments) out.push(`  - ${a.filename ?? '(no name)'} ${a.contentType}, ${a.size} bytes${a.tnef ? ' (TNEF: kept, not decoded)' : ''}`);
  }
  return `${out.join('\n')}\n`;
}
