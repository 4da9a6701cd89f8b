import type { Repositories } from '../../db/repositories/index.js';
import type { Contact } from '../../domain/case/case-state.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import type { Deps } from '../../runtime/deps.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { writeOrgNotice } from '../org-notice.js';
import type { OutboxWork } from '../outbox-writer.js';
import { must } from '../../lib/must.js';

type LimitDeps = Pick<Deps, 'limits' | 'secret' | 'metrics'>;

const HOUR_MS = 3600_000;

/** The clock hour a moment falls in, as a key ("2026-11-23T10"). */
function hourKey(at: Date): string {
  return at.toISOString().slice(0, 13);
}

/** The sender of a mail that reached the limits: ingest turns away a mail with no From before. */
function fromOf(mail: InboundMail): NonNullable<InboundMail['from']> {
  return must(mail.from, 'the sender');
}

function contactOf(mail: InboundMail): Contact {
  const from = fromOf(mail);
  return { email: from.address, ...(from.name ? { name: from.name } : {}) };
}

/**
 * A tagged request from staff that would open a case, checked against the limits first:
 * `recipientsPerOpening` (addresses in To and Cc besides the inbox and the sender) and
 * `openingsPerSenderPerHour` (cases this sender opened in the last hour, counted under a lock per
 * sender so two workers cannot both slip under it). Over either, nothing is opened and the sender
 * is told why and what to do (once an hour for the openings limit: a looping sender gets one
 * answer, not one per message). Returns the reason, or nothing when the request may open.
 */
export async function refuseOpening(
  tx: Repositories,
  deps: LimitDeps,
  org: OrgRuntime,
  mail: InboundMail,
  messageRowId: string,
  now: Date,
): Promise<{ reason: string; work: OutboxWork } | undefined> {
  const limits = deps.limits;
  const sender = fromOf(mail).address;
  const named = new Set([...mail.to, ...mail.cc].map((a) => a.address).filter((a) => !org.isInbox(a) && a !== sender));
  const when = org.calendar.format(mail.date);
  if (limits.recipientsPerOpening > 0 && named.size > limits.recipientsPerOpening) {
    deps.metrics?.limitReached('recipients-per-opening');
    const reason = `the request names ${named.size} addresses in To and Cc; at most ${limits.recipientsPerOpening} may be named (limits.recipientsPerOpening)`;
    const row = await writeOrgNotice(tx, org, deps, {
      kind: 'request-refused',
      dedupeKey: `request-refused:${messageRowId}`,
      to: [contactOf(mail)],
      now,
      notBefore: now,
      causeSender: sender,
      model: {
        name: fromOf(mail).name ?? sender,
        sentAt: when,
        why: 'too many recipients',
        reason: `it names ${named.size} people in To and Cc, and one request may name at most ${limits.recipientsPerOpening}.`,
        whatToDo:
          'Send one request per professional you are chasing, each with the escalation inbox copied, or put the people who only need to know in a directive on the case once it is open (for example "Team manager: Name <address>").',
      },
    });
    return { reason, work: { sends: row ? [{ id: row.id, attempt: 0, at: row.at }] : [] } };
  }
  if (limits.openingsPerSenderPerHour > 0) {
    const opened = await tx.messages.lockAndCountOpenings(org.id, org.mailbox, sender, new Date(now.getTime() - HOUR_MS));
    if (opened >= limits.openingsPerSenderPerHour) {
      deps.metrics?.limitReached('openings-per-sender-per-hour');
      const reason = `the sender opened ${opened} cases in the last hour; at most ${limits.openingsPerSenderPerHour} an hour (limits.openingsPerSenderPerHour)`;
      const row = await writeOrgNotice(tx, org, deps, {
        kind: 'request-refused',
        // One answer an hour: a mailbox rule resending requests gets one reply, not one per message.
        dedupeKey: `openings-refused:${org.id}:${sender}:${hourKey(now)}`,
        to: [contactOf(mail)],
        now,
        notBefore: now,
        causeSender: sender,
        model: {
          name: fromOf(mail).name ?? sender,
          sentAt: when,
          why: 'too many requests this hour',
          reason: `you have opened ${opened} cases in the last hour, and one person may open at most ${limits.openingsPerSenderPerHour} an hour. (Further requests this hour are kept but not opened or answered.)`,
          whatToDo:
            'If these requests are genuine, send this one again in an hour, or ask whoever runs the escalation inbox to raise the limit. If you did not send them, a mailbox rule or someone using your account may be: please check with IT.',
        },
      });
      return { reason, work: { sends: row ? [{ id: row.id, attempt: 0, at: row.at }] : [] } };
    }
  }
  return undefined;
}

