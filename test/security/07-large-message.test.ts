// Issue 13, point 7: one large message cannot stall the service. While a 24 MB request (a scanned
// care plan) is still being parsed — its row still pending — /healthz answers and a small message
// that arrived after it is ingested: parsing runs on worker threads, not the event loop. (Ordering,
// not wall-clock time; the event loop's lag is measured by `npm run bench`.) An untagged message
// from a stranger is judged on its headers alone, never parsed whole.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';

const SAM = 'sam.patel@northshire.gov.uk';

/**
 * A tagged request with a ~24 MB base64 attachment (under the default 25 MB limit), and a text part
 * that is slow to analyse (quote detection works hard on it): a couple of seconds of work each.
 */
function bigRequest(messageId: string, date: Date, from = `Alex Morgan <${RM}>`, subject = 'Care plan, scanned [escalate]'): Buffer {
  const b = 'b-large-1';
  const data = Buffer.alloc(16 * 1024 * 1024, 0x25)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      `From: ${from}`,
      `To: Sam Patel <${SAM}>`,
      `Cc: ${INBOX}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Child: AB-7001',
      '',
      'The scanned care plan is attached.',
      `On ${', '.repeat(148)}\r\n`.repeat(3000),
      `--${b}`,
      'Content-Type: application/pdf; name="care-plan.pdf"',
      'Content-Disposition: attachment; filename="care-plan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      data,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

describe('point 7: one large message cannot stall the service', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-07', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  const status = async (messageId: string) =>
    (
      await h
        .em()
        .execute<{ status: string; route: string | null; analysis: { judgedOnHeaders?: boolean; attachments?: unknown[] } }[]>(
          `select status, route, analysis from message where message_id = ?`,
          [messageId],
        )
    )[0];

  it('/healthz answers and small messages are ingested while two 24 MB ones are still being parsed', async () => {
    const bigs = ['<large-1@sunrise-homes.org.uk>', '<large-2@sunrise-homes.org.uk>'];
    for (const big of bigs) {
      const raw = bigRequest(big, h.clock.now());
      expect(raw.length).toBeGreaterThan(23_000_000);
      expect(raw.length).toBeLessThan(h.loaded.config.limits.maxMessageBytes);
      await h.append(raw);
    }
    // Both stored, and so handed to the ingest job.
    for (const big of bigs) await waitFor(() => status(big), { what: 'the large message to be stored', timeout: 60_000, interval: 10 });

    // Three small requests, one after the other, each ingested, and /healthz answering after each.
    for (let i = 1; i <= 3; i++) {
      const small = `<small-${i}@sunrise-homes.org.uk>`;
      await h.append(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: `Sam Patel <${SAM}>`,
          cc: INBOX,
          subject: `Minutes ${i} [escalate]`,
          messageId: small,
          date: h.clock.now(),
          body: `Child: AB-710${i}`,
        }),
      );
      const done = await waitFor(
        async () => {
          const s = await status(small);
          return s && s.status !== 'pending' ? s : undefined;
        },
        { what: `small message ${i} to be ingested`, timeout: 60_000, interval: 10 },
      );
      expect(done.route).toBe('new-case');
      expect((await fetch(`http://127.0.0.1:${h.service.httpPort}/healthz`)).status).toBe(200);
    }
    // The order that matters: all that went through, and /healthz answered, before the large ones were done.
    const pending = [];
    for (const big of bigs) pending.push((await status(big))!.status);
    expect(pending).toContain('pending');

    // And the large ones are read in full in the end: each opens its case.
    for (const big of bigs) {
      const after = await waitFor(
        async () => {
          const s = await status(big);
          return s && s.status !== 'pending' ? s : undefined;
        },
        { what: 'the large message to be ingested', timeout: 120_000, interval: 100 },
      );
      expect(after.route).toBe('new-case');
    }
    await h.settle();
  });

  it('an untagged 24 MB message from a stranger is judged on its headers, never parsed whole', async () => {
    const id = '<large-stranger@elsewhere.example>';
    await h.append(bigRequest(id, h.clock.now(), 'Someone <someone@elsewhere.example>', 'Care plan, scanned'));
    const s = await waitFor(
      async () => {
        const r = await status(id);
        return r && r.status !== 'pending' ? r : undefined;
      },
      { what: 'a verdict', timeout: 60_000 },
    );
    expect(s.route).toBe('ignored');
    expect(s.analysis.judgedOnHeaders).toBe(true);
    // Its headers were read: nothing from the body (the attachment) is in what was recorded.
    expect(s.analysis.attachments).toEqual([]);
  });
});
