import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { attachmentsOf, forwardAttachments, safeFilename, sizeText, withinBudget } from '../../../src/outbound/compose/forward-attachments.js';

async function messageWith(attachments: { filename?: string; content: Buffer; contentType: string; cid?: string }[]): Promise<Buffer> {
  return new MailComposer({
    from: 'sam.patel@council.example',
    to: 'escalations@home.example',
    subject: 'Re: minutes',
    text: 'Please find the minutes attached.',
    html: '<p>Please find the minutes attached.</p><img src="cid:logo@x">',
    attachments,
  })
    .compile()
    .build();
}

describe('withinBudget', () => {
  it('takes items in order while they fit, and lets a smaller later one through past a large one', () => {
    const items = [{ size: 5 }, { size: 30 }, { size: 4 }, { size: 2 }];
    const { forwarded, listed } = withinBudget(items, 10);
    expect(forwarded).toEqual([{ size: 5 }, { size: 4 }]);
    expect(listed).toEqual([{ size: 30 }, { size: 2 }]);
  });

  it('a budget of 0 forwards nothing and lists everything', () => {
    expect(withinBudget([{ size: 1 }], 0)).toEqual({ forwarded: [], listed: [{ size: 1 }] });
  });
});

describe('forwardAttachments', () => {
  it('attaches what fits, names the rest with their sizes, and leaves out an inline logo', async () => {
    const pdf = Buffer.alloc(3000, 1);
    const big = Buffer.alloc(9000, 2);
    const raw = await messageWith([
      { filename: 'minutes.pdf', content: pdf, contentType: 'application/pdf' },
      { filename: 'recording.mp4', content: big, contentType: 'video/mp4' },
      { filename: 'logo.png', content: Buffer.alloc(100, 3), contentType: 'image/png', cid: 'logo@x' },
    ]);
    const got = await forwardAttachments(raw, 5000);
    expect(got.forwarded).toEqual([{ filename: 'minutes.pdf', contentType: 'application/pdf', size: 3000 }]);
    expect(got.listed).toEqual([{ filename: 'recording.mp4', contentType: 'video/mp4', size: 9000 }]);
    expect(got.attach).toHaveLength(1);
    expect(got.attach[0]!.content.equals(pdf)).toBe(true);
  });

  it('a message with nothing attached forwards nothing', async () => {
    const got = await forwardAttachments(await messageWith([]), 5000);
    expect(got).toEqual({ attach: [], forwarded: [], listed: [] });
  });

  it('a file name from the sender cannot name a path', async () => {
    const raw = await messageWith([{ filename: '../../etc/passwd', content: Buffer.from('x'), contentType: 'text/plain' }]);
    const [file] = await attachmentsOf(raw);
    expect(file!.filename).toBe('passwd');
  });
});

describe('safeFilename and sizeText', () => {
  it('names an unnamed part from its position and type', () => {
    expect(safeFilename(undefined, 1, 'application/pdf')).toBe('attachment-2.pdf');
    expect(safeFilename('', 0, 'image/jpeg')).toBe('attachment-1.jpeg');
    expect(safeFilename('a\u0000b.pdf', 0, 'application/pdf')).toBe('a_b.pdf');
    expect(safeFilename('..', 0, 'text/plain')).toBe('attachment-1.bin');
  });

  it('gives sizes as a reader reads them', () => {
    expect(sizeText(12)).toBe('12 bytes');
    expect(sizeText(340 * 1024)).toBe('340 kB');
    expect(sizeText(1.25 * 1024 * 1024)).toBe('1.3 MB');
  });
});
