import { describe, expect, it } from 'vitest';
import { failsAuthentication, readAuthentication } from '../../../src/domain/inbound/authentication.js';

const TRUSTED = ['mx.sunrise-homes.org.uk'];
const from = { address: 'sam.patel@northshire.gov.uk' };
const read = (values: string[], trusted = TRUSTED) => readAuthentication({ headers: { 'authentication-results': values }, from }, trusted);

describe('readAuthentication', () => {
  it('believes our own server: a pass', () => {
    const a = read([
      'mx.sunrise-homes.org.uk; dkim=pass header.d=northshire.gov.uk; dmarc=pass (p=reject dis=none) header.from=northshire.gov.uk; spf=pass smtp.mailfrom=sam.patel@northshire.gov.uk',
    ]);
    expect(a).toEqual({
      trusted: true,
      authservId: 'mx.sunrise-homes.org.uk',
      dkim: 'pass',
      dmarc: 'pass',
      spf: 'pass',
      headerFrom: 'northshire.gov.uk',
      verdict: 'pass',
    });
    expect(failsAuthentication(a)).toBe(false);
  });

  it('flags a DMARC failure recorded by our server', () => {
    const a = read([
      'mx.sunrise-homes.org.uk; dkim=none; dmarc=fail reason="SPF not aligned" header.from=northshire.gov.uk (policy=quarantine); spf=pass smtp.mailfrom=x@vps.example',
    ]);
    expect(a.verdict).toBe('fail');
    expect(a.dmarc).toBe('fail');
    expect(failsAuthentication(a)).toBe(true);
  });

  it('ignores headers from anyone else, whatever they claim', () => {
    const a = read(['mx.evil.example; dmarc=fail header.from=northshire.gov.uk', 'mx.evil.example; dmarc=pass']);
    expect(a).toEqual({ trusted: false, verdict: 'none' });
    expect(failsAuthentication(a)).toBe(false);
  });

  it('reads only the topmost trusted header: a forged one below ours does not count', () => {
    const a = read([
      'mx.sunrise-homes.org.uk; dkim=fail; dmarc=fail header.from=northshire.gov.uk',
      'mx.sunrise-homes.org.uk; dkim=pass; dmarc=pass header.from=northshire.gov.uk',
    ]);
    expect(a.verdict).toBe('fail');
  });

  it('never trusts a header without an authserv-id (Microsoft 365 writes them so)', () => {
    const a = read(
      [
        'spf=pass (sender IP is 52.101.67.61) smtp.mailfrom=northshire.gov.uk; dkim=pass (signature was verified) header.d=northshire.gov.uk;dmarc=pass action=none header.from=northshire.gov.uk;compauth=pass reason=100',
      ],
      [...TRUSTED, 'spf=pass'],
    );
    expect(a.trusted).toBe(false);
  });

  it('copes with a version number, case, comments holding semicolons and folded whitespace', () => {
    const a = read([
      'MX.Sunrise-Homes.org.uk 1;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=northshire.gov.uk;\r\n\tDMARC=Pass (p=reject; sp=reject) header.from=northshire.gov.uk',
    ]);
    expect(a).toMatchObject({ trusted: true, dkim: 'pass', dmarc: 'pass', verdict: 'pass' });
  });

  it('counts DKIM as passed when any signature passed', () => {
    expect(
      read(['mx.sunrise-homes.org.uk; dkim=fail header.d=relay.example; dkim=pass header.d=northshire.gov.uk; dmarc=pass header.from=northshire.gov.uk']).dkim,
    ).toBe('pass');
  });

  it('fails a verdict about another From domain, and SPF failing with no DKIM pass and no DMARC verdict', () => {
    expect(read(['mx.sunrise-homes.org.uk; dmarc=pass header.from=other.example']).verdict).toBe('fail');
    expect(read(['mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=x@northshire.gov.uk; dkim=none']).verdict).toBe('fail');
    expect(read(['mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=x@northshire.gov.uk; dkim=pass header.d=northshire.gov.uk']).verdict).toBe('none');
  });

  it('does not fail on temporary errors or verdicts it does not know', () => {
    expect(read(['mx.sunrise-homes.org.uk; dmarc=temperror']).verdict).toBe('none');
    const a = read(['mx.sunrise-homes.org.uk; dmarc=bestguesspass header.from=northshire.gov.uk']);
    expect(a.dmarc).toBe('neutral');
    expect(a.verdict).toBe('none');
  });

  it('says none when there is no header at all', () => {
    expect(readAuthentication({ headers: {} }, TRUSTED)).toEqual({ trusted: false, verdict: 'none' });
  });
});
