import planer from 'planer';
import { describe, expect, it, vi } from 'vitest';
import { cutHtmlQuote, decodeEntities, htmlToText } from '../../../src/domain/inbound/html-text.js';
import { extractNewText, normaliseMailText, splitReply } from '../../../src/domain/inbound/new-text.js';
import { growth } from '../../support/work-meter.js';

const REQUEST = 'Hi Sam,\n\nCould you send the minutes?\n\nAlex';

describe('extractNewText: plain text', () => {
  it("cuts Outlook's From/Sent block, with or without an address", () => {
    expect(
      extractNewText(`Minutes attached.\n\nSam\n\nFrom: Alex Morgan\nSent: 24 November 2026 10:14\nTo: Sam Patel\nSubject: LAC minutes\n\n${REQUEST}`),
    ).toBe('Minutes attached.\n\nSam');
    expect(
      extractNewText(`Minutes attached.\n\nFrom: Alex Morgan <alex.morgan@sunrise-homes.org.uk>\nSent: Tuesday, November 24, 2026 10:14 AM\n\n${REQUEST}`),
    ).toBe('Minutes attached.');
    expect(
      extractNewText(
        `Minutes attached.\n________________________________\nFrom: Escalations <escalations@sunrise-homes.org.uk>\nSent: 08 December 2026 09:00\n\n${REQUEST}`,
      ),
    ).toBe('Minutes attached.');
  });

  it('cuts Gmail, Apple and Thunderbird attributions and > quoting', () => {
    expect(
      extractNewText(
        `Will do.\n\nOn Tue, 24 Nov 2026 at 10:14, Alex Morgan <\nalex.morgan@sunrise-homes.org.uk> wrote:\n\n> Hi Sam,\n> Could you send the minutes?\n`,
      ),
    ).toBe('Will do.');
    expect(extractNewText(`Will do.\n\n> On 24 Nov 2026, at 10:14, Alex Morgan <alex.morgan@sunrise-homes.org.uk> wrote:\n> \n> Hi Sam,\n`)).toBe('Will do.');
    expect(extractNewText(`Will do.\n\nOn 24/11/2026 10:14, Alex Morgan wrote:\n> Hi Sam,\n> Could you?\n`)).toBe('Will do.');
    expect(extractNewText(`Will do.\n\n-----Original Message-----\nFrom: Alex\n\n${REQUEST}`)).toBe('Will do.');
  });

  it('cuts device footers, the "-- " signature, sign-offs and disclaimers', () => {
    expect(extractNewText('Will do by Friday.\n\nSent from my iPhone\n\n> On 8 Dec 2026, at 09:00, Escalations wrote:\n> Dear Sam')).toBe('Will do by Friday.');
    expect(extractNewText('Done.\n\nGet Outlook for iOS')).toBe('Done.');
    expect(extractNewText('Minutes attached.\n-- \nSam Patel\nSocial Worker')).toBe('Minutes attached.');
    expect(extractNewText('Minutes attached.\n\nKind regards\n\nSam Patel\nSocial Worker\nTel: 01632 960 123')).toBe('Minutes attached.');
    expect(extractNewText('Minutes attached.\n\nMany thanks, Sam')).toBe('Minutes attached.');
    expect(extractNewText('Minutes attached.\n\nThis email and any attachments are confidential and intended solely for the addressee.')).toBe(
      'Minutes attached.',
    );
  });

  it('keeps a thank-you followed by more of the message, and a first line that is a thank-you', () => {
    expect(extractNewText('Hi Alex,\n\nThanks.\nI will send the minutes by Friday.\n\nKind regards\nSam')).toBe(
      'Hi Alex,\n\nThanks.\nI will send the minutes by Friday.',
    );
    expect(extractNewText('Thanks, will wait.\n\nAlex')).toBe('Thanks, will wait.\n\nAlex');
    expect(extractNewText('Hi Alex,\nThanks, will wait to hear from Sam.')).toBe('Hi Alex,\nThanks, will wait to hear from Sam.');
  });

  it('cuts a forwarded message: what follows is somebody else’s words', () => {
    expect(extractNewText('FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Sam Patel <sam@x>\nDate: Tue\n\nChild: ZZ-9999')).toBe(
      'FYI, see below.',
    );
    expect(extractNewText('FYI\n\nBegin forwarded message:\n\nFrom: Sam Patel <sam@x>\n\nhello')).toBe('FYI');
  });

  it('removes external-sender banners and protective markings', () => {
    const text =
      'CAUTION: This email originated from outside of the organisation. Do not click links or open attachments\nunless you recognise the sender and know the content is safe.\n\nOFFICIAL-SENSITIVE\n\nHi Alex,\n\nMinutes attached.\n\nOFFICIAL';
    expect(extractNewText(text)).toBe('Hi Alex,\n\nMinutes attached.');
    expect(
      extractNewText(
        "You don't often get email from sam.patel@northshire.gov.uk. Learn why this is important<https://aka.ms/LearnAboutSenderIdentification>\n\nMinutes attached.",
      ),
    ).toBe('Minutes attached.');
    expect(extractNewText('Classification: OFFICIAL\nMinutes attached.')).toBe('Minutes attached.');
  });

  it('does linear work on text that makes quote detection backtrack, and keeps long lines whole', async () => {
    expect(extractNewText(`On ${', '.repeat(99_000)}`)).toBe(`On ${', '.repeat(99_000)}`.trim());
    // No clock: the work at n and 4n (linear is 4×, quadratic 16×). Timings: npm run bench -- --only hostile.
    const oneLine = await growth((n) => () => extractNewText(`On ${', '.repeat(n)}`), 25_000);
    expect(oneLine.ratio, JSON.stringify(oneLine)).toBeLessThan(6);
    const manyLines = await growth((n) => () => extractNewText(`On ${', '.repeat(148)}\n`.repeat(n)), 200);
    expect(manyLines.ratio, JSON.stringify(manyLines)).toBeLessThan(6);
    // planer's attribution pattern backtracks within a line, which no counter sees: it is only ever
    // given short lines, and at most 1000 of them.
    const planerCalls = vi.spyOn(planer, 'extractFrom');
    extractNewText(`On ${', '.repeat(99_000)}\n${`On ${', '.repeat(148)}\n`.repeat(2000)}`);
    expect(planerCalls).toHaveBeenCalledTimes(1);
    const given = planerCalls.mock.calls[0]![0].split('\n');
    expect(given.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...given.map((l) => l.length))).toBeLessThanOrEqual(300);
    planerCalls.mockRestore();
    const paragraph = `The minutes ${'really '.repeat(80)}have been sent.`;
    expect(extractNewText(`${paragraph}\n\nOn Tue, 1 Dec 2026 at 09:00, A <a@b.c> wrote:\n> ${'old '.repeat(100)}\n> more`)).toBe(paragraph);
  });

  it('normalises line ends, non-breaking and zero-width spaces', () => {
    expect(normaliseMailText('a\r\nb\rc\u00a0d\u200be\ufeff\u0001\u0000')).toBe('a\nb\nc de');
    expect(extractNewText('Minutes\u00a0attached.\r\n\r\nKind regards\r\nSam')).toBe('Minutes attached.');
  });
});

