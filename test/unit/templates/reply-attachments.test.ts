/**
 * What the RM reads about a reply's attachments: the files forwarded with the notice, those too
 * large to attach named with their sizes and the command that fetches them, and a reply that
 * says "attached" with nothing attached said to be so.
 */
import { describe, expect, it } from 'vitest';
import { recordReplyNotice } from '../../../src/domain/case/apply-reply.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { sampleCase } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';

describe('a reply notice and what came attached', () => {
  const sample = sampleCase({ ladder: ladder('childrens-home-reg5'), rung: sampleRung() });
  const now = new Date(sample.firedAt.getTime() + 24 * 3600_000);
  const notice = (newText: string, attachments: { filename?: string; contentType: string; size: number }[]) => {
    const decision = recordReplyNotice(
      sample.fired.state,
      {
        from: { email: 'sam.patel@northshire.example', name: 'Sam Patel' },
        role: 'professional',
        classification: { class: 'acknowledged' },
        messageKey: 'k1',
        newText,
        attachments,
        reason: 'they are copied on the case, not asked to act',
      },
      sample.context(now),
    );
    const intent = decision.mails.find((m) => m.kind === 'reply-notice')!;
    return { intent, context: buildMailContext(decision.state, intent, sample.context(now), sample.org.mailbox) };
  };

  it('says so when the reply mentions an attachment and nothing came', () => {
    const { intent, context } = notice('Please find the minutes attached.', []);
    const mail = renderMail(store, templateNameFor(intent), context);
    expect(mail.text).toContain('(Their reply mentions an attachment, but nothing was attached to it.)');
    expect(mail.html).toContain('It mentions an attachment, but nothing was attached to it.');
  });

  it('does not say so when something came', () => {
    const { intent, context } = notice('Please find the minutes attached.', [{ filename: 'minutes.pdf', contentType: 'application/pdf', size: 1000 }]);
    expect(renderMail(store, templateNameFor(intent), context).text).not.toContain('nothing was attached');
  });

  it('lists the files forwarded and those too large to attach, with the command that fetches them', () => {
    const { intent, context } = notice('Minutes and the recording attached.', [{ filename: 'minutes.pdf', contentType: 'application/pdf', size: 1000 }]);
    context.attachments = {
      forwarded: [{ name: 'minutes.pdf', size: '1 kB' }],
      listed: [{ name: 'recording.mp4', size: '31.0 MB' }],
      fetch: 'escalator mail attachments ESC-2026-0001 --message abcd --out <directory>',
    };
    const mail = renderMail(store, templateNameFor(intent), context);
    const flat = mail.text.replace(/\s+/g, ' ');
    expect(flat).toContain('Attached to this mail, as they sent it: - minutes.pdf (1 kB)');
    expect(flat).toContain('Also sent, but too large to attach here: - recording.mp4 (31.0 MB)');
    expect(flat).toContain('escalator mail attachments ESC-2026-0001 --message abcd --out <directory>');
    expect(mail.html).toContain('<li>recording.mp4 (31.0 MB)</li>');
  });
});

function sampleRung(): string {
  return ladder('childrens-home-reg5').rungs[0]!.id;
}
