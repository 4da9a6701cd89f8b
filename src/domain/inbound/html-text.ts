/**
 * HTML mail bodies as text, without a DOM: enough for what mail clients write (paragraphs,
 * divs, line breaks, lists, tables, blockquotes, entities, Outlook's conditional comments).
 * Pure and linear in the input; the caller bounds the input length.
 */

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  pound: '£',
  euro: '€',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  bull: '•',
  middot: '·',
  deg: '°',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  times: '×',
  shy: '',
  zwnj: '',
  zwj: '',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  laquo: '«',
  raquo: '»',
  eacute: 'é',
  egrave: 'è',
  aacute: 'á',
  agrave: 'à',
  ccedil: 'ç',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});?/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code === 160 ? 32 : code);
    }
    const named = NAMED_ENTITIES[body.toLowerCase()] ?? NAMED_ENTITIES[body];
    return named ?? whole;
  });
}

const BLOCK = new Set([
  'p',
  'div',
  'tr',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'section',
  'article',
  'header',
  'footer',
  'center',
  'address',
  'form',
  'fieldset',
  'figure',
  'main',
  'nav',
  'aside',
  'body',
  'html',
]);
const SKIP = new Set(['head', 'style', 'script', 'title', 'xml', 'template', 'noscript', 'svg', 'object']);

/**
 * Converts HTML to plain text. Block elements start new lines, `<br>` breaks a line, list items
 * become "- " lines, table cells are separated by two spaces, `<hr>` becomes a line of
 * underscores (as Outlook's plain text does), and a blockquote's lines are prefixed "> " so the
 * quote stripping that follows recognises them.
 */
