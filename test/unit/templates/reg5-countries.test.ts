/**
 * Issue 15.4, reg 5: a home in Wales, Scotland or Northern Ireland names its own regulator and
 * framework (config `country`, ladder `policy.countries`); the English regulation is not cited.
 */
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import type { Country, Nation } from '../../../src/domain/calendar/nation.js';
import { renderSample, sampleOrgFor } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';

const def = ladder('childrens-home-reg5');
const ENGLISH = 'Children’s Homes (England) Regulations 2015';

function mail(country: Country | undefined, nation: Nation, rung: string, kind: 'chaser' | 'confirmation' = 'chaser') {
  const calendar = new WorkCalendar({ nation, timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
  const org = { ...sampleOrgFor(def.id), ...(country ? { country } : {}) };
  return renderSample(store, kind, { ladder: def, rung, org, calendar });
}

describe('reg 5 in each country', () => {
  it('England (the default for england-and-wales): Regulation 5(c) and Ofsted', () => {
    const dcs = mail(undefined, 'england-and-wales', 'dcs');
    expect(dcs.text).toContain(`Regulation 5(c) of the ${ENGLISH}`);
    expect(dcs.text).toContain('notify the regulator (Ofsted)');
    expect(mail(undefined, 'england-and-wales', 'ofsted-inspector').text).toContain('as the home’s Ofsted inspector');
  });

  const cases: [Country, Nation, string, string][] = [
    [
      'wales',
      'england-and-wales',
      'Care Inspectorate Wales',
      'the Regulated Services (Service Providers and Responsible Individuals) (Wales) Regulations 2017',
    ],
    ['scotland', 'scotland', 'Care Inspectorate', 'the Health and Social Care Standards'],
    ['northern-ireland', 'northern-ireland', 'RQIA', 'the Children’s Homes Regulations (Northern Ireland) 2005'],
  ];
  it.each(cases)('%s: names %s and cites %s, never Ofsted or the English regulation', (country, nation, regulator, citation) => {
    for (const rung of ['professional-reminder', 'dcs', 'ofsted-inspector', 'repeat']) {
      const m = mail(country, nation, rung);
      for (const part of [m.text, m.html, m.subject]) {
        expect(part, rung).not.toContain('Ofsted');
        expect(part, rung).not.toContain('(England)');
        expect(part, rung).not.toContain('Regulation 5(c)');
      }
      expect(m.text, rung).toContain(`registered with ${regulator}, in keeping with ${citation}`);
    }
    expect(mail(country, nation, 'dcs').text).toContain(`notify the regulator (${regulator})`);
    const inspector = mail(country, nation, 'ofsted-inspector');
    expect(inspector.text).toContain(`as the home’s ${regulator} inspector`);
    expect(inspector.subject).toContain(`Escalation to the ${regulator} inspector`);
    const confirmation = mail(country, nation, 'ofsted-inspector', 'confirmation');
    expect(confirmation.text).toContain(`Seek the support of the home’s ${regulator} inspector`);
    expect(confirmation.text).not.toContain('Ofsted');
  });
});

describe('an organisation’s country', () => {
  it('defaults to its nation’s (England for England and Wales) and must lie in that nation', async () => {
    const { countryOf, countryInNation } = await import('../../../src/domain/calendar/nation.js');
    expect(countryOf('england-and-wales')).toBe('england');
    expect(countryOf('england-and-wales', 'wales')).toBe('wales');
    expect(countryOf('scotland')).toBe('scotland');
    expect(countryInNation('wales', 'england-and-wales')).toBe(true);
    expect(countryInNation('wales', 'scotland')).toBe(false);
    expect(countryInNation('northern-ireland', 'england-and-wales')).toBe(false);
  });
});
