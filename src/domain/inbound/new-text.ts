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
  /^-{2,}\s*(?:Forwarded message|Forwarded e-?mail|Forwarded Message)\s*-{2,}\s*$/i,
  /^(?:Begin forwarded message|Start of forwarded message|Forwarded message):?\s*$/i,
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht|Message d'origine|Message transféré|Mensaje original|Mensaje reenviado|Messaggio originale|Messaggio inoltrato|Oorspronkelijk bericht|Doorgestuurd bericht|Alkuperäinen viesti|Opprinnelig melding|Originalmeddelande|Wiadomość oryginalna)\s*-{2,}\s*$/i,
  /^>?\s*-{2,}\s*Weitergeleitete Nachricht\s*-{2,}/i,
];

/**
 * Quote headers planer misses, cut before it runs: the line where someone else's message starts.
 * - Gmail's "On … wrote:" (and its translations) wrapped over two or three lines, or carrying
 *   Outlook's "<addr<mailto:addr>>";
 * - Outlook's header block in other languages: a "From:" line with a "Sent:" line within the next
 *   three ("Da: … Inviato:", "Von: … Gesendet:", "De : … Envoyé :", "Van: … Verzonden:");
 * - the ISO-dated header some clients write: "2016-03-03 17:21 GMT+01:00 Name <addr>:".
 */
const ATTRIBUTION_START = /^(?:On|Le|Am|Il|El|Op|Em|Den|På)\s/;
const ATTRIBUTION_END = /(?:\bwrote|\ba écrit|\bschrieb|\bha scritto|\bescribió|\bschreef|\bescreveu|\bskrev|\bkirjoitti)\s*:\s*$/i;
const HEADER_FROM = /^\*{0,2}(?:From|Von|Da|De|Van|Od|Fra|Från|Lähettäjä|Remitente|Mittente|Expéditeur)\s?:\*{0,2}\s*\S/i;
const HEADER_SENT =
  /^\*{0,2}(?:Sent|Date|Gesendet|Datum|Inviato|Data|Envoyé|Date d'envoi|Verzonden|Verstuurd|Enviado|Fecha|Wysłano|Wysłane|Sendt|Skickat|Lähetetty)\s?:\*{0,2}\s*\S/i;
const ISO_HEADER = /^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:GMT|UTC)?\s*[+-]\d{1,2}(?::?\d{2})?)?\s.{1,200}:\s*$/;

/**
 * Gmail's attribution wrapped over two or three lines, joined into one so planer sees it (and
 * still reads answers written between the quoted lines).
 */
