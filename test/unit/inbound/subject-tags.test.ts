import { describe, expect, it } from 'vitest';
import { plusDetails } from '../../../src/domain/inbound/plus-address.js';
import { caseSubject, caseTagOf, hasEscalateTag, stripSubjectPrefixes } from '../../../src/domain/inbound/subject-tags.js';

describe('stripSubjectPrefixes', () => {
  it.each([
    ['RE: LAC minutes', 'LAC minutes'],
    ['Re: Re: RE: LAC minutes', 'LAC minutes'],
    ['AW: WG: LAC minutes', 'LAC minutes'],
    ['Fwd: TR: SV: VS: Antw: LAC minutes', 'LAC minutes'],
    ['FW: [EXTERNAL] RE: LAC minutes', 'LAC minutes'],
    ['[EXT] Re: LAC minutes', 'LAC minutes'],
    ['**EXTERNAL** RE: LAC minutes', 'LAC minutes'],
    ['[SPAM] Re: LAC minutes', 'LAC minutes'],
    ['Re[2]: LAC minutes', 'LAC minutes'],
    ['RE : LAC minutes', 'LAC minutes'],
    ['RV: RES: ENC: LAC minutes', 'LAC minutes'],
    ['回复: LAC minutes', 'LAC minutes'],
    ['  re:LAC minutes', 'LAC minutes'],
  ])('%j → %j', (subject, expected) => {
    expect(stripSubjectPrefixes(subject)).toBe(expected);
  });

  it.each(['Research findings', 'Results of the review', 'Reg5 escalation', 'Review: minutes outstanding', 'Swap rota', 'Trust board'])(
    'leaves %j alone',
    (subject) => {
      expect(stripSubjectPrefixes(subject)).toBe(subject);
    },
  );
});

describe('caseTagOf', () => {
  it.each([
    ['RE: LAC review minutes for AB-1234 [ESC-2026-0001]', 'ESC-2026-0001'],
    ['AW: WG: LAC review minutes [ESC-2026-0001]', 'ESC-2026-0001'],
    ['SV: RE: [EXT] LAC review minutes for AB-1234 [ESC-2026-0001', 'ESC-2026-0001'],
    ['Undeliverable: LAC review minutes [esc-2026-0042]', 'ESC-2026-0042'],
    ['RE: minutes [ESC-2026- 0001]', 'ESC-2026-0001'],
    ['RE: minutes [ESC–2026–0001]', 'ESC-2026-0001'],
    ['ESC-2026-0001 follow-up', 'ESC-2026-0001'],
    ['RE: [ESC-2026-12345]', 'ESC-2026-12345'],
    ['RE: ESC-2026-0003 mentioned in [ESC-2026-0004]', 'ESC-2026-0004'],
    ['RE: [ESC-2026-0001] merged into [ESC-2026-0007]', 'ESC-2026-0007'],
  ])('%j → %s', (subject, ref) => {
    expect(caseTagOf(subject)).toBe(ref);
  });

  it.each(['RE: LAC review minutes', 'ESC-2026-001', 'XESC-2026-0001', 'ESC-2026-00011234567', 'ESC-26-0001'])('finds none in %j', (subject) => {
    expect(caseTagOf(subject)).toBeUndefined();
  });
});

describe('hasEscalateTag', () => {
  it.each([
    'LAC minutes [escalate]',
    '[ESCALATE] LAC minutes',
    'LAC minutes [ Escalate ]',
    'LAC minutes #escalate',
    '#Escalate LAC minutes',
    'LAC minutes (#escalate)',
    'RE: LAC minutes [escalate]',
  ])('%j is tagged', (s) => {
    expect(hasEscalateTag(s)).toBe(true);
  });
  it.each(['Please escalate this', '[escalated] LAC minutes', 'LAC minutes #escalated', 'foo#escalate', 'Escalate: LAC'])('%j is not', (s) => {
    expect(hasEscalateTag(s)).toBe(false);
  });
});

describe('caseSubject', () => {
  it('keeps the original words, drops prefixes and our tags, and adds the reference once', () => {
    expect(caseSubject('RE: AW: LAC review minutes for AB-1234 [escalate]', 'ESC-2026-0001')).toBe('LAC review minutes for AB-1234 [ESC-2026-0001]');
    expect(caseSubject('Fwd: LAC review minutes #escalate [ESC-2026-0001]', 'ESC-2026-0001')).toBe('LAC review minutes [ESC-2026-0001]');
    expect(caseSubject('', 'ESC-2026-0001')).toBe('Escalation [ESC-2026-0001]');
  });
});

describe('plusDetails', () => {
  it('finds the +detail of the inbox in any recipient, any case, once each', () => {
    expect(
      plusDetails(
        [
          'sam.patel@northshire.gov.uk',
          'Escalations+Foster-Carer-Concern@Sunrise-Homes.org.uk',
          'escalations+foster-carer-concern@sunrise-homes.org.uk',
          'escalations@sunrise-homes.org.uk',
          'escalations+x@other.example',
          'other+y@sunrise-homes.org.uk',
        ],
        'escalations@sunrise-homes.org.uk',
      ),
    ).toEqual(['foster-carer-concern']);
  });
});