describe('extractNewText: HTML first', () => {
  const gmail =
    '<div dir="ltr"><div>Will do by Friday.</div><div><br></div><div>Kim</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Tue, 24 Nov 2026 at 10:14, Alex wrote:<br></div><blockquote class="gmail_quote"><div>Child: ZZ-9999</div></blockquote></div>';
  const outlook =
    '<html><head><style><!-- p.MsoNormal {margin:0cm} --></style><!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]--></head><body lang="EN-GB"><div class="WordSection1"><p class="MsoNormal">Hi Alex,<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">Minutes attached &#8211; sorry for the wait.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Alex Morgan<br><b>Sent:</b> 24 November 2026 10:14</p></div></div><p class="MsoNormal">Hi Sam</p></div></body></html>';
  const owa =
    '<div class="elementToProof">Done.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Escalations<br></div><div>Dear Sam</div>';
  const apple =
    '<html><body>Thanks – will look into it.<div><br></div><div>Kim</div><div><br><blockquote type="cite"><div>On 24 Nov 2026, at 10:14, Alex wrote:</div><div>Hi Sam</div></blockquote></div></body></html>';

  it.each([
    ['Gmail', gmail, 'Will do by Friday.\n\nKim'],
    ['Outlook desktop', outlook, 'Hi Alex,\n\nMinutes attached – sorry for the wait.'],
    ['Outlook on the web', owa, 'Done.'],
    ['Apple Mail', apple, 'Thanks – will look into it.\n\nKim'],
  ])('cuts the quote container %s writes', (_client, html, expected) => {
    expect(splitReply('(plain text that is not used)', html)).toMatchObject({ newText: expected, source: 'html' });
  });

  it('uses the plain text when the HTML has no quote marker, and converts HTML-only mail', () => {
    expect(splitReply('Plain words.\n\nOn Tue, 1 Dec 2026 at 09:00, A <a@b.c> wrote:\n> old', '<p>Rich words.</p>')).toMatchObject({
      newText: 'Plain words.',
      source: 'text',
    });
    expect(splitReply('', '<div>Rich words.</div><div>Child: AB-1234</div>', { textFromHtml: true })).toMatchObject({
      newText: 'Rich words.\nChild: AB-1234',
      source: 'html',
    });
  });

  it('falls back to the plain text when the reply sits below the quote (nothing above the marker)', () => {
    expect(splitReply('My answer below the quote.', '<blockquote type="cite">old</blockquote><div>My answer below the quote.</div>')).toMatchObject({
      source: 'text',
      newText: 'My answer below the quote.',
    });
  });

  it('does not read HTML over the length limit', () => {
    expect(splitReply('Plain.', `<div>Rich.</div><div class="gmail_quote">${'x'.repeat(100)}</div>`, { maxHtmlLength: 50 })).toMatchObject({
      newText: 'Plain.',
      source: 'text',
    });
  });

  it('finds the earliest marker', () => {
    expect(cutHtmlQuote('<p>a</p><blockquote type="cite">b</blockquote><div class="gmail_quote">c</div>')).toEqual({ html: '<p>a</p>', found: true });
    expect(cutHtmlQuote('<p>a</p>')).toEqual({ html: '<p>a</p>', found: false });
  });
});

