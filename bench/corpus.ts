import { Prng } from './prng.js';
import { must } from './must.js';

/**
 * The benchmark's mail, generated from a seed: the same seed gives the same bytes. Shaped like
 * what a children's-home inbox really receives from Outlook/Exchange and Gmail: tagged requests
 * from staff with directives, replies from the professional quoting the thread, out-of-office
 * answers and delivery failures, each 3–150 KB (HTML alternative parts, quoted history, and
 * PDF-sized attachments for the large ones).
 */

export const INBOX = 'escalations@sunrise-homes.org.uk';
export const STAFF_DOMAIN = 'sunrise-homes.org.uk';
export const RM = { name: 'Alex Morgan', email: 'alex.morgan@sunrise-homes.org.uk' };
/** The authserv-id the service trusts (config `trust.authservIds`). */
export const AUTHSERV = 'mx.sunrise-homes.org.uk';

export type CorpusKind = 'request' | 'reply' | 'ooo' | 'bounce';

export interface CorpusMessage {
  kind: CorpusKind;
  messageId: string;
  raw: Buffer;
  /** For replies, out-of-office and bounces: the index of the request they answer. */
  answers?: number;
}

export interface CorpusOptions {
  seed: number;
  /** Dates in the headers are shortly before this moment. */
  now: Date;
  /** Smallest and largest message, bytes. */
  minBytes?: number;
  maxBytes?: number;
  /** Share of each kind (the rest are requests). */
  mix?: { reply: number; ooo: number; bounce: number };
  /** A reply is always to a request at least this many messages earlier (its case exists by then). */
  gap?: number;
}

const STAFF = [
  RM,
  { name: 'Priya Shah', email: 'priya.shah@sunrise-homes.org.uk' },
  { name: 'Tom Hughes', email: 'tom.hughes@sunrise-homes.org.uk' },
  { name: 'Grace Okafor', email: 'grace.okafor@sunrise-homes.org.uk' },
];
const AUTHORITIES = ['northshire.gov.uk', 'southmoor.gov.uk', 'westvale.gov.uk', 'eastbridge.gov.uk', 'lowfield.gov.uk'];
const FIRST = ['Sam', 'Jo', 'Chris', 'Kim', 'Lee', 'Pat', 'Robin', 'Jamie', 'Alex', 'Dana', 'Morgan', 'Taylor'];
const LAST = ['Patel', 'Bennett', 'Osei', 'Walsh', 'Reid', 'Khan', 'Evans', 'Murphy', 'Clarke', 'Ahmed', 'Doyle', 'Price'];
const TOPICS: [string, string][] = [
  ['LAC review minutes', 'the minutes of the Looked After Review held on 2 November'],
  ['Care plan', 'the updated care plan agreed at the last review'],
  ['Pathway plan', 'the pathway plan, which is now overdue'],
  ['Health assessment', 'the report of the review health assessment'],
  ['PEP notes', 'the notes of the Personal Education Plan meeting'],
  ['Placement plan', 'the signed placement plan'],
  ['Delegated authority', 'the delegated authority form for school trips'],
  ['Statutory visit', 'the record of the last statutory visit'],
];
const REPLIES: [string, string][] = [
  ['resolved', 'Please find the minutes attached. Apologies for the delay, this is now completed.'],
  ['promise', 'I will send them over by Friday 4 December once my manager has signed them off.'],
  ['acknowledged', 'Thanks for the reminder. I am looking into this and will come back to you.'],
  ['disputed', 'I do not agree that this is outstanding: the document was sent to the home on 2 November.'],
  ['other', 'Could you let me know which review you mean? There were two in October.'],
];
const LOREM =
  'The young person has settled well and continues to attend school every day. Staff have kept the ' +
  'placing authority informed of progress at each stage, and the home has followed up by phone and ' +
  'email. We would be grateful for the document so that the plan can be kept up to date and shared ' +
  'with the young person, their advocate and the Independent Reviewing Officer as the regulations require.';

