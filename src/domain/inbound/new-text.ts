import planer from 'planer';
import { cutHtmlQuote, htmlToText } from './html-text.js';

/**
 * Invisible and odd characters mail clients leave in text: non-breaking and narrow spaces
 * become spaces, zero-width characters and soft hyphens go, line ends become \n.
 */
export function normaliseMailText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      .replace(/[\u00a0\u2007\u202f\u2000-\u200a]/g, ' ')
      .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
  );
}

/** For matching words: typographic quotes and dashes made plain, whitespace collapsed per line. */
export function plainForMatching(text: string): string {
  return normaliseMailText(text)
    .replace(/[’‘‛`´]/g, "'")
    .replace(/[“”„]/g, '"')
    .replace(/[‐‑‒–—−]/g, '-')
    .replace(/[ \t]+/g, ' ');
}

/** Where a forwarded message starts: what follows is someone else's words. */
const FORWARD_MARKERS = [
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
  /^Begin forwarded message:\s*$/i,
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}\s*$/i,
  /^>?\s*-{2,}\s*Weitergeleitete Nachricht\s*-{2,}/i,
];

/** Device footers: the end of the sender's words, even on the first line. */
const DEVICE_FOOTER =
  /^(?:Sent from (?:my )?(?:iPhone|iPad|Android|mobile|Samsung|Galaxy|BlackBerry|Huawei|Pixel|phone|smartphone|tablet|Outlook|Mail for Windows|Yahoo Mail|Proton Mail|Workspace ONE Boxer)\b.*|Get Outlook for (?:iOS|Android|Mac)\b.*|Sent via .{1,60}|Sent with .{1,40}|Envoyé de mon .{1,40}|Von meinem .{1,40} gesendet)$/i;

/** The conventional signature delimiter "-- ", and rules Outlook and HTML leave as text. */
const SIGNATURE_RULE = /^(?:--\s*|_{5,}|-{5,}|={5,})$/;

/** A closing phrase ("Kind regards", "Many thanks"), optionally followed on the line by a name. */
const SIGN_OFF_PHRASE =
  /^(?:(?:(?:kind|best|warm|warmest|kindest|many|with|all the|with best|with kind)\s+)?(?:regards|wishes|thanks|thank you)(?:\s+(?:again|in advance|very much|so much))?|cheers|best|ta|thx|kr|br|yours (?:sincerely|faithfully|truly)|speak soon|take care|all the best)([,.!]*)(.*)$/i;
/** What may follow a sign-off on its line: nothing, or a capitalised name ("Thanks, Sam"). */
const NAME_AFTER = /^\s*(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})?\s*$/;

function isSignOff(line: string): boolean {
  const m = SIGN_OFF_PHRASE.exec(line);
  if (!m) return false;
  const rest = m[2] ?? '';
  return rest === '' || ((m[1] !== '' || /^\s/.test(rest)) && NAME_AFTER.test(rest));
}

/** A sentence of the sender's own: several words ending in a full stop, question or exclamation mark. */
function looksLikeProse(line: string): boolean {
  return /[.?!]$/.test(line) && line.split(/\s+/).length >= 6 && !DISCLAIMER.test(line);
}

/** Footers that are never the sender's words. */
const DISCLAIMER =
  /^(?:this (?:e-?mail|message|communication)\b.{0,80}\b(?:confidential|intended (?:solely |only )?for|privileged|may contain)|the information (?:contained )?in this (?:e-?mail|message)|(?:e-?mail )?disclaimer\b|confidentiality (?:notice|statement|warning)\b|please consider the environment|this e-?mail has been scanned|if you (?:have received|are not the intended recipient)|privacy notice\b|to find out how we (?:use|process) your (?:personal )?(?:data|information))/i;

/** Lines other systems insert at the top: external-sender warnings and protective markings. */
const BANNER = [
  /^caution:?\s+(?:this|external)\b.*(?:e-?mail|message|sender)/i,
  /^\[?\s*external(?: e-?mail| sender| message)?\s*\]?\s*[:!-]\s*(?:this|do not|be cautious|use caution)/i,
  /^this (?:e-?mail|message) (?:originated|came|was sent|is) from (?:outside|an external)/i,
  /^you don'?t often get e-?mail from\b/i,
  /^(?:warning|notice):\s+this (?:e-?mail|message)\b.*(?:outside|external)/i,
  /^learn why this is important\b/i,
];
const MARKING =
  /^\s*\**\s*(?:(?:classification|security classification|sensitivity|protective marking)\s*:\s*)?(?:official|official[- ]sensitive|not protectively marked|unclassified|public|internal|general|restricted|protect)(?:\s*[-:–]\s*(?:sensitive|personal|commercial|locsen|general|internal)[a-z ]*)?\s*\**\s*$/i;

function removeBanners(lines: string[]): string[] {
  const out: string[] = [];
  let i = 0;
  // Banners and markings only count before the sender's first real words.
  let seenWords = false;
  while (i < lines.length) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const line = lines[i]!.trim();
    if (!seenWords && BANNER.some((b) => b.test(line))) {
      // A banner is one paragraph: skip to the next blank line.
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    if (MARKING.test(line) && line !== '') {
      i++;
      continue;
    }
    if (line !== '') seenWords = true;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    out.push(lines[i]!);
    i++;
  }
  return out;
}

export interface ReplyText {
  /** The sender's new words: no quoted history, forwarded message, signature or banner. */
  newText: string;
  /** The new words with the signature still on (directives may sit below a sign-off). */
  unquoted: string;
  /** Whether the quote was found in the HTML part or the plain text. */
  source: 'html' | 'text';
}

export interface ReplyTextOptions {
  /** The message has no text/plain part: its text was made from the HTML. */
  textFromHtml?: boolean;
  /** HTML longer than this is not read (the plain text is used). Default 2,000,000 characters. */
  maxHtmlLength?: number;
}

const MAX_PLANER_LINE = 300;

function stripQuotes(text: string): string {
  const lines = removeBanners(normaliseMailText(text).split('\n'));
  const fwd = lines.findIndex((l) => FORWARD_MARKERS.some((f) => f.test(l.trim())));
  const own = fwd >= 0 ? lines.slice(0, fwd) : lines;
  // planer's "On … wrote:" pattern backtracks badly on long lines (a 200 kB line took close to a
  // minute), and no attribution or splitter line is long: long lines go to planer as short
  // placeholders (keeping a '>' quote mark) and come back afterwards.
  const long: string[] = [];
  const body = own
    .slice(0, 1000) // planer reads at most 1000 lines; the sender's words come first
    .map((line) => {
      if (line.length <= MAX_PLANER_LINE) return line;
      long.push(line);
      return `${/^\s*>/.test(line) ? '> ' : ''}\u0001L${long.length - 1}\u0001`;
    })
    .join('\n');
  let reply: string;
  try {
    reply = planer.extractFrom(body, 'text/plain');
  } catch {
    reply = body;
  }
  // eslint-disable-next-line no-control-regex -- \u0001 marks the long lines set aside above: no mail text contains it
  reply = reply.replace(/(?:> )?\u0001L(\d+)\u0001/g, (_, i: string) => long[Number(i)] ?? '');
  return reply
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function cutSignature(text: string): string {
  const lines = text.split('\n');
  const firstWords = lines.findIndex((l) => l.trim() !== '');
  let cut = -1;
  for (let i = 0; i < lines.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (DEVICE_FOOTER.test(line) || (SIGNATURE_RULE.test(line) && i > firstWords)) {
      cut = i;
      break;
    }
    if (i > firstWords && DISCLAIMER.test(line)) {
      cut = i;
      break;
    }
    // "Thanks." followed by more sentences is a thank-you, not the end of the message.
    if (i > firstWords && isSignOff(line)) {
      const following = lines
        .slice(i + 1)
        .filter((l) => l.trim() !== '')
        .slice(0, 3);
      if (!following.some((l) => looksLikeProse(l.trim()))) {
        cut = i;
        break;
      }
    }
  }
  const kept = cut >= 0 ? lines.slice(0, cut) : lines;
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Splits a reply into the sender's new words and the rest. The HTML part is tried first, cut
 * at the quote container its client writes (Gmail, Apple Mail, Outlook desktop and web);
 * otherwise the plain text goes through planer (a port of Mailgun's talon: Outlook's
 * "From: Name / Sent:" block with or without an address, "On … wrote:", `>` quoting). Forwarded
 * messages, external-sender banners, protective markings, device footers, sign-offs and
 * disclaimers are removed too.
 */
export function splitReply(text: string, html?: string, opts: ReplyTextOptions = {}): ReplyText {
  const maxHtml = opts.maxHtmlLength ?? 2_000_000;
  const usableHtml = html && html.length <= maxHtml ? html : undefined;
  if (usableHtml) {
    const cut = cutHtmlQuote(usableHtml);
    if (cut.found || opts.textFromHtml) {
      const unquoted = stripQuotes(htmlToText(cut.html));
      const newText = cutSignature(unquoted);
      if (newText !== '' || !cut.found) return { newText, unquoted, source: 'html' };
    }
  }
  const unquoted = stripQuotes(text);
  return { newText: cutSignature(unquoted), unquoted, source: 'text' };
}

/**
 * The sender's new words: quoted history and the signature removed (see `splitReply`).
 * With only `text`, the plain-text rules alone are used.
 */
export function extractNewText(text: string, html?: string, opts: ReplyTextOptions = {}): string {
  return splitReply(text, html, opts).newText;
}
