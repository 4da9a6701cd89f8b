// Issue 20 point 1 through real mail: what a chased person attaches to a reply reaches the RM with
// the notice, within the organisation's budget (here 6,000 bytes); what does not fit is named with
// its size, and `escalator mail attachments` writes it out.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, operatorCli, writeHarnessConfig } from '../support/case-mail.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';

describe('a reply’s attachments reach the RM', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reply_attachments', start: '2026-11-23T10:00:00Z', org: { attachments: { forwardMaxBytes: 6000 } } });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  it('forwards what fits, names what does not, and the CLI writes that out', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-4101'] });
    h.sink.clear();
    h.clock.set('2026-11-24T10:00:00Z');
    const agenda = Buffer.alloc(3000, 'a');
    const recording = Buffer.alloc(9000, 'r');
    const id = await mail.reply(
      c,
      `Sam Patel <${SAM}>`,
      'Thanks, I have asked the chair for the minutes. The agenda and the recording are attached for now.\r\n\r\nSam',
      {
        attachments: [
          { filename: 'agenda.pdf', content: agenda },
          { filename: 'recording.mp4', content: recording, contentType: 'video/mp4' },
        ],
      },
    );
    const notice = await h.sink.waitFor((m) => (m.envelope.to.includes(RM) && m.parsed.subject?.includes(c.ref) && m.parsed.text?.includes('agenda')) ?? false);
    expect(notice.parsed.attachments.map((a) => a.filename)).toEqual(['agenda.pdf']);
    expect(notice.parsed.attachments[0]!.content.equals(agenda)).toBe(true);
    const text = notice.parsed.text!.replace(/\s+/g, ' ');
    expect(text).toContain('Attached to this mail, as they sent it: - agenda.pdf (3 kB)');
    expect(text).toContain('Also sent, but too large to attach here: - recording.mp4 (9 kB)');
    const row = await h.em().execute<{ id: string }[]>(`select id from message where message_id = ?`, [id]);
    const key = row[0]!.id.replace(/-/g, '').slice(0, 16);
    expect(text).toContain(`escalator mail attachments ${c.ref} --message ${key} --out <directory>`);

    const cli = operatorCli(h, writeHarnessConfig(h));
    const out = mkdtempSync(join(tmpdir(), 'attachments-'));
    const run = await cli('mail', 'attachments', c.ref, '--message', key, '--out', out);
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, key, 'recording.mp4')).equals(recording)).toBe(true);
    expect(readFileSync(join(out, key, 'agenda.pdf')).equals(agenda)).toBe(true);
    expect((await cli('mail', 'attachments', 'ESC-1999-0001', '--out', out)).code).not.toBe(0);
  });

  it('a reply that says "attached" with nothing attached: the RM is told nothing came with it', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-4102'] });
    h.sink.clear();
    await mail.reply(c, `Sam Patel <${SAM}>`, 'Please find the minutes attached.\r\n\r\nSam');
    const notice = await h.sink.waitFor(
      (m) => (m.envelope.to.includes(RM) && m.parsed.subject?.includes(c.ref) && m.parsed.text?.includes('minutes attached')) ?? false,
    );
    expect(notice.parsed.attachments).toEqual([]);
    expect(notice.parsed.text!.replace(/\s+/g, ' ')).toContain('(Their reply mentions an attachment, but nothing was attached to it.)');
  });
});