function joinWrappedAttributions(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const line = lines[i]!;
    const trimmed = line.trim();
    if (ATTRIBUTION_START.test(trimmed) && trimmed.length <= MAX_PLANER_LINE && !ATTRIBUTION_END.test(trimmed)) {
      let joined = trimmed;
      let end = -1;
      for (let j = i + 1; j < Math.min(lines.length, i + 3); j++) {
        const next = lines[j]?.trim() ?? '';
        if (next === '' || next.startsWith('>')) break;
        joined = `${joined} ${next}`;
        if (joined.length > MAX_PLANER_LINE) break;
        if (ATTRIBUTION_END.test(joined)) {
          end = j;
          break;
        }
      }
      if (end > 0) {
        out.push(joined);
        i = end;
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/** Where an Outlook header block in any language, or an ISO-dated header, starts; -1 when none. */
function quoteHeaderAt(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const line = lines[i]!.trim();
    if (line.length > MAX_PLANER_LINE) continue;
    if (HEADER_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => HEADER_SENT.test(l.trim()))) return i;
    if (ISO_HEADER.test(line)) return i;
  }
  return -1;
}

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
  /^(?:(?:important|warning|notice|note|please note|disclaimer|legal notice|confidential(?:ity)?|official[- ]sensitive|security)\s*[:–-]\s*)?(?:this (?:e-?mail|message|communication)\b.{0,80}\b(?:confidential|intended (?:solely |only )?for|(?:the )?intended recipients?|privileged|may contain|sensitive)|this e-?mail and any (?:files|attachments)\b|the information (?:contained )?in this (?:e-?mail|message)|(?:e-?mail )?disclaimer\b|confidentiality (?:notice|statement|warning)\b|please consider the environment|this e-?mail has been scanned|if you (?:have )?received this\b|if you (?:have received|are not the intended recipient)|(?:any|the) (?:views|opinions) expressed (?:in this|are)|.{0,60}\bmonitors? (?:and records? )?(?:all )?e-?mail|privacy notice\b|to find out how we (?:use|process) your (?:personal )?(?:data|information))/i;

/** Contact details in a signature: a labelled number or address, a UK number, an address, a web address, pronouns. */
const CONTACT =
  /^(?:tel|telephone|phone|mob|mobile|m|t|e|f|fax|ext|extension|email|e-mail|web|website|address|direct dial|dd|office)\b\s*[:.]|\b0\d{2,4}\s?\d{3}\s?\d{3,4}\b|\+44\s?\d|[\w.+-]+@[\w-]+\.[\w.]+|\bwww\.|\bhttps?:\/\/|\b(?:she|he|they)\/(?:her|him|them)\b|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b/i;
/** A job title, team or organisation line: written in title case, naming a role or body. */
const TITLE =
  /\b(?:social worker|worker|manager|officer|practitioner|co-?ordinator|lead|director|head|team|council|services?|assistant|administrator|adviser|advisor|iro|reviewing|nurse|teacher|designated|senior|principal|consultant|supervisor|therapist|psychologist|chair|clerk|secretary|support|county|borough|nhs|trust|school|academy|department|directorate|limited|ltd|children's|care|safeguarding|fostering|adoption|panel)\b/i;
const CONNECTORS = new Set(['of', 'and', 'for', 'in', 'the', '&', '|', '-', '–', 'to', 'at', 'with', 'a']);
/** A name on its own line: one to four capitalised words, perhaps with a title, post-nominals or pronouns. */
const NAME_LINE = /^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx)\.?\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3}(?:,?\s+[A-Z]{2,6})*(?:\s*\((?:she|he|they)\/\w+\))?$/;

function isTitleLine(line: string): boolean {
  if (!TITLE.test(line)) return false;
  const words = line.split(/\s+/).filter((w) => !CONNECTORS.has(w.toLowerCase()));
  const capitalised = words.filter((w) => /^[A-Z(]/.test(w)).length;
  return words.length > 0 && words.length <= 10 && capitalised / words.length >= 0.6;
}

const CONTACT_LABEL =
  /^(?:tel|telephone|phone|mob|mobile|m|t|e|f|fax|ext|extension|email|e-mail|web|website|address|direct dial|dd|office|pronouns|working days|work pattern)\b/i;

/** A line a signature may hold: short, not a sentence, and no "Label: value" line other than contact details (a directive such as "IRO: …" is the sender's words). */
function isSignatureLine(line: string): boolean {
  const words = line.split(/\s+/).length;
  if (/^[A-Za-z][\w '’()/-]{0,40}\s?:\s*\S/.test(line) && !CONTACT_LABEL.test(line)) return false;
  return line.length <= 90 && words <= 12 && (!/[.?!]$/.test(line) || words <= 3 || CONTACT.test(line));
}

/**
 * Where a signature with no sign-off starts: the trailing run of short lines that holds a job
 * title or contact details, cut at its name line (or its first title or contact line). The
 * sender's own short lines above it ("Will do") are kept.
 */
function signatureBlockStart(lines: readonly string[], firstWords: number): number {
  let start = lines.length;
  while (start > firstWords + 1) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const l = lines[start - 1]!.trim();
    if (l !== '' && !isSignatureLine(l)) break;
    start--;
  }
  const marks = (l: string) => CONTACT.test(l) || isTitleLine(l);
  for (let i = start; i < lines.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const l = lines[i]!.trim();
    if (l === '') continue;
    if (marks(l)) return i;
    if (NAME_LINE.test(l) && lines.slice(i + 1).some((x) => marks(x.trim()))) return i;
  }
  return -1;
}

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
  const beforeForward = fwd >= 0 ? lines.slice(0, fwd) : lines;
  const header = quoteHeaderAt(beforeForward.slice(0, 1000));
  const own = joinWrappedAttributions(header >= 0 ? beforeForward.slice(0, header) : beforeForward);
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
  if (cut < 0) cut = signatureBlockStart(lines, firstWords);
  // A message that is nothing but a disclaimer has no words of the sender's.
  if (firstWords >= 0 && DISCLAIMER.test(lines[firstWords]?.trim() ?? '')) cut = firstWords;
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