export function htmlToText(html: string): string {
  const lines: string[] = [];
  let line = '';
  let lastChar = '';
  const append = (text: string) => {
    if (text === '') return;
    line += text;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- text is not empty here
    lastChar = text[text.length - 1]!;
  };
  let depth = 0; // blockquote nesting
  let skipping: string | undefined;
  let pre = 0;
  // Outlook writes one <p class=MsoNormal> per line (blank lines are empty paragraphs); other
  // clients' <p> is a paragraph with space around it.
  let paragraph: { mso: boolean; hadText: boolean } | undefined;
  const prefix = () => '> '.repeat(depth);
  const breakLine = () => {
    lines.push((depth > 0 ? prefix() : '') + line.replace(/[ \t]+$/g, ''));
    line = '';
    lastChar = '';
  };
  const softBreak = () => {
    if (line.trim() !== '') breakLine();
    else {
      line = '';
      lastChar = '';
    }
  };
  const addText = (raw: string) => {
    const decoded = decodeEntities(raw);
    if (pre > 0) {
      const parts = decoded.split(/\r?\n/);
      parts.forEach((part, i) => {
        if (i > 0) breakLine();
        append(part);
      });
      return;
    }
    const collapsed = decoded.replace(/[\s\u00a0]+/g, ' ');
    if (paragraph && collapsed.trim() !== '') paragraph.hadText = true;
    // Look at the last character without touching `line` itself: asking a long, concatenated
    // string for its end flattens it every time, which made long lines quadratic.
    const atSpace = lastChar === '' || lastChar === ' ';
    if (collapsed === ' ' && atSpace) return;
    append(atSpace ? collapsed.replace(/^ /, '') : collapsed);
  };

  // A linear scan: the positions of the next '<' and '>' only ever move forward, so hostile
  // input ("<a<a<a…", "<div<div…" without a '>') costs one pass, not one pass per '<'.
  const lower = html.toLowerCase();
  const n = html.length;
  let nextGt = html.indexOf('>');
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      if (!skipping) addText(html.slice(i));
      break;
    }
    if (lt > i && !skipping) addText(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? n : end + 3;
      continue;
    }
    if (nextGt !== -1 && nextGt <= lt) nextGt = html.indexOf('>', lt + 1);
    const nextLt = html.indexOf('<', lt + 1);
    if (nextGt === -1 || (nextLt !== -1 && nextLt < nextGt)) {
      // A '<' that no '>' closes before the next '<' is text ("1 < 2").
      if (!skipping) addText('<');
      i = lt + 1;
      continue;
    }
    const inner = html.slice(lt + 1, nextGt);
    i = nextGt + 1;
    if (inner.startsWith('!') || inner.startsWith('?')) continue; // doctype, CDATA, processing instruction
    const m = /^(\/?)([a-zA-Z][\w:-]*)/.exec(inner);
    if (!m) {
      if (!skipping) addText(`<${inner}>`);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const name = m[2]!.toLowerCase();
    const closing = m[1] === '/';
    const attrs = inner.slice(m[0].length);
    if (skipping) {
      if (closing && name === skipping) skipping = undefined;
      else {
        // Jump straight to the closing tag of what is being skipped.
        const close = lower.indexOf(`</${skipping}`, i);
        i = close === -1 ? n : close;
      }
      continue;
    }
    if (SKIP.has(name)) {
      if (!closing && !/\/\s*$/.test(attrs)) {
        skipping = name;
        const close = lower.indexOf(`</${name}`, i);
        i = close === -1 ? n : close;
      }
      continue;
    }
    switch (name) {
      case 'br':
        breakLine();
        break;
      case 'hr':
        softBreak();
        lines.push(prefix() + '________________________________');
        break;
      case 'li':
        softBreak();
        if (!closing) append('- ');
        break;
      case 'td':
      case 'th':
        if (closing) append('  ');
        break;
      case 'blockquote':
        softBreak();
        depth = closing ? Math.max(0, depth - 1) : depth + 1;
        break;
      case 'p':
        if (!closing) {
          softBreak();
          const mso = /\bclass\s*=\s*["']?Mso/i.test(attrs);
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- lines is not empty (checked just before)
          if (!mso && lines.length > 0 && lines[lines.length - 1]!.replace(/^(?:> )+/, '') !== '') lines.push(prefix());
          paragraph = { mso, hadText: false };
        } else {
          if (line.trim() !== '') breakLine();
          else if (paragraph && !paragraph.hadText) lines.push(prefix());
          line = '';
          lastChar = '';
          if (paragraph && !paragraph.mso) lines.push(prefix());
          paragraph = undefined;
        }
        break;
      case 'pre':
        softBreak();
        pre = closing ? Math.max(0, pre - 1) : pre + 1;
        break;
      case 'img': {
        const alt = /\balt\s*=\s*("([^"]*)"|'([^']*)')/i.exec(attrs);
        const value = alt?.[2] ?? alt?.[3];
        if (value?.trim()) addText(`[${value.trim()}]`);
        break;
      }
      default:
        if (BLOCK.has(name)) softBreak();
    }
  }
  softBreak();
  return lines
    .map((l) => l.replace(/[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Where mail clients begin the quoted message in an HTML reply: a literal to look for, and what
 * the tag around it must look like. The earliest marker found wins; everything from that tag on
 * is history. Literals first, then a bounded look at the tag, so the search stays linear.
 */
const HTML_QUOTE_MARKERS: { literal: string; tag: RegExp }[] = [
  // Gmail
  { literal: 'gmail_quote', tag: /^<div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bgmail_quote/i },
  { literal: 'gmail_attr', tag: /^<div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bgmail_attr/i },
  // Apple Mail, iOS, Thunderbird quoting
  { literal: 'cite', tag: /^<blockquote\b[^>]*\btype\s*=\s*["']?cite\b/i },
  { literal: 'moz-cite-prefix', tag: /^<div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bmoz-cite-prefix/i },
  // Outlook on the web / new Outlook / Outlook mobile
  { literal: 'appendonsend', tag: /^<div\b[^>]*\bid\s*=\s*["']?appendonsend\b/i },
  { literal: 'divrplyfwdmsg', tag: /^<div\b[^>]*\bid\s*=\s*["']?divRplyFwdMsg\b/i },
  { literal: 'mail-editor-reference-message-container', tag: /^<div\b/i },
  { literal: 'outlookmessageheader', tag: /^<div\b[^>]*\bclass\s*=\s*["']?OutlookMessageHeader\b/i },
  { literal: 'stopspelling', tag: /^<hr\b[^>]*\bid\s*=\s*["']?stopSpelling\b/i },
  // Outlook desktop: the "From: … Sent: …" block sits in a div with a thin top border
  { literal: 'border-top', tag: /^<div\b[^>]*\bstyle\s*=\s*["'][^"']*border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b/i },
  { literal: 'yahoo_quoted', tag: /^<div\b/i },
  { literal: 'protonmail_quote', tag: /^<(?:div|blockquote)\b/i },
];

const ORIGINAL_MESSAGE = /-{3,}\s*Original Message\s*-{3,}/i;

/** The HTML before the quoted history, when a client marker for it is found. */
export function cutHtmlQuote(html: string): { html: string; found: boolean } {
  const lower = html.toLowerCase();
  let cut = -1;
  for (const marker of HTML_QUOTE_MARKERS) {
    let from = 0;
    for (let tries = 0; tries < 100; tries++) {
      const k = lower.indexOf(marker.literal, from);
      if (k === -1 || (cut >= 0 && k > cut)) break;
      from = k + marker.literal.length;
      const windowStart = Math.max(0, k - 2000);
      const lt = lower.slice(windowStart, k).lastIndexOf('<');
      if (lt === -1) continue;
      const tagStart = windowStart + lt;
      const gt = lower.indexOf('>', k);
      if (gt === -1 || gt - tagStart > 4000) continue;
      if (marker.tag.test(html.slice(tagStart, gt + 1))) {
        if (cut < 0 || tagStart < cut) cut = tagStart;
        break;
      }
    }
  }
  for (let from = 0, tries = 0; tries < 100; tries++) {
    const k = lower.indexOf('original message', from);
    if (k === -1 || (cut >= 0 && k > cut)) break;
    from = k + 16;
    const m = ORIGINAL_MESSAGE.exec(html.slice(Math.max(0, k - 40), k + 60));
    if (m) {
      const at = Math.max(0, k - 40) + m.index;
      if (cut < 0 || at < cut) cut = at;
      break;
    }
  }
  return cut < 0 ? { html, found: false } : { html: html.slice(0, cut), found: true };
}
