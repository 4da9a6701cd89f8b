import { describe, expect, it } from 'vitest';
import { addressKey, normaliseAddress, sameAddress } from '../../../src/domain/address.js';
import { verifySender, type TrustSetting } from '../../../src/domain/inbound/sender-verification.js';

const TENANT = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const from = { address: 'alex.morgan@sunrise-homes.org.uk' };
const own: TrustSetting = { source: 'authserv-id', authservIds: ['mx.sunrise-homes.org.uk'] };
const ar = (...values: string[]) => ({ headers: { 'authentication-results': values }, from });

describe('verifySender: a named authserv-id', () => {
  it('verifies on dmarc=pass, or an aligned DKIM pass when there is no DMARC verdict', () => {
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dmarc=pass header.from=sunrise-homes.org.uk'), own).status).toBe('verified');
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dkim=pass header.d=sunrise-homes.org.uk'), own).status).toBe('verified');
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dkim=pass header.d=mailer.example'), own).status).toBe('unverified');
  });

  it('temperror, permerror, none and neutral are not a pass; a DMARC fail or SPF fail without DKIM is a failure', () => {
    for (const v of ['dmarc=temperror', 'dmarc=permerror', 'dmarc=none', 'spf=neutral; dkim=neutral']) {
      expect(verifySender(ar(`mx.sunrise-homes.org.uk; ${v}`), own).status, v).toBe('unverified');
    }
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dmarc=fail header.from=sunrise-homes.org.uk'), own).status).toBe('failed');
    expect(verifySender(ar('mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=x.example; dkim=none'), own).status).toBe('failed');
  });

  it('reads only the topmost header of a trusted server, and only about the From domain', () => {
    const forgedBelow = ar('mx.sunrise-homes.org.uk; dmarc=none', 'mx.sunrise-homes.org.uk; dmarc=pass header.from=sunrise-homes.org.uk');
    expect(verifySender(forgedBelow, own).status).toBe('unverified');
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dmarc=pass header.from=other.example'), own).status).toBe('failed');
    expect(verifySender(ar('mx.attacker.example; dmarc=pass header.from=sunrise-homes.org.uk'), own).status).toBe('unverified');
    expect(verifySender(ar('dmarc=pass header.from=sunrise-homes.org.uk'), own).status).toBe('unverified');
  });

  it('a From with more than one address fails; no trust source leaves everyone unverified', () => {
    expect(verifySender({ ...ar('mx.sunrise-homes.org.uk; dmarc=pass'), fromCount: 2 }, own).status).toBe('failed');
    expect(verifySender(ar('mx.sunrise-homes.org.uk; dmarc=pass'), { source: 'none' }).status).toBe('unverified');
  });
});

describe('verifySender: Exchange Online and Google Workspace', () => {
  const exo: TrustSetting = { source: 'exchange-online', tenantId: TENANT, acceptedDomains: ['sunrise-homes.org.uk'], authservIds: [] };
  const headers = (authAs: string[], extra: Record<string, string[]> = {}) => ({
    headers: {
      'x-ms-exchange-organization-authas': authAs,
      'x-ms-exchange-organization-authsource': ['LO4P265MB5937.GBRP265.PROD.OUTLOOK.COM'],
      ...extra,
    },
    from,
  });

  it('believes exactly one AuthAs Internal for the tenant and an accepted domain, nothing else', () => {
    expect(verifySender(headers(['Internal']), exo)).toMatchObject({ status: 'verified', by: 'exchange-online' });
    expect(verifySender(headers(['Anonymous']), exo).status).toBe('unverified');
    expect(verifySender(headers(['Internal', 'Anonymous']), exo).status).toBe('unverified');
    expect(verifySender(headers(['Internal'], { 'x-ms-exchange-crosstenant-id': ['9a8b7c6d-0000-4000-8000-000000000001'] }), exo).status).toBe('unverified');
    expect(verifySender({ ...headers(['Internal']), from: { address: 'someone@other.example' } }, exo).status).toBe('unverified');
    expect(verifySender({ headers: { 'x-ms-exchange-organization-authas': ['Internal'] }, from }, exo).status).toBe('unverified');
  });

  it('Google: the topmost mx.google.com header decides', () => {
    const g: TrustSetting = { source: 'google-workspace' };
    expect(verifySender(ar('mx.google.com; dmarc=pass (p=REJECT) header.from=sunrise-homes.org.uk'), g).status).toBe('verified');
    expect(
      verifySender(ar('mx.google.com; dmarc=fail header.from=sunrise-homes.org.uk', 'mx.google.com; dmarc=pass header.from=sunrise-homes.org.uk'), g).status,
    ).toBe('failed');
  });
});

describe('the address rule', () => {
  it('lower-cases the domain through IDNA and only ASCII letters of the local part', () => {
    expect(normaliseAddress('Alex.Morgan@Sunrise-Homes.ORG.uk')).toBe('alex.morgan@sunrise-homes.org.uk');
    expect(normaliseAddress('post@Bücher.example')).toBe('post@xn--bcher-kva.example');
    expect(sameAddress('\u212Aim@northshire.gov.uk', 'kim@northshire.gov.uk')).toBe(false);
    expect(normaliseAddress('\u212Aim@northshire.gov.uk')).toBe('\u212Aim@northshire.gov.uk');
    expect(normaliseAddress('no-domain@')).toBeUndefined();
    expect(normaliseAddress('a@bad domain')).toBeUndefined();
    expect(addressKey('not an address')).not.toBe(addressKey('not an address@'));
  });
});
