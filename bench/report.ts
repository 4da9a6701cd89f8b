import { writeFile } from 'node:fs/promises';

/** One line of the results table. */
export interface Row {
  scenario: string;
  metric: string;
  /** What we measured, in `unit`. */
  value: number;
  unit: string;
  /** The raw building block's figure, measured in the same run, when the metric has one. */
  baseline?: number;
  /** value / baseline (or the inverse for times: always "ours as a share of the building block"). */
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

export interface ScenarioResult {
  scenario: string;
  rows: Row[];
  /** Everything else measured, for results.json and for reading where the time went. */
  details: Record<string, unknown>;
}

function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '–';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-GB');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** The table, as plain text for the terminal and as Markdown for bench/README.md. */
export function table(rows: Row[], markdown = false): string {
  const head = ['scenario', 'metric', 'ours', 'building block', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.scenario,
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? '–' : `${fmt(r.baseline)} ${r.unit}`,
    r.ratio === undefined ? '–' : r.ratio.toFixed(2),
    r.target ?? '–',
    r.met === undefined ? '–' : r.met ? 'yes' : 'NO',
  ]);
  if (markdown) {
    return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((c) => `| ${c.join(' | ')} |`)].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((s, i) => s.padEnd(widths[i] ?? 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export async function writeResults(path: string, data: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
}
