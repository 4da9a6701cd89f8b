/**
 * h15reg5 point 5: docs/ladders.md is the ladders' own table (`escalator ladders table`), so the
 * documentation cannot drift from config/ladders.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { ladderTables } from '../../../src/domain/ladder/ladder-table.js';

const tables = ladderTables([...readLadderDir('config/ladders').ladders.values()]);

describe('docs/ladders.md', () => {
  it('is what `escalator ladders table --dir config/ladders` prints (paste it below the line when a ladder changes)', () => {
    const doc = readFileSync('docs/ladders.md', 'utf8');
    const below = doc.slice(doc.indexOf('\n---\n') + '\n---\n'.length).trim();
    expect(below).toBe(tables.trim());
  });

  it('states each ladder’s steps, copies and policy paragraphs as the ladder files do', () => {
    expect(tables).toContain(
      '| standard | 3 | Email to the Assistant Director | 4 weeks after the opening | Assistant Director | Independent Reviewing Officer, the professional, team manager, the Registered Manager, the person who raised it | 2 weeks |  | Procedure, "4 weeks" |',
    );
    // The IRO from the first reminder only with IRO: yes; the LSCP only in child protection cases.
    expect(tables).toMatch(/\| standard \| 1 \| Reminder to the professional \|[^\n]*Independent Reviewing Officer \(if IRO: yes\)/);
    expect(tables).toMatch(/Escalation to the Local Safeguarding Children Partnership \|[^\n]*RM approves; only if Child protection: yes/);
    // Imminent risk always copies the PSW; elsewhere only PSW: yes does.
    expect(tables).toMatch(
      /\| imminent \| 1 \| Meeting request to the Deputy Director \| the same day as the opening \| Deputy Director \| Principal Social Worker, the person who raised it \|/,
    );
    expect(tables).toMatch(/\| standard \| 1 \| Meeting request to the service manager \|[^\n]*Principal Social Worker \(if PSW: yes\)/);
    expect(tables).toContain('| standard | 4 | Escalation to the Strategic Lead | only by `ESCALATE` |');
    // Issue 15.4: the fostering panel's senior manager waits for the further form on the standard
    // timescales only; FIRO tells the foster carer only where the case says so, at the opening and the end too.
    expect(tables).toMatch(/\| standard \| 2 \| Escalation to a more senior manager \|[^\n]*\| waits for the further form \(`Remaining concerns:`\) \|/);
    expect(tables).not.toMatch(/\| urgent \|[^\n]*further form/);
    expect(tables).toContain(
      'Kept informed: foster carer, only if `Foster carer informed: yes`; told when it opens, at each step, when it ends (and that it is looked at again, if it is reopened after that). Their questions go to whoever raised the case, not the supervising social worker.',
    );
    expect(tables).toContain(
      'Stage 2 — meeting request to the Fostering Service Manager: "I asked a more senior manager, the Fostering Service Manager, for a meeting to try to resolve it"',
    );
    expect(tables).toContain('Kept informed: foster carer; told at each step.');
    for (const id of ['childrens-home-reg5', 'firo-dispute-resolution', 'foster-carer-concern', 'fostering-panel', 'practice-disagreement']) {
      expect(tables).toContain(`(\`${id}\`)`);
    }
  });
});
