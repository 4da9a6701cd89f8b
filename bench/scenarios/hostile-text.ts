import { cutHtmlQuote, htmlToText } from '../../src/domain/inbound/html-text.js';
import { extractNewText } from '../../src/domain/inbound/new-text.js';
import { inspectMessage } from '../../src/inbound/inspect-message.js';
import { ANALYSIS_OPTIONS } from '../../test/unit/inbound/support.js';
import type { ScenarioResult } from '../report.js';
import { percentile, round } from '../stats.js';
import { must } from '../must.js';

export interface HostileTextOptions {
  /** Runs of each input; the median is reported. */
  repeats: number;
}

/**
 * 7. Hostile text. The inputs the unit tests use to guard the text code against super-linear work
 * (text that makes quote detection backtrack, HTML that is all unclosed tags, a 1 MB header line),
 * timed here instead of there: the tests compare work at n and 4n, which no machine's speed or load
 * changes; how long it takes on this machine belongs in the benchmark, beside the load average.
 */
export async function hostileTextScenario(o: HostileTextOptions): Promise<ScenarioResult> {
  const html = '<a href="'.repeat(20_000) + '<!'.repeat(20_000) + '<div'.repeat(20_000);
  const header = Buffer.from(`From: sam.patel@northshire.gov.uk\r\nX-Junk: ${'A'.repeat(1024 * 1024)}\r\nSubject: x\r\n\r\nRESOLVED\r\n`);
  const inputs: Record<string, () => unknown> = {
    'new text, one 200 kB "On , , ," line': () => extractNewText(`On ${', '.repeat(99_000)}`),
    'new text, 1000 lines of 300 "On , ," characters': () => extractNewText(`On ${', '.repeat(148)}\n`.repeat(1000)),
    'HTML to text, 60,000 unclosed tags': () => htmlToText(html),
    'HTML quote cut, 60,000 unclosed tags': () => cutHtmlQuote(html),
    'mail inspect, a 1 MB header line': () =>
      inspectMessage(header, { ...ANALYSIS_OPTIONS, receivedAt: new Date('2026-12-08T09:00:00Z'), maxHtmlLength: 1_000_000 }),
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(inputs).map((k) => [k, []]));
  for (let i = 0; i < o.repeats + 1; i++) {
    for (const [name, fn] of Object.entries(inputs)) {
      const t0 = performance.now();
      await fn();
      // The first round compiles the expressions; it is not counted.
      if (i > 0) must(samples[name], `samples of ${name}`).push(performance.now() - t0);
    }
  }
  return {
    scenario: 'hostile',
    rows: Object.entries(samples).map(([metric, ms]) => ({ scenario: 'hostile', metric, value: round(percentile(ms, 50), 1), unit: 'ms' })),
    details: { samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => round(x, 1))])) },
  };
}