describe('htmlToText', () => {
  it('decodes entities', () => {
    expect(decodeEntities('&pound;250 &amp; it&rsquo;s &#163;5 &#x2019; &nbsp;&unknown; &#0;')).toBe('£250 & it’s £5 ’  &unknown; ');
  });

  it('turns blocks, breaks, lists, cells and rules into lines', () => {
    expect(htmlToText('<div>One</div><div>Two<br>Three</div><ul><li>a</li><li>b</li></ul><table><tr><td>x</td><td>y</td></tr></table><hr><p>End</p>')).toBe(
      'One\nTwo\nThree\n- a\n- b\nx  y\n________________________________\n\nEnd',
    );
  });

  it('keeps Outlook paragraphs as lines and its empty paragraphs as blank lines; other paragraphs are spaced', () => {
    expect(htmlToText('<p class="MsoNormal">Hi<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">Body</p>')).toBe('Hi\n\nBody');
    expect(htmlToText('<p>First paragraph.</p><p>Second paragraph.</p>')).toBe('First paragraph.\n\nSecond paragraph.');
  });

  it('drops head, style, script and comments, and prefixes blockquotes', () => {
    expect(
      htmlToText(
        '<html><head><title>t</title><style>p{}</style></head><body><script>alert(1)</script><!--[if mso]>hidden<![endif]-->Shown<blockquote>quoted<br>more</blockquote></body></html>',
      ),
    ).toBe('Shown\n> quoted\n> more');
  });

  it('collapses whitespace, keeps <pre>, and treats a stray < as text', () => {
    expect(htmlToText('<div>  lots   of\n\n space </div><pre>a  b\nc</pre><div>1 < 2 and 3 > 2</div>')).toBe('lots of space\na  b\nc\n1 < 2 and 3 > 2');
  });

  it('does linear work on hostile input', async () => {
    const hostile = (n: number) => '<a href="'.repeat(n) + '<!'.repeat(n) + '<div'.repeat(n);
    const toText = await growth((n) => () => htmlToText(hostile(n)), 5_000);
    expect(toText.ratio, JSON.stringify(toText)).toBeLessThan(6);
    const cut = await growth((n) => () => cutHtmlQuote(hostile(n)), 5_000);
    expect(cut.ratio, JSON.stringify(cut)).toBeLessThan(6);
  });
});

