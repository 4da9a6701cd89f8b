import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../../src/domain/inbound/analyse-message.js';
import { looksLikeFullName as fromChildReference } from '../../../src/domain/inbound/child-reference.js';
import { parseContact } from '../../../src/domain/inbound/contact-value.js';
import { looksLikeFullName, parseDirectiveLine, parseDirectives, type DirectiveOptions } from '../../../src/domain/inbound/directives.js';
import type { InboundMail } from '../../../src/domain/inbound/inbound-mail.js';
import { ANALYSIS_OPTIONS, describeDirective } from './support.js';

const opts: DirectiveOptions = {
  roles: ['professional', 'team-manager', 'iro', 'operational-lead'],
  ladderIds: ['childrens-home-reg5', 'foster-carer-concern'],
  reference: new Date('2026-12-01T10:00:00Z'),
  timezone: 'Europe/London',
};
const parse = (text: string) => {
  const r = parseDirectives(text, opts);
  return { items: r.items.map((i) => describeDirective(i.directive)), unknown: r.unknown, problems: r.problems };
};

describe('parseDirectives', () => {
  it('reads every directive of an opening request, keys in any case', () => {
    const text = [
      'Hi Sam, please send the minutes.',
      '',
      'LADDER: Childrens-Home-Reg5',
      'child: AB-1234',
      'Team Manager: Jo Bennett <jo.bennett@northshire.gov.uk>',
      'IRO: kim.osei@northshire-iro.org.uk',
      'Safeguarding: yes',
      'Child protection: No',
      'Category: LAC review minutes',
      'Due: 2026-12-04',
      'PSW: yes',
      'Operational lead: Pat Lee <pat.lee@northshire.gov.uk>',
      'Imminent risk: yes',
    ].join('\n');
    expect(parse(text)).toEqual({
      items: [
        'ladder:childrens-home-reg5',
        'child:AB-1234',
        'contact:team-manager:jo.bennett@northshire.gov.uk:Jo Bennett',
        'contact:iro:kim.osei@northshire-iro.org.uk',
        'flag:safeguarding:true',
        'flag:child-protection:false',
        'category:LAC review minutes',
        'due:2026-12-04',
        'flag:psw:true',
        'contact:operational-lead:pat.lee@northshire.gov.uk:Pat Lee',
        'imminent',
      ],
      unknown: [],
      problems: [],
    });
  });

  it('reads the role names and aliases people type, and PSW as a contact when given an address', () => {
    expect(parse('TM: Jo Bennett <jo.bennett@northshire.gov.uk>').items).toEqual(['contact:team-manager:jo.bennett@northshire.gov.uk:Jo Bennett']);
    expect(parse('Independent Reviewing Officer: kim.osei@northshire-iro.org.uk').items).toEqual(['contact:iro:kim.osei@northshire-iro.org.uk']);
    expect(parse('PSW: Ria Das <ria.das@northshire.gov.uk>').items).toEqual(['contact:psw:ria.das@northshire.gov.uk:Ria Das']);
    expect(parse('Social worker: Sam Patel <sam.patel@northshire.gov.uk>').items).toEqual(['contact:professional:sam.patel@northshire.gov.uk:Sam Patel']);
  });

  it('cleans the bullets and bold that plain-text versions of rich mail carry', () => {
    expect(parse('- *Child:* AB-1234\n• **Ladder**: childrens-home-reg5\n1. Due: 4 December').items).toEqual([
      'child:AB-1234',
      'ladder:childrens-home-reg5',
      'due:2026-12-04',
    ]);
  });

  it('lists unknown keys so they can be said back, and ignores prose, signatures and header lines', () => {
    const text = [
      'Priority: high',
      'Placement: Oak House',
      'Tel: 01632 960 555',
      'Pronouns: she/her',
      'From: Alex Morgan',
      'Sent: 24 November 2026 10:14',
      'Hi Sam:',
      'https://example.org/a:b',
      'Background: ' + 'the child has waited a long time for these minutes and we have chased several times already. '.repeat(3),
      'Meeting at 10:30 tomorrow',
    ].join('\n');
    expect(parse(text)).toEqual({ items: [], unknown: ['Priority: high', 'Placement: Oak House'], problems: [] });
  });

  it('says what is wrong with a known key', () => {
    expect(parse('Ladder: nope').problems).toEqual(['Ladder: "nope" is not a ladder here (childrens-home-reg5, foster-carer-concern)']);
    expect(parse('Safeguarding: maybe').problems).toEqual(['Safeguarding: answer yes or no']);
    expect(parse('Due: whenever').problems).toEqual(['Due: "whenever" is not a date I can read (try 15 December 2026)']);
    expect(parse('Team manager: Jo Bennett').problems).toEqual(['Team manager: no email address found']);
    expect(parse('IRO: a@x.org, b@y.org').problems).toEqual(['IRO: give one email address per line']);
    expect(parse('Child:').problems).toEqual(['Child: nothing after the colon']);
    expect(parse('Child: see the attached referral form for details').problems).toEqual([
      "Child: that is not a child reference in this organisation's format (e.g. AB-1234), so it was not recorded. Use the reference, never a name.",
    ]);
  });

  it('takes only references in the organisation’s format: letters and digits with at least two digits by default, or its own pattern', () => {
    const ref = (text: string, o = opts) => parseDirectives(text, o).items.map((i) => describeDirective(i.directive));
    expect(ref('Child: AB-1234')).toEqual(['child:AB-1234']);
    expect(ref('Child: LAC/2026/17')).toEqual(['child:LAC/2026/17']);
    for (const bad of ['Child: Polly', 'Child: AB-1', 'Child: Child A', 'Child: polly fictitious-12']) expect(ref(bad), bad).toEqual([]);
    const own = { ...opts, childReference: { pattern: /^SH\d{6}$/i, example: 'SH012345' } };
    expect(ref('Child: SH012345', own)).toEqual(['child:SH012345']);
    expect(parseDirectives('Child: AB-1234', own).problems[0]).toMatch(/format \(e\.g\. SH012345\)/);
  });

  it("refuses a child's full name without repeating it anywhere", () => {
    const r = parseDirectives('Child: Polly Fictitious\nCategory: Health assessment', opts);
    expect(r.items.map((i) => describeDirective(i.directive))).toEqual(['category:Health assessment']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/looks like a name, so it was not recorded/);
    expect(JSON.stringify(r)).not.toContain('Polly');
    expect(JSON.stringify(r)).not.toContain('Fictitious');
  });

  it('returns undefined for lines that are not Key: value', () => {
    expect(parseDirectiveLine('Please send the minutes.', opts)).toBeUndefined();
    expect(parseDirectiveLine('', opts)).toBeUndefined();
  });
});

