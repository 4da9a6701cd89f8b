import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/program.js';
import { captureIo } from '../../support/capture-io.js';

interface Sim {
  ladder: string;
  start: string;
  nation: string;
  variant: string;
  steps: { rung: string; dueAt: string | null; to: string[]; cc: string[]; approval: boolean }[];
}

async function simulate(args: string[]): Promise<Sim> {
  const io = captureIo();
  const code = await runCli(['simulate', ...args, '--json'], io);
  expect(io.stderr()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(io.stdout()) as Sim;
}

const dues = (s: Sim) => s.steps.map((x) => [x.rung, x.dueAt, x.approval]);

describe('escalator simulate', () => {
  it('childrens-home-reg5 from Monday 23 November 2026, England and Wales', async () => {
    const s = await simulate(['--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00']);
    expect(s).toMatchObject({ ladder: 'childrens-home-reg5', start: '2026-11-23T10:00:00+00:00', nation: 'england-and-wales', variant: 'standard' });
    expect(dues(s)).toEqual([
      ['professional-reminder', '2026-12-07T10:00:00+00:00', false],
      ['team-manager-reminder', '2026-12-14T10:00:00+00:00', false],
      ['assistant-director', '2026-12-21T10:00:00+00:00', false],
      // +6w is Monday 4 January 2027: a working day in England.
      ['dcs', '2027-01-04T10:00:00+00:00', true],
      ['ofsted-inspector', '2027-01-18T10:00:00+00:00', true],
      ['lscp', '2027-01-18T10:00:00+00:00', true],
      ['repeat', '2027-02-01T10:00:00+00:00', false],
    ]);
    expect(s.steps[3]).toMatchObject({ to: ['dcs'], cc: ['assistant-director', 'iro', 'professional', 'team-manager'] });
  });

  it('childrens-home-reg5 urgent in Scotland over Christmas and New Year', async () => {
    const s = await simulate(['--ladder', 'childrens-home-reg5', '--start', '2026-12-23T16:30', '--nation', 'scotland', '--urgent']);
    expect(s.variant).toBe('urgent');
    // Working days after Wed 23 Dec in Scotland: 24, 29, 30, 31 Dec, then 5 Jan (1, 2 → 4 Jan substitute).
    expect(dues(s).slice(0, 5)).toEqual([
      ['professional-reminder', '2026-12-24T09:00:00+00:00', false],
      ['team-manager-reminder', '2026-12-29T09:00:00+00:00', false],
      ['assistant-director', '2026-12-30T09:00:00+00:00', false],
      ['dcs', '2026-12-31T09:00:00+00:00', true],
      ['ofsted-inspector', '2027-01-05T09:00:00+00:00', true],
    ]);
  });

  it('foster-carer-concern opened at 17:01 on a Friday starts on Monday at 09:00', async () => {
    const s = await simulate(['--ladder', 'foster-carer-concern', '--start', '2026-11-27T17:01']);
    expect(s.steps.map((x) => x.dueAt)).toEqual(['2026-12-03T09:00:00+00:00', '2026-12-08T09:00:00+00:00', '2026-12-10T09:00:00+00:00', null]);
    // Stage 4 is the Operational Lead's decision: the Strategic Lead only on ESCALATE, no approval.
    expect(s.steps[3]).toMatchObject({ rung: 'strategic-lead', approval: false, trigger: 'command' });
  });

  it('fostering-panel counts five working days at a time', async () => {
    const s = await simulate(['--ladder', 'fostering-panel', '--start', '2026-12-21T11:00']);
    // Mon 21 Dec + 5wd (22, 23, 24, 29, 30) = Wed 30 Dec; + 5wd (31, 4, 5, 6, 7) = Thu 7 Jan.
    expect(s.steps.map((x) => [x.rung, x.dueAt])).toEqual([
      ['responsible-manager-reminder', '2026-12-30T09:00:00+00:00'],
      ['senior-manager', '2027-01-07T09:00:00+00:00'],
    ]);
  });

  it('fostering-panel: the senior manager’s step says it waits for the further form (issue 15.4)', async () => {
    const waits = 'once the ADM or panel chair has recorded the further form (Remaining concerns: …)';
    expect((await simulate(['--ladder', 'fostering-panel', '--start', '2026-12-21T11:00'])).steps.map((x) => (x as { waitsFor?: string }).waitsFor)).toEqual([
      undefined,
      waits,
    ]);
    const io = captureIo();
    expect(await runCli(['simulate', '--ladder', 'fostering-panel', '--start', '2026-12-21T11:00'], io)).toBe(0);
    const lines = io.stdout().split('\n');
    const senior = lines.findIndex((l) => l.includes('Escalation to a more senior manager'));
    expect(lines.slice(senior, senior + 4)).toContain(`    goes ${waits}`);
    expect(lines.filter((l) => l.includes('further form'))).toHaveLength(1);
  });

  it('practice-disagreement: one working day per level, the director only by command', async () => {
    const s = await simulate(['--ladder', 'practice-disagreement', '--start', '2027-03-16T10:00', '--nation', 'northern-ireland']);
    // St Patrick's Day (Wed 17 March) is a holiday in Northern Ireland.
    expect(s.steps.map((x) => [x.rung, x.dueAt])).toEqual([
      ['service-manager', '2027-03-18T09:00:00+00:00'],
      ['head-of-service', '2027-03-19T09:00:00+00:00'],
      ['deputy-director', '2027-03-22T09:00:00+00:00'],
      ['director', null],
    ]);
    const imminent = await simulate(['--ladder', 'practice-disagreement', '--start', '2027-03-16T10:00', '--imminent']);
    expect(imminent.steps[0]).toMatchObject({ dueAt: '2027-03-16T10:00:00+00:00' });
  });

  it('firo-dispute-resolution over Easter 2027 in England (Good Friday and Easter Monday)', async () => {
    const s = await simulate(['--ladder', 'firo-dispute-resolution', '--start', '2027-03-22T14:00']);
    // Mon 22 Mar + 5wd: 23, 24, 25, 30, 31 (26 Good Friday, 29 Easter Monday) → Wed 31 Mar, in BST.
    expect(s.steps[0]).toMatchObject({ rung: 'stage-2-meeting', dueAt: '2027-03-31T09:00:00+01:00' });
    expect(s.steps.at(-1)).toMatchObject({ approval: true });
  });

  it('practice-disagreement: the PSW is shown as copied only with PSW: yes, and always on the imminent timescales', async () => {
    const s = await simulate(['--ladder', 'practice-disagreement', '--start', '2026-11-23T10:00']);
    for (const step of s.steps) {
      // Not in the unconditional copy list; marked as conditional on the flag instead.
      expect(step.cc, step.rung).toEqual([]);
      expect((step as { ccWhen?: unknown }).ccWhen, step.rung).toEqual({ psw: ['psw'] });
    }
    // The imminent variant sets the flag itself: there the PSW is simply copied.
    const imminent = await simulate(['--ladder', 'practice-disagreement', '--start', '2026-11-23T10:00', '--imminent']);
    for (const step of imminent.steps) {
      expect(step.cc, step.rung).toEqual(['psw']);
      expect(step, step.rung).not.toHaveProperty('ccWhen');
    }
    // A ladder with no conditional copies has no ccWhen at all (the JSON shape is unchanged).
    const firo = await simulate(['--ladder', 'firo-dispute-resolution', '--start', '2026-11-23T10:00']);
    for (const step of firo.steps) expect(Object.keys(step).sort()).not.toContain('ccWhen');
    // Reg 5 copies the IRO on its first two reminders only with IRO: yes (issue 15.4).
    const reg5 = await simulate(['--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00']);
    expect(reg5.steps.filter((s) => 'ccWhen' in s).map((s) => [s.rung, (s as { ccWhen?: unknown }).ccWhen])).toEqual([
      ['professional-reminder', { iro: ['iro'] }],
      ['team-manager-reminder', { iro: ['iro'] }],
    ]);

    const io = captureIo();
    expect(await runCli(['simulate', '--ladder', 'practice-disagreement', '--start', '2026-11-23T10:00'], io)).toBe(0);
    const text = io.stdout();
    expect(text).toContain('to: service manager; cc: Principal Social Worker (if PSW: yes); deadline 1 working day');
    expect(text).not.toMatch(/cc: Principal Social Worker;/);
    const io2 = captureIo();
    expect(await runCli(['simulate', '--ladder', 'practice-disagreement', '--start', '2026-11-23T10:00', '--imminent'], io2)).toBe(0);
    expect(io2.stdout()).toContain('to: Deputy Director; cc: Principal Social Worker; deadline 1 working day');
  });

  it('refuses an unknown ladder, nation or date with a clear message and a non-zero exit', async () => {
    for (const [args, message] of [
      [['--ladder', 'nope', '--start', '2026-11-23T10:00'], 'no ladder "nope"'],
      [['--ladder', 'fostering-panel', '--start', '2026-11-23T10:00', '--nation', 'wales'], '--nation must be one of'],
      [['--ladder', 'fostering-panel', '--start', 'next tuesday'], '--start: "next tuesday" is not an ISO 8601 date-time'],
      [['--ladder', 'fostering-panel', '--start', '2026-11-23T10:00', '--country', 'cornwall'], '--country must be one of'],
      [
        ['--ladder', 'fostering-panel', '--start', '2026-11-23T10:00', '--nation', 'scotland', '--country', 'wales'],
        '--country wales does not keep the scotland calendar',
      ],
    ] as const) {
      const io = captureIo();
      expect(await runCli(['simulate', ...args], io)).toBe(1);
      expect(io.stderr()).toContain(message);
    }
  });

  it('names the regulator and framework of the country (issue 15.4): a home in Wales is not told of Ofsted or the English regulation', async () => {
    const io = captureIo();
    expect(await runCli(['simulate', '--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00', '--country', 'wales'], io)).toBe(0);
    const text = io.stdout();
    expect(text).toContain('(childrens-home-reg5, standard timescales, england-and-wales, Wales)');
    expect(text).toContain(
      'Policy: Escalation Policy for Children’s Homes (Regulation 5 template), in keeping with the Regulated Services (Service Providers and Responsible Individuals) (Wales) Regulations 2017 (regulator: Care Inspectorate Wales).',
    );
    expect(text).toContain('Seek the support of the home’s Care Inspectorate Wales inspector');
    expect(text).toContain('to: Care Inspectorate Wales inspector');
    expect(text).not.toContain('Ofsted');
    expect(text).not.toContain('(England)');
    // England keeps its regulation and regulator.
    const england = captureIo();
    expect(await runCli(['simulate', '--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00'], england)).toBe(0);
    expect(england.stdout()).toContain('(Regulation 5(c) of the Children’s Homes (England) Regulations 2015).');
    expect(england.stdout()).toContain('to: Ofsted inspector');
    for (const [country, regulator] of [
      ['scotland', 'Care Inspectorate'],
      ['northern-ireland', 'RQIA'],
    ] as const) {
      const s = await simulate(['--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00', '--country', country]);
      expect(s).toMatchObject({ nation: country, country });
      const json = JSON.stringify(s);
      expect(json).toContain(`${regulator} inspector`);
      expect(json).not.toContain('Ofsted');
      expect(json).not.toContain('(England)');
    }
  });
});
