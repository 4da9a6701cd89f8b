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
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '';
      return String.fromCodePoint(code === 160 ? 32 : code);
    }
    const named = NAMED_ENTITIES[body.toLowerCase()] ?? NAMED_ENTITIES[body];
    return named ?? whole;
  });
}

const BLOCK = new Set([
  'p', 'div', 'tr', 'table', 'tbody', 'thead', 'tfoot', 'ul', 'ol', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'section', 'article', 'header', 'footer', 'center', 'address', 'form', 'fieldset', 'figure', 'main', 'nav', 'aside', 'body', 'html',
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
  };
  const softBreak = () => {
    if (line.trim() !== '') breakLine();
    else line = '';
  };
  const addText = (raw: string) => {
    const decoded = decodeEntities(raw);
    if (pre > 0) {
      const parts = decoded.split(/\r?\n/);
      parts.forEach((part, i) => {
        if (i > 0) breakLine();
        line += part;
      });
      return;
    }
    const collapsed = decoded.replace(/[\s\u00a0]+/g, ' ');
    if (paragraph && collapsed.trim() !== '') paragraph.hadText = true;
    if (collapsed === ' ' && (line === '' || line.endsWith(' '))) return;
    line += line === '' || line.endsWith(' ') ? collapsed.replace(/^ /, '') : collapsed;
  };

  // Bounded repetitions keep a '<' that never closes from costing more than a few thousand steps.
  const token = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]{0,4000}>|<\?[^>]{0,4000}>|<(\/?)([a-zA-Z][\w:-]{0,40})([^>]{0,8000})>|([^<]+)|</g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(html))) {
    const text = m[4] ?? (m[0] === '<' ? '<' : undefined);
    const name = m[2]?.toLowerCase();
    if (skipping) {
      if (name === skipping && m[1] === '/') skipping = undefined;
      continue;
    }
    if (text !== undefined) {
      addText(text);
      continue;
    }
    if (!name) continue; // comments, doctype, CDATA
    const closing = m[1] === '/';
    const attrs = m[3] ?? '';
    if (SKIP.has(name)) {
      if (!closing && !/\/\s*$/.test(attrs)) skipping = name;
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
        if (!closing) line = '- ';
        break;
      case 'td':
      case 'th':
        if (closing) line += '  ';
        break;
      case 'blockquote':
        softBreak();
        depth = closing ? Math.max(0, depth - 1) : depth + 1;
        break;
      case 'p':
        if (!closing) {
          softBreak();
          const mso = /\bclass\s*=\s*["']?Mso/i.test(attrs);
          if (!mso && lines.length > 0 && lines[lines.length - 1]!.replace(/^(?:> )+/, '') !== '') lines.push(prefix());
          paragraph = { mso, hadText: false };
        } else {
          if (line.trim() !== '') breakLine();
          else if (paragraph && !paragraph.hadText) lines.push(prefix());
          line = '';
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
        if (value && value.trim()) addText(`[${value.trim()}]`);
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
 * Where mail clients begin the quoted message in an HTML reply. The earliest marker found
 * wins; everything from there on is history.
 */
const HTML_QUOTE_MARKERS: RegExp[] = [
  // Gmail
  /<div[^>]*\bclass\s*=\s*["']?gmail_(?:quote|attr)\b/i,
  // Apple Mail, iOS, Thunderbird quoting
  /<blockquote[^>]*\btype\s*=\s*["']?cite\b/i,
  /<div[^>]*\bclass\s*=\s*["']?moz-cite-prefix\b/i,
  // Outlook on the web / new Outlook / Outlook mobile
  /<div[^>]*\bid\s*=\s*["']?appendonsend\b/i,
  /<div[^>]*\bid\s*=\s*["']?divRplyFwdMsg\b/i,
  /<div[^>]*\bid\s*=\s*["']?mail-editor-reference-message-container\b/i,
  /<div[^>]*\bclass\s*=\s*["']?OutlookMessageHeader\b/i,
  /<hr[^>]*\bid\s*=\s*["']?stopSpelling\b/i,
  // Outlook desktop: the "From: … Sent: …" block sits in a div with a thin top border
  /<div[^>]*\bstyle\s*=\s*["'][^"']*border-top\s*:\s*solid\s+#(?:E1E1E1|B5C4DF)\b/i,
  /<div[^>]*\bclass\s*=\s*["']?(?:yahoo_quoted|protonmail_quote)\b/i,
  // Plain markers some clients put in HTML
  /-{3,}\s*Original Message\s*-{3,}/i,
];

/** The HTML before the quoted history, when a client marker for it is found. */
export function cutHtmlQuote(html: string): { html: string; found: boolean } {
  let cut = -1;
  for (const marker of HTML_QUOTE_MARKERS) {
    const m = marker.exec(html);
    if (m && (cut < 0 || m.index < cut)) cut = m.index;
  }
  return cut < 0 ? { html, found: false } : { html: html.slice(0, cut), found: true };
}