/**
 * A message that was not read (over the size limit, HTML over its limit, or too costly to parse):
 * recorded on its case when it has one, and the people who can do something told — the sender
 * when they are staff (at most once an hour each), the RM when it came from a participant of the
 * case. A stranger's is recorded only.
 */
export async function tellNotRead(
  tx: Repositories,
  deps: LimitDeps,
  org: OrgRuntime,
  input: {
    mail: InboundMail;
    messageRowId: string;
    messageKey: string;
    size: number;
    reason: string;
    now: Date;
    senderIsStaff: boolean;
    caseInfo?: { id: string; ref: string; senderRole?: string };
  },
): Promise<OutboxWork> {
  const { mail, now } = input;
  const sends: OutboxWork['sends'] = [];
  const sender = mail.from?.address;
  const sizeText = `${(input.size / (1024 * 1024)).toFixed(1)} MB`;
  if (input.caseInfo) {
    tx.cases.addEvents(
      input.caseInfo.id,
      [
        {
          type: 'message-not-read',
          actor: sender ?? 'unknown',
          at: now.toISOString(),
          detail: { message: input.messageKey, size: input.size, reason: input.reason },
        },
      ],
      `message:${input.messageRowId}`,
    );
  }
  const whatToDo =
    'Send it again without the large attachments: share them through your secure file transfer or document store and send a link, or split the message into several smaller ones. A plain-text version also helps.';
  if (sender && input.senderIsStaff) {
    const row = await writeOrgNotice(tx, org, deps, {
      kind: 'not-read',
      dedupeKey: `not-read:${org.id}:${sender}:${hourKey(now)}`,
      to: [contactOf(mail)],
      now,
      notBefore: now,
      causeSender: sender,
      model: {
        name: fromOf(mail).name ?? sender,
        forSender: true,
        who: 'your message',
        subject: mail.subject || '(no subject)',
        sentAt: org.calendar.format(mail.date),
        caseRef: input.caseInfo?.ref ?? '',
        size: sizeText,
        reason: input.reason,
        whatToDo,
      },
    });
    if (row) sends.push({ id: row.id, attempt: 0, at: row.at });
  } else if (sender && input.caseInfo?.senderRole) {
    const row = await writeOrgNotice(tx, org, deps, {
      kind: 'not-read',
      dedupeKey: `not-read:${input.messageRowId}`,
      to: [org.manager],
      now,
      notBefore: now,
      causeSender: sender,
      model: {
        name: org.manager.name ?? org.manager.email,
        forSender: false,
        who: `a message from ${fromOf(mail).name ? `${fromOf(mail).name} <${sender}>` : sender}`,
        subject: mail.subject || '(no subject)',
        sentAt: org.calendar.format(mail.date),
        caseRef: input.caseInfo.ref,
        size: sizeText,
        reason: input.reason,
        whatToDo: `Nothing on the case has changed. Ask them to ${whatToDo.charAt(0).toLowerCase()}${whatToDo.slice(1)}`,
      },
    });
    if (row) sends.push({ id: row.id, attempt: 0, at: row.at });
  }
  return { sends };
}
