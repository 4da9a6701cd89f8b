import { domainOfAddress, normaliseDomain, withinDomain } from '../address.js';
import { clauses, normaliseResult, type AuthResult } from './authentication.js';
import type { InboundMail } from './inbound-mail.js';

/**
 * Where an organisation's proof of a sender comes from (README, Trust; docs/microsoft-365.md).
 * `none`: nothing in a message is believed; state-changing commands go through the round trip.
 */
export type TrustSetting =
  | { source: 'none' }
  | { source: 'exchange-online'; tenantId: string; acceptedDomains: string[]; authservIds: string[] }
  | { source: 'google-workspace' }
  | { source: 'authserv-id'; authservIds: string[] };

export type VerificationStatus = 'verified' | 'unverified' | 'failed';

export interface SenderVerification {
  /**
   * `verified`: a trusted source proves the From address. `unverified`: nothing proves it either
   * way (state changes need the confirmation round trip). `failed`: a trusted server found it forged
   * (DMARC failed at the sender's own domain), or the From cannot be a command source at all.
   */
  status: VerificationStatus;
  /** What proved or failed it: `exchange-online`, or the authserv-id whose header was read. */
  by?: string;
  /** Why, in a few words (recorded on the message; never sender text). */
  reason: string;
}

/** Google's MX: the authserv-id it writes on every message it receives from outside. */
export const GOOGLE_AUTHSERV_ID = 'mx.google.com';

export function describeTrust(trust: TrustSetting): string {
  switch (trust.source) {
    case 'none':
      return 'confirmation round trip only (no trust source configured)';
    case 'exchange-online':
      return `Exchange Online organisation headers (tenant ${trust.tenantId})${trust.authservIds.length ? `, and Authentication-Results from ${trust.authservIds.join(', ')}` : ''}`;
    case 'google-workspace':
      return `Google Workspace (Authentication-Results from ${GOOGLE_AUTHSERV_ID})`;
    case 'authserv-id':
      return `Authentication-Results from ${trust.authservIds.join(', ')} (DMARC pass required)`;
  }
}

type Mail = Pick<InboundMail, 'headers'> & Partial<Pick<InboundMail, 'from' | 'fromCount'>>;

/**
 * Is the message's From proven? Pure: reads only the headers the trusted source writes. Fails
 * closed: anything missing, doubled or odd is `unverified`, never `verified`.
 */
export function verifySender(mail: Mail, trust: TrustSetting): SenderVerification {
  if ((mail.fromCount ?? 1) > 1) return { status: 'failed', reason: 'the From header names more than one address' };
  const from = mail.from?.address;
  const fromDomain = from ? domainOfAddress(from) : '';
  if (!from || !fromDomain) return { status: 'unverified', reason: 'no usable From address' };
  switch (trust.source) {
    case 'none':
      return { status: 'unverified', reason: 'no trust source is configured for this organisation' };
    case 'google-workspace':
      return byAuthenticationResults(mail, fromDomain, [GOOGLE_AUTHSERV_ID]);
    case 'authserv-id':
      return byAuthenticationResults(mail, fromDomain, trust.authservIds);
    case 'exchange-online': {
      const exchange = byExchangeHeaders(mail, fromDomain, trust);
      if (exchange.status === 'verified' || trust.authservIds.length === 0) return exchange;
      // A gateway of the organisation's own in front of Exchange may prove an outside sender.
      const gateway = byAuthenticationResults(mail, fromDomain, trust.authservIds);
      return gateway.status === 'unverified' ? { status: 'unverified', reason: `${exchange.reason}; ${gateway.reason}` } : gateway;
    }
  }
}

function single(mail: Mail, name: string): { value?: string; count: number } {
  const values = mail.headers[name] ?? [];
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- values has exactly one element here
  return { ...(values.length === 1 ? { value: values[0]!.trim() } : {}), count: values.length };
}

/**
 * Exchange Online stamps `X-MS-Exchange-Organization-AuthAs` on every message it delivers:
 * `Internal` when a mailbox of the organisation submitted it (signed in), `Anonymous` for mail from
 * the internet, `Partner` for a partner connector. Its header firewall removes every
 * `X-MS-Exchange-Organization-*` header a message brings from outside the organisation, so a
 * sender outside cannot write `Internal` (docs/microsoft-365.md, "Sender verification"). Exchange
 * only lets a signed-in user send as addresses they hold (or have Send As rights to), so an
 * `Internal` message's From at an accepted domain is that user's.
 */
