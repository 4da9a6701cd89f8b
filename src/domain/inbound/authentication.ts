import type { InboundMail } from './inbound-mail.js';

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export interface Authentication {
  /** True when an Authentication-Results header from a trusted authserv-id was found. */
  trusted: boolean;
  authservId?: string;
  dmarc?: AuthResult;
  dkim?: AuthResult;
  spf?: AuthResult;
}

/**
 * Reads the receiving server's verdicts (RFC 8601). Only headers whose authserv-id we trust
 * count: anyone can write an Authentication-Results header into a message they send.
 * The topmost trusted header is the one our own server added.
 */
export function readAuthentication(mail: Pick<InboundMail, 'headers'>, trustedIds: string[]): Authentication {
  const trusted = new Set(trustedIds.map((t) => t.toLowerCase()));
  for (const value of mail.headers['authentication-results'] ?? []) {
    const unfolded = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ');
    const [idPart, ...rest] = unfolded.split(';');
    const authservId = idPart!.trim().split(/\s+/)[0]!.toLowerCase();
    if (!trusted.has(authservId)) continue;
    const result: Authentication = { trusted: true, authservId };
    for (const clause of rest) {
      const m = /^\s*(dmarc|dkim|spf)\s*=\s*([a-z]+)/i.exec(clause);
      if (!m) continue;
      const method = m[1]!.toLowerCase() as 'dmarc' | 'dkim' | 'spf';
      // First verdict per method wins (several DKIM signatures: any pass is reported first by servers).
      if (!result[method]) result[method] = m[2]!.toLowerCase() as AuthResult;
    }
    return result;
  }
  return { trusted: false };
}

/** A DMARC failure recorded by our own server: the From cannot be believed. */
export function failsAuthentication(auth: Authentication): boolean {
  return auth.trusted && auth.dmarc === 'fail';
}