describe('extractNewText: quote headers in every common form (issue 14, point 4)', () => {
  const ASK = 'Dear Sam,\n\nCould you send the minutes?\n\nDawn';
  const QUOTED = ASK.replace(/^/gm, '> ');

  it.each([
    ['wrapped before the name', `Will do.\n\nOn Tue, 24 Nov 2026 at 10:14,\nAlex Morgan <alex@sunrise.org.uk> wrote:\n\n${QUOTED}`],
    ['wrapped before "wrote:"', `Will do.\n\nOn Tue, 24 Nov 2026 at 10:14, Alex Morgan <alex@sunrise.org.uk>\nwrote:\n${QUOTED}`],
    ['with <mailto:…>', `Will do.\n\nOn Tue, 24 Nov 2026 at 10:14, Alex Morgan <alex@sunrise.org.uk<mailto:alex@sunrise.org.uk>> wrote:\n${ASK}`],
    [
      'with <mailto:…>, wrapped',
      `Will do.\n\nOn Tue, 24 Nov 2026 at 10:14, Escalations (Sunrise Homes) <escalations@sunrise-homes.org.uk<mailto:escalations@sunrise-homes.org.uk>>\nwrote:\n${ASK}`,
    ],
    ['in French, wrapped', `Will do.\n\nLe mar. 24 nov. 2026 à 10:14, Alex Morgan <alex@sunrise.org.uk>\na écrit :\n${QUOTED}`],
  ])('cuts Gmail’s attribution %s', (_form, text) => {
    expect(extractNewText(text)).toBe('Will do.');
  });

  it.each([
    ['English', 'From: Alex Morgan <alex@x.uk>\nSent: 24 November 2026 10:14\nTo: Sam\nSubject: RE: minutes'],
    ['Italian', 'Da: Alex Morgan <alex@x.uk>\nInviato: martedì 24 novembre 2026 10:14\nA: Sam\nOggetto: minutes'],
    ['German', 'Von: Alex Morgan <alex@x.uk>\nGesendet: Dienstag, 24. November 2026 10:14\nAn: Sam\nBetreff: minutes'],
    ['French', 'De : Alex Morgan <alex@x.uk>\nEnvoyé : mardi 24 novembre 2026 10:14\nÀ : Sam\nObjet : minutes'],
    ['Dutch', 'Van: Alex Morgan <alex@x.uk>\nVerzonden: dinsdag 24 november 2026 10:14\nAan: Sam\nOnderwerp: minutes'],
    ['Spanish', 'De: Alex Morgan <alex@x.uk>\nEnviado: martes, 24 de noviembre de 2026 10:14\nPara: Sam\nAsunto: minutes'],
    ['bold, as pasted from HTML', '*From:* Alex Morgan <alex@x.uk>\n*Sent:* 24 November 2026 10:14\n*To:* Sam'],
  ])('cuts Outlook’s header block in %s', (_locale, header) => {
    expect(extractNewText(`Will do.\n\n${header}\n\n${ASK}`)).toBe('Will do.');
  });

  it('cuts an ISO-dated header, with or without > quoting below it', () => {
    expect(extractNewText(`Will do.\n\n2016-03-03 17:21 GMT+01:00 Alex Morgan <alex@x.uk>:\n\n${ASK}`)).toBe('Will do.');
    expect(extractNewText(`Will do.\n\n2026-11-24 10:14 GMT+00:00 Alex Morgan <alex@x.uk>:\n${QUOTED}`)).toBe('Will do.');
  });

  it.each([
    '-------- Original Message --------',
    '-----Forwarded Message-----',
    '-------- Messaggio originale --------',
    '-------- Oorspronkelijk bericht --------',
    '-----Message transféré-----',
    'Start of forwarded message:',
  ])('cuts at the forwarded-message marker %j', (marker) => {
    expect(extractNewText(`FYI.\n\n${marker}\nFrom: Alex\n\n${ASK}`)).toBe('FYI.');
  });

  it('keeps an answer written between the quoted lines under a wrapped attribution', () => {
    const inline = `Answers below.\n\nOn Wed, 2 Dec 2026 at 09:15, Dawn Fletcher\n<dawn@sunrise.org.uk> wrote:\n> Could you send the minutes?\n\nAttached.\n\n> Many thanks`;
    expect(extractNewText(inline)).toContain('Attached.');
  });
});

