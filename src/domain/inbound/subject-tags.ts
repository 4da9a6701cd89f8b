/** Case references look like ESC-2026-0042 (the sequence may grow past four digits). */
export const CASE_REF_PATTERN = /\bESC-(\d{4})-(\d{4,6})\b/i;

/**
 * Tolerant form for subjects: any dash Word or a phone may substitute, and the spaces a folded
 * or re-wrapped header leaves ("ESC-2026- 0001"). A missing closing bracket (a truncated
 * subject) does not matter.
 */
const LOOSE_REF = /(\[\s*)?\bESC\s*[-‐‑‒–—]\s*(\d{4})\s*[-‐‑‒–—]\s*(\d{4,6})(?!\d)/gi;

/**
 * The case reference in a subject, whatever prefixes, tags or truncation surround it. When a
 * subject names more than one, a bracketed tag wins over a bare mention and the last bracketed
 * one wins over earlier ones (ours is appended at the end).
 */
export function caseTagOf(subject: string): string | undefined {
  const found: { ref: string; bracketed: boolean }[] = [];
  for (const m of subject.slice(0, 2000).matchAll(LOOSE_REF)) {
    found.push({ ref: `ESC-${m[2]}-${m[3]}`, bracketed: !!m[1] });
  }
  if (found.length === 0) return undefined;
  const bracketed = found.filter((f) => f.bracketed);
  return (bracketed.at(-1) ?? found[0])?.ref;
}

/** `[escalate]` or `#escalate` anywhere in the subject, any case. */
export function hasEscalateTag(subject: string): boolean {
  return /\[\s*escalate\s*\]|(?:^|[\s([{,;:])#escalate\b/i.test(subject);
}

/**
 * Reply and forward prefixes of the mail clients we see (English, German, French, Nordic, Dutch,
 * Spanish, Italian, Polish, Turkish…), repeated, numbered or bracketed, and the tags mail
 * gateways add: "RE: AW: Fwd: [EXT] …", "Re[2]:", "RE :", "**EXTERNAL**", "[SPAM]".
 */
const REPLY_PREFIX =
  '(?:re|aw|wg|fw|fwd|tr|sv|vs|antw|antwort|doorst|rv|res|enc|ynt|odp|pd|vl|r|rif|i|ref|réf|fs|vb|إعادة توجيه|回复|回覆|转发|轉寄|답장|전달)\\s*(?:\\[\\d+\\]|\\(\\d+\\)|\\^\\d+)?\\s*[:：]';
const GATEWAY_TAG =
  '\\[\\s*(?:ext|external|external email|external sender|spam|suspected spam|possible spam|caution|warning|secure|encrypt|official|official-sensitive)\\s*\\]|\\(\\s*(?:ext|external)\\s*\\)|\\*{1,3}\\s*(?:ext|external|spam)\\s*\\*{1,3}:?|(?:external|ext)\\s*:';
const PREFIX = new RegExp(`^\\s*(?:${REPLY_PREFIX}|${GATEWAY_TAG})\\s*`, 'i');
const GATEWAY_PREFIX = new RegExp(`^\\s*(?:${GATEWAY_TAG})\\s*`, 'i');

/** The subject without the tags mail gateways put in front ("[EXTERNAL] …"), reply prefixes kept. */
export function stripGatewayTags(subject: string): string {
  let s = subject;
  for (let i = 0; i < 10; i++) {
    const next = s.replace(GATEWAY_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

export function stripSubjectPrefixes(subject: string): string {
  let s = subject;
  for (let i = 0; i < 30; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/** The request's own words: no reply prefixes, gateway tags, case tags or `[escalate]`. */
export function baseSubject(original: string): string {
  return stripSubjectPrefixes(original)
    .replace(/\s*\[\s*ESC-\d{4}-\d{4,6}\s*\]/gi, '')
    .replace(/\s*\[\s*escalate\s*\]|\s*#escalate\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The subject our mails carry: the original, without prefixes or our tags, plus `[ESC-…]` once. */
export function caseSubject(original: string, ref: string): string {
  return `${baseSubject(original) || 'Escalation'} [${ref}]`;
}
