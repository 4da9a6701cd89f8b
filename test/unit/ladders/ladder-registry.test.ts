import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LadderRegistry } from '../../../src/config/load-ladders.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const shared = join(REPO_ROOT, 'config/ladders');

describe('organisations add or override ladders in their own folder', () => {
  it('an organisation’s ladder of the same id replaces the shared one for that organisation only', () => {
    const own = mkdtempSync(join(tmpdir(), 'ladders-'));
    const text = readFileSync(join(shared, 'childrens-home-reg5.yaml'), 'utf8').replace('    after: 2w\n', '    after: 10d\n');
    writeFileSync(join(own, 'childrens-home-reg5.yaml'), text);
    const registry = LadderRegistry.load(shared, { north: own, south: undefined });
    expect(registry.require('north', 'childrens-home-reg5').rungs[0]!.after).toBe('10d');
    expect(registry.require('south', 'childrens-home-reg5').rungs[0]!.after).toBe('2w');
  });

  it('an organisation may add a ladder of its own, which other organisations do not see', () => {
    const own = mkdtempSync(join(tmpdir(), 'ladders-'));
    cpSync(join(shared, 'fostering-panel.yaml'), join(own, 'adoption-panel.yaml'));
    writeFileSync(
      join(own, 'adoption-panel.yaml'),
      readFileSync(join(own, 'adoption-panel.yaml'), 'utf8').replace('id: fostering-panel', 'id: adoption-panel'),
    );
    const registry = LadderRegistry.load(shared, { north: own, south: undefined });
    expect(registry.ids('north')).toContain('adoption-panel');
    expect(registry.ids('south')).not.toContain('adoption-panel');
    expect(registry.ids('south')).toEqual([
      'childrens-home-reg5',
      'firo-dispute-resolution',
      'foster-carer-concern',
      'fostering-panel',
      'practice-disagreement',
    ]);
  });

  it('an invalid organisation ladder stops the load, naming the file, rung and key', () => {
    const own = mkdtempSync(join(tmpdir(), 'ladders-'));
    const text = readFileSync(join(shared, 'childrens-home-reg5.yaml'), 'utf8').replace('    after: 3w\n', '    after: soon\n');
    writeFileSync(join(own, 'childrens-home-reg5.yaml'), text);
    expect(() => LadderRegistry.load(shared, { north: own })).toThrow(/childrens-home-reg5\.yaml: rungs\[1\] \(team-manager-reminder\)\.after: not a duration/);
  });
});
