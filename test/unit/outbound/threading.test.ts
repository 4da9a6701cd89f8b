// Every expected value here is a literal, worked out outside the code under test (HMAC-SHA256 and the
// Thread-Index layout of MS-OXOMSG 2.2.1.3 written again in Python): a test that computed its
// expectation with messageIdFor or threadIndexFor would pass whatever they did.
import { describe, expect, it } from 'vitest';
import { messageIdFor, referencesFor, threadIndexFor } from '../../../src/outbound/compose/threading.js';

const SECRET = 'test-secret';
const CASE_ID = '7d1c2b9e-0f6a-4e1b-8c3d-5a9f0e2b4c61';
const REF = 'ESC-2026-0001';
const MAILBOX = 'Escalations@Sunrise-Homes.org.uk';
const OPENED = new Date('2026-11-23T10:00:00Z');
const SALT = '<esc-2026-0001.s1-chaser.x@sunrise-homes.org.uk>';

describe('messageIdFor', () => {
  it('is the reference and key, a keyed hash of the case and key, at the mailbox domain in lower case', () => {
    expect(messageIdFor(SECRET, CASE_ID, REF, 's1-chaser', MAILBOX)).toBe('<esc-2026-0001.s1-chaser.280f157e81fa6562@sunrise-homes.org.uk>');
    expect(messageIdFor(SECRET, CASE_ID, REF, 's2-chaser', MAILBOX)).toBe('<esc-2026-0001.s2-chaser.dadc5d5924a5d393@sunrise-homes.org.uk>');
  });

  it('changes with the secret, so nobody without it can forge a reference to a case', () => {
    expect(messageIdFor('other-secret', CASE_ID, REF, 's1-chaser', MAILBOX)).toBe('<esc-2026-0001.s1-chaser.9b70c3ef1ec3aaec@sunrise-homes.org.uk>');
  });
});

describe('referencesFor', () => {
  it("puts the request's thread first, then ours, without repeats", () => {
    expect(referencesFor(['<request@la.gov.uk>', '<rm-1@home.org.uk>'], ['<ours-1@home.org.uk>', '<rm-1@home.org.uk>', '<ours-2@home.org.uk>'])).toEqual([
      '<request@la.gov.uk>',
      '<rm-1@home.org.uk>',
      '<ours-1@home.org.uk>',
      '<ours-2@home.org.uk>',
    ]);
  });

  it('keeps the first and the newest when over the cap', () => {
    const ids = ['<a@x>', '<b@x>', '<c@x>', '<d@x>', '<e@x>', '<f@x>'];
    expect(referencesFor(ids.slice(0, 2), ids.slice(2), 4)).toEqual(['<a@x>', '<d@x>', '<e@x>', '<f@x>']);
    expect(referencesFor(ids.slice(0, 2), ids.slice(2), 6)).toEqual(ids);
  });
});

describe('threadIndexFor', () => {
  // Header 01 | FILETIME of 2026-11-23T10:00Z, high 5 bytes (01dd7b3166) | sha256("thread:<case>")[0..16];
  // child block: 7 days in 2^18 × 100 ns units (01600a6e) | sha256(salt)[0] (1f).
  const DERIVED = 'AQHdezFm2srvSEgtYyC+BptP1FrrdAFgCm4f';

  it('derives a header from the case and its opening when the request had none', () => {
    const index = threadIndexFor(undefined, CASE_ID, OPENED, new Date('2026-11-30T10:00:00Z'), SALT);
    expect(index).toBe(DERIVED);
    expect(Buffer.from(index, 'base64').toString('hex')).toBe('0101dd7b3166dacaef48482d6320be069b4fd45aeb74' + '01600a6e1f');
  });

  it("extends the request's own Thread-Index, keeping its header and child blocks", () => {
    // An Outlook-style index: header for 2026-11-20T09:15Z with GUID 0f1e…f0, and one child block already.
    const parent = 'AQHdeM+eDx4tPEtaaXiHlqW0w9Lh8AADqtcq';
    expect(threadIndexFor(parent, CASE_ID, OPENED, new Date('2026-11-30T10:00:00Z'), SALT)).toBe('AQHdeM+eDx4tPEtaaXiHlqW0w9Lh8AADqtcqAfh8bh8=');
    expect(threadIndexFor(`  ${parent}\r\n`, CASE_ID, OPENED, new Date('2026-11-30T10:00:00Z'), SALT)).toBe('AQHdeM+eDx4tPEtaaXiHlqW0w9Lh8AADqtcqAfh8bh8=');
  });

  it('ignores a parent that is not a header plus whole child blocks', () => {
    expect(threadIndexFor('AQID', CASE_ID, OPENED, new Date('2026-11-30T10:00:00Z'), SALT)).toBe(DERIVED);
    expect(threadIndexFor('AQHdeM+eDx4tPEtaaXiHlqW0w9Lh8AADqg==', CASE_ID, OPENED, new Date('2026-11-30T10:00:00Z'), SALT)).toBe(DERIVED);
  });

  it('switches to the coarse delta code past about 1.7 years, and never goes below zero', () => {
    // Two years on: the delta code bit set and the delta in 2^23 units (84896ae0).
    expect(
      Buffer.from(threadIndexFor(undefined, CASE_ID, OPENED, new Date('2028-12-01T10:00:00Z'), SALT), 'base64')
        .subarray(22)
        .toString('hex'),
    ).toBe('84896ae01f');
    // A clock before the header's time: a zero delta, not a negative one.
    expect(
      Buffer.from(threadIndexFor(undefined, CASE_ID, OPENED, new Date('2026-11-01T10:00:00Z'), SALT), 'base64')
        .subarray(22)
        .toString('hex'),
    ).toBe('000000001f');
  });
});
