import { expect } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import type { Nation } from '../../../src/domain/calendar/nation.js';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import type { LadderDefinition, VariantName } from '../../../src/domain/ladder/ladder-schema.js';
import { simulateLadder, type Simulation } from '../../../src/domain/ladder/simulate.js';

/** The shipped ladders, loaded the way the service loads them. */
export function loadLadder(id: string): LadderDefinition {
  const loaded = readLadderDir('config/ladders');
  expect(loaded.problems).toEqual([]);
  const def = loaded.ladders.get(id);
  if (!def) throw new Error(`config/ladders has no ${id}`);
  return def;
}

export function calendar(nation: Nation): WorkCalendar {
  return new WorkCalendar({ nation, timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
}

export function simulate(def: LadderDefinition, variant: VariantName, startIso: string, nation: Nation): Simulation {
  return simulateLadder(def, variant, new Date(startIso), calendar(nation));
}

/** rung, due moment (local ISO with offset), To roles, Cc roles, approval. */
export type Row = [string, string | null, string[], string[], boolean];

export function rows(sim: Simulation): Row[] {
  return sim.steps.map((s) => [s.rung, s.dueAt, s.to, s.cc, s.approval]);
}

export function dueMoments(sim: Simulation): [string, string | null][] {
  return sim.steps.map((s) => [s.rung, s.dueAt]);
}

/** What every shipped ladder promises: each rung cites the policy, asks one thing, and reminds of duties. */
export function expectWellFormed(def: LadderDefinition): void {
  const rungs = [...def.rungs, ...(def.variants.urgent?.rungs ?? []), ...(def.variants.imminent?.rungs ?? [])];
  for (const rung of rungs) {
    expect(rung.policyRef.length, `${rung.id}.policyRef`).toBeGreaterThan(0);
    // One sentence: no full stop, question or exclamation mark followed by more text.
    expect(rung.asks, `${rung.id}.asks`).not.toMatch(/[.!?]\s+\S/);
    expect(rung.asks.length, `${rung.id}.asks`).toBeLessThan(300);
    expect(rung.duties.length, `${rung.id}.duties`).toBeGreaterThan(0);
  }
  expect(Object.keys(def.duties).length).toBeGreaterThan(0);
}