describe('extractNewText: signatures, job titles and disclaimers set aside (issue 14, point 4)', () => {
  it.each([
    ['name, title, team and telephone', 'Sam Patel\nSocial Worker | Children in Care Team\nNorthshire County Council\nTel: 01632 960 412'],
    ['title, mobile and address', "Sam Patel (he/him)\nSenior Practitioner\nChildren's Services\nMob: 07700 900 412\nsam.patel@northshire.gov.uk"],
    ['a title block with no name', 'Independent Reviewing Officer\nQuality Assurance Service\n01632 960 777'],
  ])('cuts a signature with no sign-off: %s', (_what, signature) => {
    expect(extractNewText(`The minutes were sent on Monday.\n\n${signature}`)).toBe('The minutes were sent on Monday.');
  });

  it('keeps the sender’s short lines and directives above a signature', () => {
    expect(extractNewText('Hi Dawn,\nWill do\n\nSam Patel\nSocial Worker\n01632 960 412')).toBe('Hi Dawn,\nWill do');
    expect(extractNewText('Team manager: Jo Bennett\nIRO: kim.osei@northshire-iro.org.uk\n\nAlex')).toContain('IRO: kim.osei@northshire-iro.org.uk');
  });

  it.each([
    'If you have received this email in error, please notify the sender and delete it.',
    'CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential. If you have received this in error please tell us.',
    'WARNING: This email and any attachments may be OFFICIAL-SENSITIVE. If you have received this email in error, please delete it.',
    'Please note: if you are not the intended recipient you must not copy or use it. If you received this in error, please notify us.',
    'Northshire County Council monitors and records all email traffic. Any views expressed are those of the author.',
    // Its "attached" must not read as a document sent with the reply.
    'CONFIDENTIALITY: This message and anything attached to it are for the intended recipient only. If it has reached you in error, please let us know.',
  ])('cuts the disclaimer %j', (disclaimer) => {
    expect(extractNewText(`Will do.\n\n${disclaimer}`)).toBe('Will do.');
  });

  it('leaves no words when the message is nothing but a disclaimer', () => {
    expect(extractNewText('If you have received this email in error please tell the sender.')).toBe('');
  });
});
