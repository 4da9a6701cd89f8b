import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/repo-root.js';
import { prng } from './fault-rig.js';

export interface BadMessage {
  name: string;
  raw: Buffer;
  /** Most go straight to storage and the ingest job; a few go the whole way through IMAP. */
  via: 'store' | 'imap';
}

const CRLF = '\r\n';
const FIXTURES = join(REPO_ROOT, 'test/fixtures/mail');

export const INJECTED_DOMAIN = 'evil-injected.example';
const INJECTED = `bcc-injected@${INJECTED_DOMAIN}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Gives the message a Message-ID of its own (first, so it is the one stored), dropping its others. */
function withId(raw: Buffer, id: string): Buffer {
  const text = raw.toString('latin1').replace(/^message-id:[^\r\n]*\r?\n/gim, '');
  return Buffer.concat([Buffer.from(`Message-ID: <${id}@fuzz.invalid>${CRLF}`, 'latin1'), Buffer.from(text, 'latin1')]);
}

type Mutation = (raw: Buffer, rnd: () => number) => Buffer;

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

/** Byte-level and MIME-level damage, each applied to every fixture in turn. */
const MUTATIONS: Record<string, Mutation> = {
  truncate: (raw, rnd) => raw.subarray(0, Math.floor(rnd() * raw.length)),
  'drop-line': (raw, rnd) => {
    const lines = raw.toString('latin1').split(CRLF);
    lines.splice(Math.floor(rnd() * lines.length), 1);
    return Buffer.from(lines.join(CRLF), 'latin1');
  },
  'broken-boundary': (raw, rnd) => {
    const text = raw.toString('latin1');
    const m = /boundary="?([^";\r\n]+)"?/i.exec(text);
    if (!m) return Buffer.from(text.replace(/^content-type:[^\r\n]*/im, 'Content-Type: multipart/mixed; boundary="never-there"'), 'latin1');
    const b = m[1]!;
    // Either the declared boundary changes, or some of the parts' delimiters do.
    return Buffer.from(
      rnd() < 0.5
        ? text.replace(`boundary="${b}"`, `boundary="${b}x"`).replace(`boundary=${b}`, `boundary=${b}x`)
        : text.split(`--${b}`).join(`--${b.slice(0, -1)}`),
      'latin1',
    );
  },
  'wrong-charset': (raw, rnd) => {
    const cs = pick(rnd, ['utf-7', 'x-unknown-charset', 'iso-2022-jp', 'binary', 'utf-16', 'windows-1252', '"', 'UTF-8"; charset="koi8-r']);
    const text = raw.toString('latin1');
    return Buffer.from(
      /charset=/i.test(text)
        ? text.replace(/charset="?[^";\s]+"?/gi, `charset=${cs}`)
        : text.replace(/\r\n\r\n/, `${CRLF}Content-Type: text/plain; charset=${cs}${CRLF}${CRLF}`),
      'latin1',
    );
  },
  'invalid-bytes': (raw, rnd) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < 20 && out.length > 0; i++) out[Math.floor(rnd() * out.length)] = 0x80 + Math.floor(rnd() * 0x80);
    return out;
  },
  'nul-bytes': (raw, rnd) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < 10 && out.length > 0; i++) out[Math.floor(rnd() * out.length)] = 0;
    return out;
  },
  'no-header-end': (raw) => Buffer.from(raw.toString('latin1').replace(/\r\n\r\n/g, CRLF), 'latin1'),
  'bare-lf': (raw) => Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'),
  'bare-cr': (raw) => Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\r'), 'latin1'),
  'bad-base64': (raw, rnd) => {
    const text = raw.toString('latin1');
    return Buffer.from(text.replace(/content-transfer-encoding:[^\r\n]*/gi, 'Content-Transfer-Encoding: base64') + (rnd() < 0.5 ? '%%%***===' : ''), 'latin1');
  },
  'garbage-headers': (raw, rnd) => {
    const junk = Array.from(
      { length: 5 },
      () =>
        `${pick(rnd, ['From', 'To', 'Cc', 'Date', 'Subject', 'In-Reply-To', 'References', 'Content-Type'])}: ${pick(rnd, ['', '<<<', '"unterminated', '=?utf-8?B?!!!?=', '@', ';;;', 'a'.repeat(3000)])}`,
    );
    return Buffer.from(junk.join(CRLF) + CRLF + raw.toString('latin1'), 'latin1');
  },
  'long-fold': (raw) => Buffer.from(raw.toString('latin1').replace(/^(subject:[^\r\n]*)/im, `$1${`${CRLF} ${'x'.repeat(200)}`.repeat(200)}`), 'latin1'),
  'nested-rfc822': (raw) =>
    Buffer.from([`From: x@fuzz.invalid`, 'Subject: fwd', 'MIME-Version: 1.0', 'Content-Type: message/rfc822', '', raw.toString('latin1')].join(CRLF), 'latin1'),
  'random-splice': (raw, rnd) => {
    if (raw.length < 10) return raw;
    const a = Math.floor(rnd() * raw.length);
    const b = Math.floor(rnd() * raw.length);
    return Buffer.concat([raw.subarray(0, Math.min(a, b)), raw.subarray(Math.max(a, b))]);
  },
};

function nested(depth: number): string {
  let inner = [
    'From: Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
    'To: escalations@sunrise-homes.org.uk',
    'Subject: innermost [escalate]',
    '',
    'Child: AB-1',
  ].join(CRLF);
  for (let i = 0; i < depth; i++) {
    inner = [`From: level${i}@fuzz.invalid`, `Subject: level ${i}`, 'MIME-Version: 1.0', 'Content-Type: message/rfc822', '', inner].join(CRLF);
  }
  return inner;
}

/** Hand-made nasties, several of them valid staff requests that try to inject headers into what we send. */
function nasties(): { name: string; raw: string | Buffer; via: 'store' | 'imap' }[] {
  const staff = 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>';
  const head = (subject: string, extra: string[] = []) => [
    `From: ${staff}`,
    'To: Pro <pro.fuzz@northshire.gov.uk>',
    'Cc: escalations@sunrise-homes.org.uk',
    `Subject: ${subject}`,
    'Date: Tue, 01 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...extra,
  ];
  return [
    {
      name: 'header-line-10MB',
      via: 'imap',
      raw: [`From: ${staff}`, `X-Huge: ${'a'.repeat(10 * 1024 * 1024)}`, 'Subject: huge [escalate]', '', 'Child: AB-1'].join(CRLF),
    },
    { name: 'subject-10MB', via: 'store', raw: [`From: ${staff}`, `Subject: ${'b'.repeat(10 * 1024 * 1024)} [escalate]`, '', 'Child: AB-1'].join(CRLF) },
    { name: 'nested-rfc822-50', via: 'imap', raw: nested(50) },
    { name: 'nested-rfc822-200', via: 'store', raw: nested(200) },
    {
      name: 'nul-in-headers',
      via: 'imap',
      raw: Buffer.from(`From: ${staff}\r\nSub\u0000ject: nul [escalate]\r\nTo: a\u0000@b\r\n\r\nbody\u0000more`, 'latin1'),
    },
    { name: 'only-nuls', via: 'store', raw: Buffer.alloc(4096) },
    { name: 'empty', via: 'store', raw: '' },
    { name: 'headers-only', via: 'store', raw: `From: ${staff}\r\nSubject: no body [escalate]` },
    {
      name: 'truncated-base64-part',
      via: 'store',
      raw: [
        ...head('truncated [escalate]', ['Content-Type: multipart/mixed; boundary="b1"']),
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        'Q2hpbGQ6IEFCLTEy',
      ].join(CRLF),
    },
    {
      name: 'boundary-never-closed',
      via: 'store',
      raw: [
        ...head('open boundary [escalate]', ['Content-Type: multipart/alternative; boundary="b2"']),
        '',
        '--b2',
        'Content-Type: text/plain',
        '',
        'Child: AB-2',
        '--b2',
        'Content-Type: text/html',
        '',
        '<p>Child: AB-2',
      ].join(CRLF),
    },
    {
      name: 'boundary-empty',
      via: 'store',
      raw: [...head('empty boundary [escalate]', ['Content-Type: multipart/mixed; boundary=""']), '', '--', 'x'].join(CRLF),
    },
    {
      name: 'charset-utf7-body',
      via: 'store',
      raw: [...head('utf7 [escalate]', ['Content-Type: text/plain; charset=utf-7']), '', '+AFs-escalate+AF0- Child: AB-3'].join(CRLF),
    },
    {
      name: 'utf8-declared-invalid',
      via: 'store',
      raw: Buffer.concat([
        Buffer.from([...head('invalid utf8 [escalate]', ['Content-Type: text/plain; charset=utf-8']), '', ''].join(CRLF)),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
      ]),
    },
    {
      name: 'html-bomb',
      via: 'store',
      raw: [...head('html [escalate]', ['Content-Type: text/html; charset=utf-8']), '', `${'<div>'.repeat(20000)}Child: AB-4${'</div>'.repeat(20000)}`].join(
        CRLF,
      ),
    },
    // Header injection attempts in a request that is otherwise valid: the service must open the
    // case (or refuse the line) and never put a Bcc or an extra recipient in what it sends.
    {
      name: 'inject-directive-qp-crlf',
      via: 'store',
      raw: [
        ...head('inject one [escalate]', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']),
        '',
        `Team manager: Evil=0D=0ABcc: ${INJECTED} <tm.fuzz@northshire.gov.uk>`,
        'Child: AB-1001',
      ].join(CRLF),
    },
    {
      name: 'inject-directive-next-line',
      via: 'store',
      raw: [
        ...head('inject two [escalate]', ['Content-Type: text/plain; charset=utf-8']),
        '',
        'Team manager: tm.fuzz2@northshire.gov.uk',
        `Bcc: ${INJECTED}`,
        'Child: AB-1002',
      ].join(CRLF),
    },
    {
      name: 'inject-subject-encoded-crlf',
      via: 'store',
      raw: [
        ...head(`=?utf-8?B?${b64(`Minutes\r\nBcc: ${INJECTED}\r\nX-Evil: 1`)}?= [escalate]`, ['Content-Type: text/plain; charset=utf-8']),
        '',
        'Child: AB-1003',
      ].join(CRLF),
    },
    {
      name: 'inject-display-name',
      via: 'store',
      raw: [
        `From: ${staff}`,
        `To: =?utf-8?B?${b64(`Pro\r\nBcc: ${INJECTED}`)}?= <pro.fuzz3@northshire.gov.uk>`,
        'Cc: escalations@sunrise-homes.org.uk',
        'Subject: inject four [escalate]',
        'Date: Tue, 01 Dec 2026 10:00:00 +0000',
        '',
        'Child: AB-1004',
      ].join(CRLF),
    },
    {
      name: 'inject-child-and-category',
      via: 'store',
      raw: [
        ...head('inject five [escalate]', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']),
        '',
        `Child: AB-1005=0D=0ABcc: ${INJECTED}`,
        `Category: minutes=0D=0ATo: ${INJECTED}`,
        `Team manager: =?utf-8?q?x=0D=0ABcc=3A_${INJECTED}?= <tm.fuzz5@northshire.gov.uk>`,
      ].join(CRLF),
    },
    {
      name: 'inject-plus-token',
      via: 'store',
      raw: [
        `From: ${staff}`,
        `To: escalations+childrens-home-reg5%0d%0abcc:${INJECTED}@sunrise-homes.org.uk`,
        'Subject: plus [escalate]',
        '',
        'Child: AB-1006',
      ].join(CRLF),
    },
  ];
}

/**
 * At least `min` malformed or hostile messages, the same every run for the same seed: every
 * mutation applied to every fixture (several rounds with different random choices), then the
 * hand-made ones.
 */
export function malformedCorpus(seed: number, min: number): BadMessage[] {
  const rnd = prng(seed);
  const fixtures = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => ({ name: f, raw: readFileSync(join(FIXTURES, f)) }));
  const out: BadMessage[] = [];
  let n = 0;
  for (const nasty of nasties())
    out.push({ name: nasty.name, via: nasty.via, raw: withId(Buffer.isBuffer(nasty.raw) ? nasty.raw : Buffer.from(nasty.raw, 'utf8'), `nasty-${++n}`) });
  for (let round = 0; out.length < min; round++) {
    for (const [mutation, mutate] of Object.entries(MUTATIONS)) {
      for (const f of fixtures) {
        const raw = mutate(f.raw, rnd);
        // Message-ID first, so every variant is its own message (the same id would be one delivery).
        out.push({ name: `${mutation}:${f.name}:r${round}`, via: 'store', raw: withId(raw, `fuzz-${++n}`) });
      }
    }
  }
  return out;
}
