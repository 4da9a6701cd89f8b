import type { InboundMail } from './inbound-mail.js';

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

const RESULTS: ReadonlySet<string> = new Set(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy']);

export interface Authentication {
  /** True when an Authentication-Results header from a trusted authserv-id was found. */
  trusted: boolean;
  authservId?: string;
  dmarc?: AuthResult;
  dkim?: AuthResult;
  spf?: AuthResult;
  /** The From domain the DMARC verdict was about (`header.from=`). */
  headerFrom?: string;
  /**
   * What the router believes: `fail` when our own server recorded a DMARC failure (or, with no
   * DMARC verdict, an SPF fail and no DKIM pass), or when its verdict was about a different From
   * domain than the one we read; `pass` on a DMARC pass; `none` when nothing trusted was said.
   */
  verdict?: 'pass' | 'fail' | 'none';
  /** Why the verdict is what it is, in a few words. */
  reason?: string;
}

/** Splits a header value on `;` outside quoted strings, with (comments) removed. */
export function clauses(value: string): string[] {
  let depth = 0;
  let quoted = false;
  let current = '';
  const out: string[] = [];
  for (const ch of value) {
    if (quoted) {
      current += ch;
      if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"' && depth === 0) {
      quoted = true;
      current += ch;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (ch === ';') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((c) => c.replace(/\s+/g, ' ').trim());
}

export function normaliseResult(value: string): AuthResult {
  const v = value.toLowerCase();
  if (RESULTS.has(v)) return v as AuthResult;
  if (v === 'hardfail') return 'fail';
  // Microsoft's "bestguesspass" and the like are not a verdict we rely on.
  return 'neutral';
}

/**
 * Reads the receiving server's verdicts (RFC 8601). Only headers whose authserv-id we trust
 * count: anyone can write an Authentication-Results header into a message they send. The
 * topmost trusted header is the one our own server added (headers are prepended on the way in).
 * A header without an authserv-id (Microsoft 365 writes them so) is never trusted: on an Exchange
 * Online mailbox nothing here is trusted and spoofed mail has to be stopped by Exchange itself
 * (docs/microsoft-365.md, "Sender authentication").
 */
export function readAuthentication(mail: Pick<InboundMail, 'headers'> & Partial<Pick<InboundMail, 'from'>>, trustedIds: string[]): Authentication {
  const trusted = new Set(trustedIds.map((t) => t.trim().toLowerCase()).filter(Boolean));
  for (const value of mail.headers['authentication-results'] ?? []) {
    const [idPart, ...rest] = clauses(value);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split() always returns at least one piece
    const authservId = (idPart ?? '').split(' ')[0]!.toLowerCase();
    if (!authservId || authservId.includes('=') || !trusted.has(authservId)) continue;
    const result: Authentication = { trusted: true, authservId, verdict: 'none' };
    let dkimPass = false;
    for (const clause of rest) {
      const m = /^(dmarc|dkim|spf)\s*=\s*([a-z]+)/i.exec(clause);
      if (!m) continue;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
      const method = m[1]!.toLowerCase() as 'dmarc' | 'dkim' | 'spf';
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
      const verdict = normaliseResult(m[2]!);
      if (method === 'dkim' && verdict === 'pass') dkimPass = true;
      result[method] ??= verdict;
      if (method === 'dmarc' && !result.headerFrom) {
        const hf = /\bheader\.from\s*=\s*"?([^\s";]+)"?/i.exec(clause);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
        if (hf) result.headerFrom = hf[1]!.toLowerCase().replace(/^.*@/, '');
      }
    }
    // Several signatures: any that passed is what counts for DKIM.
    if (dkimPass) result.dkim = 'pass';
    const fromDomain = mail.from?.address.split('@')[1]?.toLowerCase();
    if (result.dmarc === 'fail') {
      result.verdict = 'fail';
      result.reason = 'DMARC failed at our mail server';
    } else if (result.headerFrom && fromDomain && result.headerFrom !== fromDomain) {
      result.verdict = 'fail';
      result.reason = `the verdict was for ${result.headerFrom}, not the From domain ${fromDomain}`;
    } else if ((!result.dmarc || result.dmarc === 'none') && result.spf === 'fail' && result.dkim !== 'pass') {
      result.verdict = 'fail';
      result.reason = 'SPF failed and no DKIM signature passed';
    } else if (result.dmarc === 'pass') {
      result.verdict = 'pass';
    }
    return result;
  }
  return { trusted: false, verdict: 'none' };
}

/** Our own server recorded that the From cannot be believed. */
export function failsAuthentication(auth: Authentication): boolean {
  return auth.trusted && (auth.verdict === 'fail' || auth.dmarc === 'fail');
}