function byExchangeHeaders(mail: Mail, fromDomain: string, trust: Extract<TrustSetting, { source: 'exchange-online' }>): SenderVerification {
  const authAs = single(mail, 'x-ms-exchange-organization-authas');
  if (authAs.count === 0) return { status: 'unverified', reason: 'no Exchange organisation header (X-MS-Exchange-Organization-AuthAs)' };
  if (authAs.count > 1) return { status: 'unverified', reason: 'more than one X-MS-Exchange-Organization-AuthAs header' };
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- count is 1 (checked above), so single() set value
  if (authAs.value!.toLowerCase() !== 'internal')
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- count is 1 (checked above), so single() set value
    return { status: 'unverified', reason: `Exchange received it as ${authAs.value!.slice(0, 20)}, not from inside the organisation` };
  const source = single(mail, 'x-ms-exchange-organization-authsource');
  if (source.count !== 1 || !source.value) return { status: 'unverified', reason: 'X-MS-Exchange-Organization-AuthSource missing or repeated' };
  const tenants = (mail.headers['x-ms-exchange-crosstenant-id'] ?? []).map((t) => t.trim().toLowerCase());
  if (tenants.some((t) => t !== trust.tenantId.toLowerCase())) return { status: 'unverified', reason: 'stamped for another Microsoft 365 tenant' };
  const accepted = trust.acceptedDomains.map(normaliseDomain);
  if (!accepted.some((d) => withinDomain(fromDomain, d))) return { status: 'unverified', reason: `${fromDomain} is not one of the tenant's accepted domains` };
  return { status: 'verified', by: 'exchange-online', reason: 'Exchange Online: sent from inside the organisation (AuthAs Internal)' };
}

interface Verdicts {
  authservId: string;
  dmarc?: AuthResult;
  dmarcFrom?: string;
  spf?: AuthResult;
  dkimPassDomains: string[];
  dkimSeen: boolean;
}

/** The topmost Authentication-Results header written by one of `ids`: the one the receiving server prepended. */
function topmostVerdicts(mail: Mail, ids: string[]): Verdicts | undefined {
  const trusted = new Set(ids.map((t) => t.trim().toLowerCase()).filter(Boolean));
  for (const value of mail.headers['authentication-results'] ?? []) {
    const [idPart, ...rest] = clauses(value);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- split() always returns at least one piece
    const authservId = (idPart ?? '').split(' ')[0]!.toLowerCase();
    if (!authservId || authservId.includes('=') || !trusted.has(authservId)) continue;
    const v: Verdicts = { authservId, dkimPassDomains: [], dkimSeen: false };
    for (const clause of rest) {
      const m = /^(dmarc|dkim|spf)\s*=\s*([a-z]+)/i.exec(clause);
      if (!m) continue;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
      const method = m[1]!.toLowerCase();
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
      const result = normaliseResult(m[2]!);
      if (method === 'dmarc' && !v.dmarc) {
        v.dmarc = result;
        const hf = /\bheader\.from\s*=\s*"?([^\s";]+)"?/i.exec(clause);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
        if (hf) v.dmarcFrom = normaliseDomain(hf[1]!.replace(/^.*@/, ''));
      } else if (method === 'spf' && !v.spf) v.spf = result;
      else if (method === 'dkim') {
        v.dkimSeen = true;
        const d = /\bheader\.d\s*=\s*"?([^\s";]+)"?/i.exec(clause)?.[1] ?? /\bheader\.i\s*=\s*"?[^\s";@]*@([^\s";]+)"?/i.exec(clause)?.[1];
        if (result === 'pass' && d) v.dkimPassDomains.push(normaliseDomain(d));
      }
    }
    return v;
  }
  return undefined;
}

/** Relaxed alignment (RFC 7489 3.1.1), approximated without a public-suffix list: one domain within the other. */
function aligned(a: string, b: string): boolean {
  return withinDomain(a, b) || withinDomain(b, a);
}

/**
 * The receiving server's verdicts (RFC 8601) from a trusted authserv-id. Verified only on
 * `dmarc=pass` about the From domain, or (no DMARC verdict) a DKIM pass aligned with it. A DMARC
 * `fail`, or SPF failing with no DKIM pass, is `failed`. `temperror`, `permerror`, `none`,
 * `neutral` and the like prove nothing: `unverified`.
 */
function byAuthenticationResults(mail: Mail, fromDomain: string, ids: string[]): SenderVerification {
  const v = topmostVerdicts(mail, ids);
  if (!v) return { status: 'unverified', reason: `no Authentication-Results from ${ids.join(', ')}` };
  const by = v.authservId;
  if (v.dmarcFrom && v.dmarcFrom !== fromDomain)
    return { status: 'failed', by, reason: `the verdict was for ${v.dmarcFrom}, not the From domain ${fromDomain}` };
  if (v.dmarc === 'fail') return { status: 'failed', by, reason: 'DMARC failed at our mail server' };
  if (v.dmarc === 'pass') return { status: 'verified', by, reason: `DMARC pass at ${by}` };
  const dkim = v.dkimPassDomains.find((d) => aligned(d, fromDomain));
  if (dkim) return { status: 'verified', by, reason: `DKIM pass for ${dkim} at ${by}` };
  if (v.spf === 'fail' && v.dkimPassDomains.length === 0) return { status: 'failed', by, reason: 'SPF failed and no DKIM signature passed' };
  return { status: 'unverified', by, reason: `no DMARC pass at ${by}${v.dmarc ? ` (dmarc=${v.dmarc})` : ''}` };
}