const CRLF = '\r\n';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** RFC 5322 date in UTC. */
export function mailDate(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

/** Quoted-printable for ASCII text (what Outlook writes): `=` escaped, lines soft-wrapped at 76. */
function qp(text: string): string {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let rest = line.replace(/=/g, '=3D').replace(/[^\x20-\x7e]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    while (rest.length > 75) {
      let cut = 75;
      // Never split an =XX escape.
      const eq = rest.lastIndexOf('=', cut);
      if (eq > cut - 3) cut = eq;
      out.push(`${rest.slice(0, cut)}=`);
      rest = rest.slice(cut);
    }
    out.push(rest);
  }
  return out.join(CRLF);
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

function html(paragraphs: string[]): string {
  const style =
    '<style><!--\r\n@font-face {font-family:"Cambria Math"; panose-1:2 4 5 3 5 4 6 3 2 4;}\r\n@font-face {font-family:Aptos;}\r\n' +
    'p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:12.0pt; font-family:"Aptos",sans-serif;}\r\n' +
    'a:link, span.MsoHyperlink {mso-style-priority:99; color:#467886; text-decoration:underline;}\r\n' +
    'span.EmailStyle17 {mso-style-type:personal-compose; font-family:"Aptos",sans-serif; color:windowtext;}\r\n' +
    '.MsoChpDefault {mso-style-type:export-only; font-size:11.0pt;}\r\n@page WordSection1 {size:612.0pt 792.0pt; margin:72.0pt 72.0pt 72.0pt 72.0pt;}\r\n' +
    'div.WordSection1 {page:WordSection1;}\r\n--></style>';
  const body = paragraphs
    .map(
      (p) =>
        `<p class="MsoNormal">${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>\r\n')}<o:p></o:p></p>\r\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>`,
    )
    .join('\r\n');
  return (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" ' +
    'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">\r\n<head>\r\n' +
    '<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">\r\n<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\r\n' +
    `${style}\r\n</head>\r\n<body lang="EN-GB" link="#467886" vlink="#96607D" style="word-wrap:break-word">\r\n<div class="WordSection1">\r\n${body}\r\n</div>\r\n</body>\r\n</html>`
  );
}

interface Person {
  name: string;
  email: string;
}

interface RequestFacts {
  messageId: string;
  subject: string;
  from: Person;
  professional: Person;
  sentAt: Date;
  text: string;
}

export class CorpusGenerator {
  private readonly rng: Prng;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly mix: { reply: number; ooo: number; bounce: number };
  private readonly gap: number;
  private seq = 0;
  private readonly requests: RequestFacts[] = [];

  constructor(private readonly o: CorpusOptions) {
    this.rng = new Prng(o.seed);
    this.minBytes = o.minBytes ?? 3 * 1024;
    this.maxBytes = o.maxBytes ?? 150 * 1024;
    this.mix = o.mix ?? { reply: 0.35, ooo: 0.15, bounce: 0.1 };
    this.gap = o.gap ?? 25;
  }

  /** `count` messages in delivery order; answers only ever follow their request by `gap` or more. */
  corpus(count: number): CorpusMessage[] {
    const out: CorpusMessage[] = [];
    const requestAt: number[] = [];
    for (let i = 0; i < count; i++) {
      const eligible = requestAt.filter((at) => at <= i - this.gap);
      const u = this.rng.next();
      let kind: CorpusKind = 'request';
      if (eligible.length > 0) {
        if (u < this.mix.reply) kind = 'reply';
        else if (u < this.mix.reply + this.mix.ooo) kind = 'ooo';
        else if (u < this.mix.reply + this.mix.ooo + this.mix.bounce) kind = 'bounce';
      }
      if (kind === 'request') {
        requestAt.push(i);
        out.push(this.request());
        continue;
      }
      const target = this.rng.pick(eligible);
      const req = must(this.requests[requestAt.indexOf(target)], `request answered by message ${target}`);
      const msg = kind === 'reply' ? this.reply(req) : kind === 'ooo' ? this.outOfOffice(req) : this.bounce(req);
      out.push({ ...msg, answers: target });
    }
    return out;
  }

  /** Target size: log-uniform between min and max, so most mail is small and a few carry attachments. */
  private size(): number {
    return Math.round(this.minBytes * (this.maxBytes / this.minBytes) ** this.rng.next());
  }

  private person(domain: string): Person {
    const first = this.rng.pick(FIRST);
    const last = this.rng.pick(LAST);
    return { name: `${first} ${last}`, email: `${first}.${last}@${domain}`.toLowerCase() };
  }

  private date(): Date {
    // Sent in the last hour or so before delivery.
    return new Date(this.o.now.getTime() - this.rng.int(5, 3600) * 1000);
  }

  private outlookId(): string {
    this.seq++;
    return `<${this.rng.hex(32).toUpperCase()}${this.seq}@LO4P265MB${this.rng.int(1000, 9999)}.GBRP265.PROD.OUTLOOK.COM>`;
  }

  private received(from: string, at: Date): string[] {
    const d = mailDate(at);
    return [
      'Return-Path: <' + from + '>',
      `Delivered-To: ${INBOX}`,
      'Received: from mx.sunrise-homes.org.uk',
      `\tby imap.sunrise-homes.org.uk with LMTP id ${this.rng.hex(12)}`,
      `\t(envelope-from <${from}>)`,
      `\tfor <${INBOX}>; ${d}`,
      `X-Original-To: ${INBOX}`,
      `Authentication-Results: ${AUTHSERV};`,
      `\tdkim=pass (2048-bit key; unprotected) header.d=${from.split('@')[1]} header.s=selector1 header.b=${this.rng.hex(8)};`,
      `\tdmarc=pass (p=reject dis=none) header.from=${from.split('@')[1]};`,
      `\tspf=pass (${AUTHSERV}: domain of ${from} designates 40.107.22.${this.rng.int(1, 254)} as permitted sender) smtp.mailfrom=${from}`,
      `Received: from mail-am6eur05on2${this.rng.int(100, 999)}.outbound.protection.outlook.com (mail-am6eur05on2118.outbound.protection.outlook.com [40.107.22.118])`,
      '\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))',
      `\tby ${AUTHSERV} (Postfix) with ESMTPS id ${this.rng.hex(10).toUpperCase()}`,
      `\tfor <${INBOX}>; ${d}`,
    ];
  }

  /**
   * multipart/mixed (when an attachment is needed to reach the size) around multipart/alternative
   * text + HTML; the text grows with quoted history first, then an attachment takes the rest.
   */
  private body(headers: string[], text: string, history: string, target: number, attachmentName: string): Buffer {
    const tag = this.rng.hex(24).toUpperCase();
    const alt = `_000_${tag}_`;
    const build = (extra: string): string => {
      const fullText = extra ? `${text}\n\n${extra}` : text;
      const paragraphs = fullText.split(/\n\n/);
      return [
        `--${alt}`,
        'Content-Type: text/plain; charset="us-ascii"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp(fullText),
        '',
        `--${alt}`,
        'Content-Type: text/html; charset="us-ascii"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        qp(html(paragraphs)),
        '',
        `--${alt}--`,
        '',
      ].join(CRLF);
    };
    const head = headers.join(CRLF);
    let alternative = build('');
    let extra = '';
    // Quoted history up to ~24 KB of the size; beyond that it is an attachment.
    while (head.length + alternative.length + 400 < Math.min(target, 24 * 1024) && extra.length < 10_000) {
      extra += (extra ? '\n\n' : '') + history;
      alternative = build(extra);
    }
    const base = head.length + alternative.length + 200;
    if (target - base < 2048) {
      return Buffer.from([head, `Content-Type: multipart/alternative;${CRLF}\tboundary="${alt}"`, 'MIME-Version: 1.0', '', alternative].join(CRLF), 'latin1');
    }
    const mixed = `_004_${tag}_`;
    const attachment = this.rng.bytes(Math.max(1024, Math.floor(((target - base) * 3) / 4)));
    const parts = [
      head,
      `Content-Type: multipart/mixed;${CRLF}\tboundary="${mixed}"`,
      'MIME-Version: 1.0',
      '',
      `--${mixed}`,
      `Content-Type: multipart/alternative;${CRLF}\tboundary="${alt}"`,
      '',
      alternative,
      `--${mixed}`,
      `Content-Type: application/pdf; name="${attachmentName}"`,
      `Content-Description: ${attachmentName}`,
      `Content-Disposition: attachment; filename="${attachmentName}"; size=${attachment.length}`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment),
      '',
      `--${mixed}--`,
      '',
    ];
    return Buffer.from(parts.join(CRLF), 'latin1');
  }

  private request(): CorpusMessage {
    const from = this.rng.chance(0.6) ? RM : this.rng.pick(STAFF);
    const domain = this.rng.pick(AUTHORITIES);
    const professional = this.person(domain);
    const manager = this.person(domain);
    const [topic, what] = this.rng.pick(TOPICS);
    const child = `${String.fromCharCode(65 + this.rng.int(0, 25))}${String.fromCharCode(65 + this.rng.int(0, 25))}-${this.rng.int(1000, 9999)}`;
    const subject = `${topic} for ${child} ${this.rng.chance(0.8) ? '[escalate]' : '#escalate'}`;
    const messageId = this.outlookId();
    const sentAt = this.date();
    const text = [
      `Hi ${professional.name.split(' ')[0]},`,
      `I am still waiting for ${what}. Could you send it over, please?`,
      `Child: ${child}\nTeam manager: ${manager.name} <${manager.email}>\nCategory: ${topic}`,
      `Kind regards\n\n${from.name}\nRegistered Manager | Oak House\nSunrise Homes\nT: 01632 960 555`,
    ].join('\n\n');
    const headers = [
      ...this.received(from.email, sentAt),
      `Thread-Topic: ${subject.replace(/ \[escalate\]| #escalate/, '')}`,
      `Thread-Index: ${this.rng.bytes(22).toString('base64')}`,
      'Accept-Language: en-GB, en-US',
      'Content-Language: en-GB',
      `From: ${from.name} <${from.email}>`,
      `To: ${professional.name} <${professional.email}>`,
      `CC: Escalations <${INBOX}>`,
      `Subject: ${subject}`,
      `Date: ${mailDate(sentAt)}`,
      `Message-ID: ${messageId}`,
    ];
    const raw = this.body(headers, text, LOREM, this.size(), `${topic.replace(/\s+/g, '-')}-${child}.pdf`);
    this.requests.push({ messageId, subject, from, professional, sentAt, text });
    return { kind: 'request', messageId, raw };
  }

  private quoted(req: RequestFacts): string {
    const sent = req.sentAt;
    return [
      '________________________________',
      `From: ${req.from.name} <${req.from.email}>`,
      `Sent: ${sent.getUTCDate()} November 2026 ${pad2(sent.getUTCHours())}:${pad2(sent.getUTCMinutes())}`,
      `To: ${req.professional.name} <${req.professional.email}>`,
      `Cc: Escalations <${INBOX}>`,
      `Subject: ${req.subject}`,
      '',
      req.text,
    ].join('\n');
  }

  private reply(req: RequestFacts): Omit<CorpusMessage, 'answers'> {
    const [, line] = this.rng.pick(REPLIES);
    const messageId = this.outlookId();
    const sentAt = new Date(Math.max(req.sentAt.getTime() + 60_000, this.date().getTime()));
    const text = [
      `Hi ${req.from.name.split(' ')[0]},`,
      line,
      `Many thanks\n${req.professional.name}\nSocial Worker, Children in Care Team`,
      this.quoted(req),
    ].join('\n\n');
    const headers = [
      ...this.received(req.professional.email, sentAt),
      `From: ${req.professional.name} <${req.professional.email}>`,
      `To: ${req.from.name} <${req.from.email}>`,
      `CC: Escalations <${INBOX}>`,
      `Subject: RE: ${req.subject}`,
      `Date: ${mailDate(sentAt)}`,
      `Message-ID: ${messageId}`,
      `In-Reply-To: ${req.messageId}`,
      `References: ${req.messageId}`,
    ];
    return { kind: 'reply', messageId, raw: this.body(headers, text, LOREM, this.size(), 'minutes.pdf') };
  }

  private outOfOffice(req: RequestFacts): Omit<CorpusMessage, 'answers'> {
    const messageId = this.outlookId();
    const sentAt = new Date(Math.max(req.sentAt.getTime() + 30_000, this.date().getTime()));
    const text = `Thank you for your email. I am out of the office until Monday 14 December 2026 with no access to email.\n\nFor urgent matters please contact the duty desk on 01632 960 000.\n\n${req.professional.name}`;
    const headers = [
      ...this.received(req.professional.email, sentAt),
      `From: ${req.professional.name} <${req.professional.email}>`,
      `To: Escalations <${INBOX}>`,
      `Subject: Automatic reply: ${req.subject}`,
      `Date: ${mailDate(sentAt)}`,
      `Message-ID: ${messageId}`,
      `In-Reply-To: ${req.messageId}`,
      `References: ${req.messageId}`,
      'Auto-Submitted: auto-replied',
      'X-Auto-Response-Suppress: All',
    ];
    // Out-of-office answers are small: no history, no attachment.
    return { kind: 'ooo', messageId, raw: this.body(headers, text, '', Math.min(this.size(), 4 * 1024), 'none.pdf') };
  }

  /** A DSN for a mail of ours threaded onto the request (its References carry the request's Message-ID). */
  private bounce(req: RequestFacts): Omit<CorpusMessage, 'answers'> {
    const messageId = `<${this.rng.hex(8)}.${this.rng.hex(6)}.${this.rng.hex(6)}.0000.GMR@mx.google.com>`;
    const at = mailDate(this.date());
    const failed = req.professional.email;
    const ours = `<esc-bench.${this.rng.hex(8)}@escalations.sunrise-homes.org.uk>`;
    const outer = `000000000000${this.rng.hex(12)}`;
    const inner = `000000000000${this.rng.hex(12)}`;
    const explanation = `Address not found\n\nYour message wasn't delivered to ${failed} because the address couldn't be found, or is unable to receive mail.\n\nThe response was:\n\n550 5.1.1 The email account that you tried to reach does not exist.`;
    const parts = [
      ...this.received('mailer-daemon@googlemail.com', this.o.now).map((l) => (l.startsWith('Return-Path') ? 'Return-Path: <>' : l)),
      'MIME-Version: 1.0',
      'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
      `To: ${INBOX}`,
      'Auto-Submitted: auto-replied',
      `Message-ID: ${messageId}`,
      `Date: ${at}`,
      'Subject: Delivery Status Notification (Failure)',
      `References: ${ours}`,
      `In-Reply-To: ${ours}`,
      `X-Failed-Recipients: ${failed}`,
      `Content-Type: multipart/report; boundary="${outer}"; report-type=delivery-status`,
      '',
      `--${outer}`,
      `Content-Type: multipart/alternative; boundary="${inner}"`,
      '',
      `--${inner}`,
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(explanation),
      '',
      `--${inner}`,
      'Content-Type: text/html; charset="utf-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(html(explanation.split('\n\n'))),
      '',
      `--${inner}--`,
      '',
      `--${outer}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; googlemail.com',
      `Received-From-MTA: dns; ${INBOX}`,
      `Arrival-Date: ${at}`,
      `X-Original-Message-ID: ${ours}`,
      '',
      `Final-Recipient: rfc822; ${failed}`,
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. ${this.rng.hex(16)} - gsmtp`,
      `Last-Attempt-Date: ${at}`,
      '',
      `--${outer}`,
      'Content-Type: text/rfc822-headers',
      '',
      `From: Escalations <${INBOX}>`,
      `To: ${req.professional.name} <${failed}>`,
      `Cc: ${req.from.name} <${req.from.email}>`,
      `Subject: RE: ${req.subject}`,
      `Message-ID: ${ours}`,
      `In-Reply-To: ${req.messageId}`,
      `References: ${req.messageId}`,
      `Date: ${at}`,
      'MIME-Version: 1.0',
      'Auto-Submitted: auto-generated',
      '',
      `--${outer}--`,
      '',
    ];
    return { kind: 'bounce', messageId, raw: Buffer.from(parts.join(CRLF), 'latin1') };
  }
}

/** Sizes and kinds of a corpus, for the report. */
export function describeCorpus(messages: CorpusMessage[]): {
  count: number;
  bytes: number;
  minBytes: number;
  medianBytes: number;
  maxBytes: number;
  kinds: Record<CorpusKind, number>;
} {
  const sizes = messages.map((m) => m.raw.length).sort((a, b) => a - b);
  const kinds: Record<CorpusKind, number> = { request: 0, reply: 0, ooo: 0, bounce: 0 };
  for (const m of messages) kinds[m.kind]++;
  return {
    count: messages.length,
    bytes: sizes.reduce((a, b) => a + b, 0),
    minBytes: sizes[0] ?? 0,
    medianBytes: sizes[Math.floor(sizes.length / 2)] ?? 0,
    maxBytes: sizes[sizes.length - 1] ?? 0,
    kinds,
  };
}
