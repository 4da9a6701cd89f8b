import { parseDuration } from '../calendar/duration.js';
import { effectiveLadder } from './effective-ladder.js';
import type { LadderDefinition } from './ladder-schema.js';

/**
 * Checks beyond the schema: every variant resolves, and no time-triggered rung counted from
 * the opening falls before the rung it follows.
 */
export function checkLadder(file: string, ladder: LadderDefinition): string[] {
  const problems: string[] = [];
  for (const variant of ['standard', 'urgent', 'imminent'] as const) {
    if (variant !== 'standard' && !ladder.variants[variant]) continue;
    let eff;
    try {
      eff = effectiveLadder(ladder, variant);
    } catch (error) {
      problems.push(`${file}: variants.${variant}: ${(error as Error).message}`);
      continue;
    }
    // No check that an out-of-hours address is ever used: ESCALATE or APPROVE at night takes any
    // rung while the window is closed, so the duty team is written to even on timescales none of
    // whose rungs falls due at night (reg 5 safeguarding; apply-commands, escalate).
    let previous: { id: string; days: number } | undefined;
    eff.rungs.forEach((rung, i) => {
      if (rung.from !== 'opening' || rung.trigger !== 'time') return;
      const days = approxDays(rung.after);
      if (previous && previous.days > days) {
        problems.push(
          `${file}: ${variant === 'standard' ? '' : `variants.${variant}.`}rungs[${i}] (${rung.id}).after: falls before the rung it follows (${previous.id})`,
        );
      }
      previous = { id: rung.id, days };
    });
  }
  if (ladder.repeat) parseDuration(ladder.repeat.every);
  return problems;
}

function approxDays(d: ReturnType<typeof parseDuration>): number {
  switch (d.unit) {
    case 'w':
      return d.n * 7;
    case 'wd':
      return d.n * 1.4;
    case 'd':
      return d.n;
    case 'same-day':
      return 0;
  }
}
