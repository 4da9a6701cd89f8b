// Issue 13, point 8: the evidence pack stays printable. Two hundred 200 KB messages from strangers
// quoting a case reference are in the pack as a header line each (from, subject, size, SHA-256),
// their text not inlined, and the case still prints to PDF with Chromium.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/reports/pdf.js';
import { CaseMail, operatorCli, writeHarnessConfig } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';

const STRANGERS = 200;
const MARK = 'QQSTRANGERTEXT';

describe('point 8: evidence stays printable', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-08', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  it(`${STRANGERS} flagged 200 KB messages from strangers: a header line, size and SHA-256 each, and the PDF prints`, async () => {
    const c = await mail.open({ professional: 'Sam Patel <sam.patel@northshire.gov.uk>', directives: ['Child: AB-8001'] });
    const line = `${MARK} ${'lorem ipsum dolor sit amet '.repeat(3)}\r\n`;
    const body = line.repeat(Math.ceil(200_000 / line.length));
    for (let i = 0; i < STRANGERS; i++) {
      h.clock.advance(1_000);
      await h.append(
        rfc822({
          from: `Stranger ${i} <s${i}@elsewhere.example>`,
          to: INBOX,
          subject: `About [${c.ref}] number ${i}`,
          messageId: `<s8-${i}@elsewhere.example>`,
          date: h.clock.now(),
          body,
        }),
      );
    }
    await waitFor(
      async () => {
        const rows = await h
          .em()
          .execute<{ n: string }[]>(`select count(*) as n from message where message_id like '<s8-%' and status <> 'pending' and route = 'flagged'`);
        return Number(rows[0]!.n) === STRANGERS;
      },
      { timeout: 240_000, interval: 500, what: `all ${STRANGERS} messages to be flagged` },
    );
    await h.settle(60_000);

    const dir = mkdtempSync(join(tmpdir(), 'sec-08-'));
    const cli = operatorCli(h, writeHarnessConfig(h));
    const html = await cli('case-history', c.ref, '--format', 'html', '--out', join(dir, 'pack.html'));
    expect(html.code).toBe(0);
    const page = readFileSync(join(dir, 'pack.html'), 'utf8');
    // Not inlined: none of the strangers' text is in the pack.
    expect(page).not.toContain(MARK);
    const brief = [...page.matchAll(/data-brief="true" data-message-id="([^"]+)">[\s\S]*?data-sha256="([0-9a-f]{64})"/g)].map((m) => [m[1], m[2]]);
    expect(brief).toHaveLength(STRANGERS);
    // Each stated SHA-256 is the hash of the bytes the database holds (computed by PostgreSQL).
    const stored = await h
      .em()
      .execute<{ message_id: string; hash: string; size: number }[]>(
        `select message_id, encode(sha256(raw), 'hex') as hash, size from message where message_id like '<s8-%'`,
      );
    const byId = new Map(stored.map((s) => [s.message_id.replace(/[<>]/g, (x) => (x === '<' ? '&lt;' : '&gt;')), s.hash]));
    for (const [id, hash] of brief) expect(byId.get(id!), id).toBe(hash);
    expect(page).toContain(`${stored[0]!.size} bytes`);
    expect(page.length).toBeLessThan(3_000_000);

    expect(findChromium().path, 'Chromium is installed (.ci/run installs it)').toBeTruthy();
    const pdf = await cli('case-history', c.ref, '--format', 'pdf', '--out', join(dir, 'pack.pdf'));
    expect(pdf.err).toBe('');
    expect(pdf.code).toBe(0);
    expect(readFileSync(join(dir, 'pack.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 480_000);
});
