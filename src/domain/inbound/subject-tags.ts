/** Case references look like ESC-2026-0042 (the sequence may grow past four digits). */
export const CASE_REF_PATTERN = /\bESC-(\d{4})-(\d{4,6})\b/i;

export function caseTagOf(subject: string): string | undefined {
  const m = CASE_REF_PATTERN.exec(subject);
  return m ? `ESC-${m[1]}-${m[2]}` : undefined;
}

/** `[escalate]` or `#escalate` anywhere in the subject, any case. */
export function hasEscalateTag(subject: string): boolean {
  return /\[\s*escalate\s*\]|(^|\s)#escalate\b/i.test(subject);
}

/**
 * Reply and forward prefixes of the mail clients we see (English, German, French, Nordic, Dutch,
 * Spanish…), repeated or bracketed: "RE: AW: Fwd: [EXT] …".
 */
const PREFIX = /^\s*(?:(?:re|aw|wg|fw|fwd|tr|sv|vs|antw|doorst|rv|res|enc|ynt|odp|vl|r)\s*(?:\[\d+\])?\s*[:：]|\[(?:ext|external)\]|\*\*\s*external\s*\*\*)\s*/i;

export function stripSubjectPrefixes(subject: string): string {
  let s = subject;
  for (let i = 0; i < 20; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/** The subject our mails carry: the original, without prefixes or our tags, plus `[ESC-…]` once. */
export function caseSubject(original: string, ref: string): string {
  const base = stripSubjectPrefixes(original)
    .replace(/\s*\[\s*ESC-\d{4}-\d{4,6}\s*\]/gi, '')
    .replace(/\s*\[\s*escalate\s*\]|\s*#escalate\b/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `${base || 'Escalation'} [${ref}]`;
}