describe('looksLikeFullName', () => {
  it.each(['Jane Smith', 'jane smith', "Mary-Ann O'Neill", 'Jane Mary Smith', 'Polly Fictitious', 'Zoë Brontë'])('%j looks like a full name', (v) => {
    expect(looksLikeFullName(v)).toBe(true);
  });
  it.each([
    'AB-1234',
    'JS',
    'child 12',
    'Child A',
    'J Smith',
    'Jane',
    'YP AB',
    '',
    'AB 1234',
    'Baby Smith',
    'see below',
    'jane.smith@x.org',
    'LAC review minutes 2026',
  ])('%j does not', (v) => {
    expect(looksLikeFullName(v)).toBe(false);
  });
  it('is the helper the opening workflow imports', () => {
    expect(fromChildReference).toBe(looksLikeFullName);
  });
});

describe('parseContact', () => {
  it.each([
    ['Jo Bennett <jo.bennett@northshire.gov.uk>', { email: 'jo.bennett@northshire.gov.uk', name: 'Jo Bennett' }],
    ['jo.bennett@northshire.gov.uk', { email: 'jo.bennett@northshire.gov.uk' }],
    ['Jo Bennett, Jo.Bennett@Northshire.gov.uk.', { email: 'jo.bennett@northshire.gov.uk', name: 'Jo Bennett' }],
    ['Jo Bennett <jo.bennett@northshire.gov.uk<mailto:jo.bennett@northshire.gov.uk>>', { email: 'jo.bennett@northshire.gov.uk', name: 'Jo Bennett' }],
    ['jo.bennett@northshire.gov.uk<mailto:jo.bennett@northshire.gov.uk>', { email: 'jo.bennett@northshire.gov.uk' }],
  ])('%j', (value, contact) => {
    expect(parseContact(value)).toEqual(contact);
  });
  it('refuses control characters, two addresses and invalid ones', () => {
    expect(parseContact('Jo <jo@x.org>\r\nBcc: evil@x.org')).toEqual({ error: 'contains control characters' });
    expect(parseContact('a@x.org b@y.org')).toEqual({ error: 'give one email address per line' });
    expect(parseContact('jo@')).toEqual({ error: 'no email address found' });
    expect(parseContact('jo@-bad-.org')).toEqual({ error: '"jo@-bad-.org" is not a valid email address' });
  });
});

describe('directives in a whole message', () => {
  const mail = (text: string): InboundMail => ({
    messageId: '<m@x>',
    references: [],
    from: { address: 'alex.morgan@sunrise-homes.org.uk' },
    replyTo: [],
    to: [{ address: 'sam.patel@northshire.gov.uk' }],
    cc: [{ address: 'escalations@sunrise-homes.org.uk' }],
    deliveredTo: [],
    subject: '[escalate] Minutes',
    date: new Date('2026-12-01T10:00:00Z'),
    dateFromHeader: true,
    headers: {},
    text,
    contentType: 'text/plain',
    attachments: [],
    parseProblems: [],
  });

  it('reads directives from the new text only, never from the quoted history', () => {
    const a = analyseMessage(
      mail(
        'Please chase.\nChild: AB-1234\n\nOn Tue, 24 Nov 2026 at 10:14, Sam Patel <sam.patel@northshire.gov.uk> wrote:\n> Child: ZZ-9999\n> Ladder: foster-carer-concern\n> Colour: blue\n',
      ),
      ANALYSIS_OPTIONS,
    );
    expect(a.directives.items.map((i) => describeDirective(i.directive))).toEqual(['child:AB-1234']);
    expect(a.directives.unknown).toEqual([]);
  });

  it('uses a directive written below the sign-off, without reporting the signature', () => {
    const a = analyseMessage(
      mail('Please chase.\n\nKind regards\nAlex Morgan\nPronouns: they/them\nMobile: 07700 900123\nChild: AB-1234\nDirect line: 01632 960555\n'),
      ANALYSIS_OPTIONS,
    );
    expect(a.newText).toBe('Please chase.');
    expect(a.directives.items.map((i) => describeDirective(i.directive))).toEqual(['child:AB-1234']);
    expect(a.directives.unknown).toEqual([]);
  });
});
