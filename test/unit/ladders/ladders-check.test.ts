/**
 * `readLadderDir` (what `escalator ladders check` and the service's start-up run) reports a bad
 * ladder with a line naming the file, the rung and the key, and does not load it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';

/** A ladder's YAML as these tests write it: the keys they break are typed, and any other key (a typo, a variant) may be added. */
interface RawRung {
  id: string;
  after: string;
  duties: string[];
  [key: string]: unknown;
}
interface RawLadder {
  rungs: [RawRung, RawRung];
  repeat: { duties: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** A small valid ladder; each test breaks one thing. */
function base(id: string): RawLadder {
  return {
    id,
    title: 'Test ladder',
    summary: 'A ladder for tests.',
    policy: { file: 'test.txt', title: 'Test policy' },
    clock: 'working-days',
    request: { deadline: '3wd', policyRef: 'Stage 1' },
    duties: { record: 'Record it.' },
    rungs: [
      { id: 'first', title: 'First', after: '3wd', to: ['professional'], policyRef: 'Stage 2', asks: 'the first thing', duties: ['record'] },
      {
        id: 'second',
        title: 'Second',
        after: '2wd',
        to: ['team-manager'],
        cc: ['professional'],
        policyRef: 'Stage 3',
        asks: 'the second thing',
        duties: ['record'],
      },
    ],
    repeat: {
      every: '2wd',
      title: 'Again',
      to: ['team-manager'],
      cc: ['professional'],
      approval: true,
      policyRef: 'Ongoing',
      asks: 'it again',
      duties: ['record'],
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ladders-check-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(id: string, ladder: unknown): void {
  writeFileSync(join(dir, `${id}.yaml`), typeof ladder === 'string' ? ladder : stringify(ladder));
}

describe('readLadderDir', () => {
  it('loads a valid ladder with no problems', () => {
    write('good', base('good'));
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([]);
    expect([...r.ladders.keys()]).toEqual(['good']);
    expect(r.files).toEqual([join('config/ladders', 'good.yaml')]);
  });

  it('a bad duration names the file, the rung and the key', () => {
    const l = base('bad-duration');
    l.rungs[1].after = '2 fortnights';
    write('bad-duration', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([`${join('config/ladders', 'bad-duration.yaml')}: rungs[1] (second).after: not a duration (use e.g. 2w, 3wd, 5d or same-day)`]);
    expect(r.ladders.size).toBe(0);
  });

  it('an unknown duty names the rung and the duty, and lists the ladder’s duties', () => {
    const l = base('bad-duty');
    l.rungs[0].duties = ['record', 'advise-child'];
    write('bad-duty', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([
      `${join('config/ladders', 'bad-duty.yaml')}: rungs[0] (first).duties[1]: unknown duty "advise-child" (the ladder's duties are: record)`,
    ]);
    expect(r.ladders.size).toBe(0);
  });

  it('an unknown duty on the repeat is reported too', () => {
    const l = base('bad-repeat-duty');
    l.repeat.duties = ['recrod'];
    write('bad-repeat-duty', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([
      `${join('config/ladders', 'bad-repeat-duty.yaml')}: repeat.duties[0]: unknown duty "recrod" (the ladder's duties are: record)`,
    ]);
  });

  it('a duplicate rung id names the second rung', () => {
    const l = base('dup');
    l.rungs[1].id = 'first';
    write('dup', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([`${join('config/ladders', 'dup.yaml')}: rungs[1] (first).id: duplicate rung id "first"`]);
  });

  it('an override of a rung the ladder does not have names the variant and the rung', () => {
    const l = base('bad-override');
    l.variants = {
      urgent: {
        label: 'Urgent',
        description: 'Faster.',
        policyRef: 'Limitations',
        overrides: { first: { after: '1wd' }, thrid: { after: '1wd' } },
      },
    };
    write('bad-override', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([`${join('config/ladders', 'bad-override.yaml')}: variants.urgent.overrides.thrid: no rung "thrid" in this ladder`]);
  });

  it('a bad duration inside a variant override names the variant, the rung and the key', () => {
    const l = base('bad-override-duration');
    l.variants = { urgent: { label: 'Urgent', description: 'Faster.', policyRef: 'Limitations', overrides: { second: { after: 'soon' } } } };
    write('bad-override-duration', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/bad-override-duration\.yaml: variants\.urgent\.overrides\.second\.after: not a duration/);
  });

  it('reports every bad file, and still loads the good ones', () => {
    write('good', base('good'));
    const dup = base('dup');
    dup.rungs[1].id = 'first';
    write('dup', dup);
    write('broken', 'id: broken\nrungs: [\n');
    const mismatched = base('something-else');
    write('mismatch', mismatched);
    const r = readLadderDir(dir, 'config/ladders');
    expect([...r.ladders.keys()]).toEqual(['good']);
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toMatch(/broken\.yaml: not valid YAML/);
    expect(r.problems[1]).toMatch(/dup\.yaml: rungs\[1\] \(first\)\.id: duplicate rung id/);
    expect(r.problems[2]).toMatch(/mismatch\.yaml: id: "something-else" should match the file name \("mismatch"\)/);
  });

  it('an unknown key is named (typos are not silently ignored)', () => {
    const l = base('typo');
    l.rungs[0].approvel = true;
    write('typo', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/typo\.yaml: rungs\[0\] \(first\): .*approvel/);
  });

  it('a rung counted from the opening that falls before the one it follows', () => {
    const l = base('order');
    l.from = 'opening';
    l.rungs[0].after = '3w';
    l.rungs[1].after = '2w';
    write('order', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([`${join('config/ladders', 'order.yaml')}: rungs[1] (second).after: falls before the rung it follows (first)`]);
  });

  it('a variant may retitle a rung and cite its own policy reference, for the rung and the repeat', () => {
    const l = base('variant-titles');
    l.variants = {
      urgent: {
        label: 'Urgent',
        description: 'Faster.',
        policyRef: 'Limitations',
        overrides: { first: { after: '1wd', title: 'First, urgently', policyRef: 'Limitations, urgent' } },
        repeat: { every: '1wd', title: 'Daily', policyRef: 'Limitations, ongoing' },
      },
    };
    write('variant-titles', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([]);
    const def = r.ladders.get('variant-titles')!;
    const urgent = effectiveLadder(def, 'urgent');
    expect(urgent.rungs.map((x) => [x.id, x.title, x.policyRef])).toEqual([
      ['first', 'First, urgently', 'Limitations, urgent'],
      ['second', 'Second', 'Stage 3'],
    ]);
    expect(urgent.repeat).toMatchObject({ title: 'Daily', policyRef: 'Limitations, ongoing', asks: 'it again' });
    // The standard ladder keeps its own.
    expect(effectiveLadder(def, 'standard').rungs[0]).toMatchObject({ title: 'First', policyRef: 'Stage 2' });
  });

  it('an empty title or policy reference in a variant override is refused', () => {
    const l = base('variant-empty-title');
    l.variants = { urgent: { label: 'Urgent', description: 'Faster.', policyRef: 'Limitations', overrides: { first: { title: '' } } } };
    write('variant-empty-title', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/variant-empty-title\.yaml: variants\.urgent\.overrides\.first\.title: /);
  });

  it('a variant repeat that gives only `every` keeps the standard repeat’s copy list, approval and duties', () => {
    const l = base('variant-repeat');
    l.variants = { urgent: { label: 'Urgent', description: 'Faster.', policyRef: 'Limitations', repeat: { every: '1wd' } } };
    write('variant-repeat', l);
    const r = readLadderDir(dir, 'config/ladders');
    expect(r.problems).toEqual([]);
    const urgent = effectiveLadder(r.ladders.get('variant-repeat')!, 'urgent');
    expect(urgent.repeat).toMatchObject({ every: { unit: 'wd', n: 1 }, to: ['team-manager'], cc: ['professional'], approval: true, duties: ['record'] });
  });
});
