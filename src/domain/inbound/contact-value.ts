import { normaliseAddress } from '../address.js';
import type { Contact } from '../case/case-state.js';

const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function isEmail(value: string): boolean {
  return EMAIL.test(value) && value.length <= 254;
}

/**
 * "Jane Doe <jane.doe@la.gov.uk>", "jane.doe@la.gov.uk", "Jane Doe, jane.doe@la.gov.uk", and
 * what Outlook's plain text makes of a linked address: "jane.doe@la.gov.uk<mailto:jane.doe@la.gov.uk>".
 * Exactly one address, no control characters (a directive must never smuggle a header line).
 */
export function parseContact(value: string): Contact | { error: string } {
  const v = value.trim().replace(/\bmailto:/gi, '');
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(v)) return { error: 'contains control characters' };
  const found = v.match(/[^\s<>,;"()[\]]+@[^\s<>,;"()[\]]+/g) ?? [];
  const distinct = [...new Set(found.map((f) => f.replace(/[.]+$/, '')).map((f) => normaliseAddress(f) ?? f))];
  if (distinct.length !== 1) {
    return { error: distinct.length === 0 ? 'no email address found' : 'give one email address per line' };
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- distinct has exactly one element (checked above)
  const email = distinct[0]!;
  if (!isEmail(email)) return { error: `"${found[0]}" is not a valid email address` };
  let name = v;
  for (const f of found) name = name.split(f).join(' ');
  name = name
    .replace(/[<>"(),;[\]]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return name ? { email, name: name.slice(0, 120) } : { email };
}
