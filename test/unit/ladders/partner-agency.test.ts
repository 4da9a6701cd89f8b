/**
 * Issue 15.4 (reg 5), partner agencies: a directory entry gives a health or education body's own
 * ladder of roles (validated, with errors naming the key), and the reg 5 ladder read for a case at
 * such an agency names its roles in place of the council's, on the policy's own dates.
 */
import { describe, expect, it } from 'vitest';
import { parseDirectory } from '../../../src/config/load-directory.js';
import { authorityForAddress, type Authority } from '../../../src/domain/directory.js';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';
import { ladderRoleLabel } from '../../../src/domain/ladder/local-ladder.js';
import { agencyTitleRoles, partnerLadder, partnerLine, partnerRoles, titleRole } from '../../../src/domain/ladder/partner-ladder.js';
import { casePartner, resolveRole } from '../../../src/domain/case/role-resolution.js';
import type { CaseState, Participant } from '../../../src/domain/case/case-state.js';
import { calendar, CaseDriver } from '../case/case-driver.js';
import { loadLadder, simulate } from './ladder-helpers.js';

const reg5 = loadLadder('childrens-home-reg5');

const TRUST = `
authorities:
  - id: trust
    name: Northshire NHS Foundation Trust
    kind: health
    domains: [northshire-nhs.uk]
    ladder:
      - title: named nurse
      - title: designated nurse
        contact: { name: Dana Price, email: dana.price@northshire-nhs.uk }
      - title: head of service
        contact: { email: head@northshire-nhs.uk }
`;

function trust(levels = ['designated nurse', 'head of service']): Authority {
  return {
    id: 'trust',
    name: 'Northshire NHS Foundation Trust',
    kind: 'health',
    domains: ['northshire-nhs.uk'],
    contacts: {},
    ladder: [{ title: 'named nurse' }, ...levels.map((title) => ({ title, contact: { email: `${title.replace(/ /g, '.')}@northshire-nhs.uk` } }))],
  };
}

