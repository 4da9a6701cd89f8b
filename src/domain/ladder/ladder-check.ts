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
    // Only a rung that may go at any hour ever goes while the window is closed: an out-of-hours
    // address on a variant with none would never be written to, which the author did not mean.
    if (eff.outOfHours && !eff.rungs.some((r) => r.anyHour) && !eff.repeat?.anyHour) {
      const at = variant === 'standard' || !ladder.variants[variant]?.outOfHours ? 'outOfHours' : `variants.${variant}.outOfHours`;
      problems.push(
        `${file}: ${at}: no rung${variant === 'standard' ? '' : ` of the ${variant} variant`} may go at any hour (sendWindow: always), so none ever goes out of hours and ${eff.outOfHours.to} would never be written to`,
      );
    }
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
