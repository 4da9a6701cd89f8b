/**
 * IDNA (UTS #46) to ASCII, lower case: the WHATWG URL host parser, the same processing as
 * `node:url`'s `domainToASCII` (the domain layer imports no Node module). '' when not a domain.
 */
function domainToASCII(domain: string): string {
  if (!domain || /[\s/?#@:%[\]\\<>^|"]/.test(domain)) return '';
  try {
    const host = new URL(`http://${domain}`).hostname;
    // An IPv4 literal or something the parser rewrote into one is no mail domain here.
    return /^[0-9.]+$/.test(host) ? '' : host;
  } catch {
    return '';
  }
}

/**
 * The one rule for comparing email addresses, used wherever the service asks "is this the same
 * person?": the staff check, a case's participants, the inbox, our outbox's recipients, bounces.
 *
 * - The domain goes through IDNA (UTS #46, as `node:url`'s `domainToASCII`): lower-cased and in
 *   ASCII (punycode), so `Sunrise-Homes.ORG.uk` and `sunrise-homes.org.uk` are one domain, and an
 *   internationalised domain compares in the form DNS resolves.
 * - The local part keeps what was written, except that ASCII letters A–Z compare as a–z (every
 *   mail system the service meets treats `Alex.Morgan@` and `alex.morgan@` as one mailbox). No
 *   other character is case-folded: JavaScript's `toLowerCase` turns the Kelvin sign `K` (U+212A)
 *   into `k`, which would let `\u212Aim@…` pass as `kim@…`.
 *
 * Undefined for anything that is not one address with a local part and a valid domain.
 */
export function normaliseAddress(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().replace(/^<|>$/g, '');
  const at = v.lastIndexOf('@');
  if (at <= 0 || at === v.length - 1) return undefined;
  const local = v.slice(0, at);
  const domain = domainToASCII(v.slice(at + 1));
  if (!domain || /[\s<>]/.test(local) || local.length > 64) return undefined;
  return `${local.replace(/[A-Z]/g, (c) => c.toLowerCase())}@${domain}`;
}

/** The comparison key of an address: its normal form, or the trimmed text when it is not a valid address (never equal to a real one). */
export function addressKey(value: string): string {
  return normaliseAddress(value) ?? `invalid:${value.trim()}`;
}

export function sameAddress(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = normaliseAddress(a);
  return x !== undefined && x === normaliseAddress(b);
}

/** The IDNA/ASCII domain of an address (lower case), or '' when there is none. */
export function domainOfAddress(value: string): string {
  const n = normaliseAddress(value);
  return n ? n.slice(n.lastIndexOf('@') + 1) : '';
}

/** A configured domain in the same form: `Sunrise-Homes.org.uk` → `sunrise-homes.org.uk`. */
export function normaliseDomain(value: string): string {
  return domainToASCII(value.trim().replace(/^@/, '')) || value.trim().toLowerCase();
}

/** Is `domain` the given domain or a subdomain of it (both already normalised)? */
export function withinDomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}