const errorOf = (yaml: string): string => {
  try {
    parseDirectory(yaml, 'directory.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the directory was accepted');
};

describe('the directory: an agency’s kind and its own ladder of roles', () => {
  it('reads a health body with its ladder; an entry without a kind is a council', () => {
    const d = parseDirectory(`${TRUST}  - id: council\n    name: Northshire County Council\n    domains: [northshire.gov.uk]\n`, 'directory.yaml');
    expect(d.authorities[0]).toMatchObject({ kind: 'health', ladder: [{ title: 'named nurse' }, { title: 'designated nurse' }, { title: 'head of service' }] });
    expect(d.authorities[1]?.kind).toBe('council');
    expect(d.authorities[1]?.ladder).toBeUndefined();
  });

  it('names the bad key: an unknown kind, a partner without a ladder, a role above the professional without a contact, too many roles', () => {
    expect(errorOf(TRUST.replace('kind: health', 'kind: hospital'))).toMatch(/authorities\[0\]\.kind: /);
    const noLadder = errorOf('authorities:\n  - { id: school, name: A School, kind: education, domains: [school.example] }\n');
    expect(noLadder).toContain('authorities[0].ladder: an education agency needs its own ladder of roles');
    expect(errorOf(TRUST.replace('        contact: { email: head@northshire-nhs.uk }\n', ''))).toContain(
      'authorities[0].ladder[2].contact: give the head of service’s contact',
    );
    const five = TRUST.replace(
      '      - title: named nurse\n',
      '      - title: named nurse\n      - { title: a, contact: { email: a@x.uk } }\n      - { title: b, contact: { email: b@x.uk } }\n',
    );
    expect(errorOf(five)).toContain('authorities[0].ladder: at most four roles');
    expect(errorOf(TRUST.replace('      - title: named nurse\n', '      - { title: named nurse, grade: 7 }\n'))).toMatch(
      /authorities\[0\]\.ladder\[0\]: .*grade/,
    );
    expect(errorOf(TRUST.replace(/ {4}ladder:[\s\S]*$/, '    ladder:\n      - title: named nurse\n'))).toContain(
      'authorities[0].ladder: give the professional’s own role first',
    );
  });

  it('finds the most specific domain: a trust under a council’s domain is the trust', () => {
    const council: Authority = { id: 'c', name: 'Council', domains: ['northshire.gov.uk'], contacts: {} };
    const nhs = { ...trust(), domains: ['nhs.northshire.gov.uk'] };
    expect(authorityForAddress({ authorities: [council, nhs], organisations: {} }, 'sam@nhs.northshire.gov.uk')?.id).toBe('trust');
    expect(authorityForAddress({ authorities: [council, nhs], organisations: {} }, 'jo@northshire.gov.uk')?.id).toBe('c');
  });
});

describe('the agency’s roles stand in for the council’s', () => {
  it('three roles above the professional take the team manager’s, Assistant Director’s and DCS’s places in order', () => {
    const roles = partnerRoles(reg5, trust(['designated nurse', 'head of service', 'chief nurse']));
    expect([...(roles ?? [])].map(([role, r]) => [role, r.title])).toEqual([
      ['professional', 'named nurse'],
      ['team-manager', 'designated nurse'],
      ['assistant-director', 'head of service'],
      ['dcs', 'chief nurse'],
    ]);
  });

  it('with fewer roles the top one takes the places left, so every date is kept', () => {
    const two = partnerRoles(reg5, trust());
    expect(['team-manager', 'assistant-director', 'dcs'].map((r) => two?.get(r)?.title)).toEqual(['designated nurse', 'head of service', 'head of service']);
    const one = partnerRoles(reg5, trust(['designated nurse']));
    expect(['team-manager', 'assistant-director', 'dcs'].map((r) => one?.get(r)?.title)).toEqual(['designated nurse', 'designated nurse', 'designated nurse']);
  });

  it('none for a council without a ladder, or a ladder that takes no partner agencies', () => {
    expect(partnerRoles(reg5, { ladder: undefined })).toBeUndefined();
    expect(partnerRoles(loadLadder('practice-disagreement'), trust())).toBeUndefined();
    const council: Authority = { id: 'c', name: 'Council', domains: ['x.gov.uk'], contacts: {} };
    expect(partnerLadder(reg5, council)).toBe(reg5);
  });
});

describe('reg 5 read for a case at an NHS trust', () => {
  const def = partnerLadder(reg5, trust());

  it('names the trust’s roles in the rung titles, asks and labels; the Ofsted inspector and LSCP stay', () => {
    const eff = effectiveLadder(def);
    expect(eff.rungs.map((r) => r.title)).toEqual([
      'Reminder to the named nurse',
      'Reminder to the designated nurse',
      'Email to the head of service',
      'Further email to the head of service',
      'Seek the support of the home’s Ofsted inspector',
      'Escalation to the Local Safeguarding Children Partnership',
    ]);
    expect(eff.repeat?.title).toBe('Fortnightly email to the head of service');
    expect(eff.rungs[0]?.asks).toBe('a reminder that this is still outstanding, copying in the designated nurse');
    expect(eff.rungs[3]?.asks).toBe('the head of service to have it completed within a two-week window');
    expect(ladderRoleLabel(def, 'team-manager')).toBe('designated nurse');
    expect(ladderRoleLabel(def, 'professional')).toBe('named nurse');
    expect(ladderRoleLabel(def, 'iro')).toBe('Independent Reviewing Officer');
    expect(def.summary).toContain('the head of service at 4');
    for (const text of [...eff.rungs.flatMap((r) => [r.title, r.asks, r.policyRef]), eff.repeat?.title, eff.repeat?.asks, def.summary]) {
      expect(text).not.toMatch(/Assistant Director|Director of Children|team manager/);
    }
  });

  it('on the safeguarding timescales too: the variant’s own words are renamed', () => {
    const urgent = effectiveLadder(def, 'urgent');
    expect(urgent.rungs.find((r) => r.id === 'assistant-director')?.asks).toBe('the head of service to have it completed within one working day');
    expect(urgent.rungs.find((r) => r.id === 'team-manager-reminder')?.policyRef).toBe(
      'Limitations, "Where there are safeguarding concerns", reminder to the designated nurse',
    );
    expect(urgent.repeat?.title).toBe('Repeated email to the head of service');
  });

  it('writes with the partner templates, which name the agency', () => {
    const eff = effectiveLadder(def);
    expect(eff.rungs.map((r) => r.template)).toEqual([
      'childrens-home-reg5/partner-reminder',
      'childrens-home-reg5/partner-level',
      'childrens-home-reg5/partner-level',
      'childrens-home-reg5/partner-level',
      'childrens-home-reg5/partner-inspector',
      'childrens-home-reg5/partner-lscp',
    ]);
    expect(eff.repeat?.template).toBe('childrens-home-reg5/repeat');
  });

  it('keeps the policy’s dates, roles and rung ids: the same timetable as the council’s', () => {
    const start = '2026-11-23T10:00:00Z';
    const council = simulate(reg5, 'standard', start, 'england-and-wales');
    const partner = simulate(def, 'standard', start, 'england-and-wales');
    expect(partner.steps.map((s) => [s.rung, s.dueAt, s.to, s.cc])).toEqual(council.steps.map((s) => [s.rung, s.dueAt, s.to, s.cc]));
  });

  it('is worked out once per ladder and agency, and reading it again changes nothing', () => {
    const agency = trust();
    expect(partnerLadder(reg5, agency)).toBe(partnerLadder(reg5, agency));
    expect(partnerLadder(partnerLadder(reg5, agency), agency)).toBe(partnerLadder(reg5, agency));
  });

  it('is described in one line for the confirmation, simulate, cases show and the evidence pack', () => {
    expect(partnerLine(trust())).toBe('Northshire NHS Foundation Trust (health service): named nurse → designated nurse → head of service');
  });
});

describe('who holds each role on a case at the trust', () => {
  const agency = trust();
  const directory = { authorities: [agency], organisations: {} };
  const ctx = { directory, org: { id: 'org', name: 'Home', manager: { email: 'rm@home.example' } }, ladder: reg5 };
  /** A case opened on the real engine with these participants. */
  const stateWith = (participants: Participant[], dir = directory): CaseState =>
    new CaseDriver(reg5, calendar(), dir).at('2026-11-23T10:00:00Z').open({ participants }).state;
  const nurse: Participant = { role: 'professional', email: 'sam@northshire-nhs.uk', source: 'request' };

  it('the trust’s roles, from the directory, stand in for the council’s', () => {
    const s = stateWith([nurse]);
    expect(casePartner(s, ctx)).toBe(agency);
    expect(resolveRole(s, 'team-manager', ctx).map((c) => c.email)).toEqual(['designated.nurse@northshire-nhs.uk']);
    expect(resolveRole(s, 'assistant-director', ctx).map((c) => c.email)).toEqual(['head.of.service@northshire-nhs.uk']);
    expect(resolveRole(s, 'dcs', ctx).map((c) => c.email)).toEqual(['head.of.service@northshire-nhs.uk']);
    expect(resolveRole(s, 'professional', ctx).map((c) => c.email)).toEqual(['sam@northshire-nhs.uk']);
  });

  it('a directive wins: by the agency’s own title (“Designated nurse: …”) or by the ladder’s role', () => {
    const byTitle = stateWith([nurse, { role: titleRole('Designated Nurse'), email: 'new.dn@northshire-nhs.uk', source: 'directive' }]);
    expect(resolveRole(byTitle, 'team-manager', ctx).map((c) => c.email)).toEqual(['new.dn@northshire-nhs.uk']);
    const byRole = stateWith([nurse, { role: 'team-manager', email: 'tm@northshire-nhs.uk', source: 'directive' }]);
    expect(resolveRole(byRole, 'team-manager', ctx).map((c) => c.email)).toEqual(['tm@northshire-nhs.uk']);
    expect(agencyTitleRoles(directory)).toEqual(['named-nurse', 'designated-nurse', 'head-of-service']);
  });

  it('a council’s case is unchanged: no partner, the council’s contacts', () => {
    const council: Authority = { id: 'c', name: 'Council', domains: ['northshire.gov.uk'], contacts: { dcs: { email: 'dcs@northshire.gov.uk' } } };
    const c = { ...ctx, directory: { authorities: [council, agency], organisations: {} } };
    const s = stateWith([{ role: 'professional', email: 'sw@northshire.gov.uk', source: 'request' }], c.directory);
    expect(casePartner(s, c)).toBeUndefined();
    expect(resolveRole(s, 'dcs', c).map((x) => x.email)).toEqual(['dcs@northshire.gov.uk']);
    expect(resolveRole(s, 'team-manager', c)).toEqual([]);
  });
});

describe('the engine chases the trust’s roles on the policy’s dates', () => {
  it('the named nurse at 2 weeks copying the designated nurse, the designated nurse at 3, the head of service at 4', () => {
    const d = new CaseDriver(reg5, calendar(), { authorities: [trust()], organisations: {} }).at('2026-11-23T10:00:00Z');
    d.open({ participants: [{ role: 'professional', email: 'sam@northshire-nhs.uk', source: 'request' }] });
    const chaser = (iso: string) => {
      const mail = d
        .at(iso)
        .advance()
        .mails.find((m) => m.kind === 'chaser');
      return mail && { to: mail.to.map((c) => c.email), cc: mail.cc.map((c) => c.email) };
    };
    expect(chaser('2026-12-07T10:00:00Z')).toEqual({ to: ['sam@northshire-nhs.uk'], cc: ['designated.nurse@northshire-nhs.uk'] });
    expect(chaser('2026-12-14T10:00:00Z')).toEqual({ to: ['designated.nurse@northshire-nhs.uk'], cc: ['sam@northshire-nhs.uk'] });
    expect(chaser('2026-12-21T10:00:00Z')?.to).toEqual(['head.of.service@northshire-nhs.uk']);
  });
});
