import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../test/support/repo-root.js';
import { compileWorker } from '../compile.js';
import type { Row, ScenarioResult } from '../report.js';
import { percentile } from '../stats.js';
import { firstRow } from '../must.js';

export interface CliOptions {
  /** Runs of each command (interleaved, so a busy moment falls on all of them alike). */
  repeats: number;
}

/** How much later than a bare `node -e 0` each command may be done (issue 18). */
const BUDGET_MS = { help: 300, simulate: 1000, inspect: 1000 } as const;

/**
 * 5. CLI start-up. The compiled CLI (plain node, as `npx escalator` runs it) against a bare
 * `node -e 0` on the same machine in the same run: `--help` (the command list only), `simulate`
 * (config, ladders, calendar) and `mail inspect` of one message (config, ladders, calendar, the
 * MIME parser and the analysis). None of them touches PostgreSQL or Redis. Wall time of the
 * whole process, median of the runs; the ratios are the command's time over node's. With GNU time
 * the CPU time of each run is recorded too (details.medianCpuMs).
 */
export async function cliScenario(o: CliOptions): Promise<ScenarioResult> {
  const worker = await compileWorker();
  const main = path.join(path.dirname(worker), '..', 'src', 'cli', 'main.js');
  const fixtures = path.join(REPO_ROOT, 'test', 'fixtures', 'mail');
  const message = path.join(
    fixtures,
    firstRow(
      readdirSync(fixtures)
        .filter((f) => f.endsWith('.eml'))
        .sort(),
      'fixture .eml',
    ),
  );
  const commands = {
    node: ['-e', '0'],
    help: [main, '--help'],
    simulate: [main, 'simulate', '--ladder', 'childrens-home-reg5', '--start', '2026-11-23T10:00', '--json'],
    inspect: [main, 'mail', 'inspect', message, '--json', '--received', '2026-11-24T10:00:00Z'],
  } as const;
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  // GNU time, where there is one, also gives each run's CPU time: on a busy machine the wall time
  // grows with everyone else's load, the CPU time much less.
  const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const samples: Record<keyof typeof commands, number[]> = { node: [], help: [], simulate: [], inspect: [] };
  const cpu: Record<keyof typeof commands, number[]> = { node: [], help: [], simulate: [], inspect: [] };
  for (let i = 0; i < o.repeats + 1; i++) {
    for (const [name, args] of Object.entries(commands) as [keyof typeof commands, readonly string[]][]) {
      const [file, argv] = gnuTime ? [gnuTime, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, [...args]];
      const t0 = process.hrtime.bigint();
      const run = spawnSync(file, argv, { cwd: REPO_ROOT, env, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (run.status !== 0) throw new Error(`${name} exited ${run.status}: ${run.stderr.slice(0, 500)}`);
      // The first round warms the page cache; it is not counted.
      if (i === 0) continue;
      samples[name].push(ms);
      const used = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr);
      if (used) cpu[name].push((Number(used[1]) + Number(used[2])) * 1000);
    }
  }
  const medians = (from: Record<keyof typeof commands, number[]>) =>
    Object.fromEntries(Object.entries(from).map(([k, v]) => [k, Math.round(percentile(v, 50) * 10) / 10])) as Record<keyof typeof commands, number>;
  const ms = medians(samples);
  const cpuMs = gnuTime ? medians(cpu) : undefined;
  const ratio = (k: 'help' | 'simulate' | 'inspect') => Math.round((ms[k] / ms.node) * 100) / 100;
  const row = (k: 'help' | 'simulate' | 'inspect', metric: string): Row => ({
    scenario: '5 cli',
    metric,
    value: ms[k],
    unit: 'ms',
    baseline: ms.node,
    ratio: Math.round((ms.node / ms[k]) * 100) / 100,
    target: `≤ node -e 0 + ${BUDGET_MS[k].toLocaleString('en-GB')} ms`,
    met: ms[k] - ms.node <= BUDGET_MS[k],
    note: `${ratio(k)}× a bare node -e 0 (${ms.node} ms); median of ${o.repeats}${cpuMs ? `; CPU ${cpuMs[k]} ms against node's ${cpuMs.node} ms` : ''}`,
  });
  return {
    scenario: 'cli',
    rows: [
      row('help', 'escalator --help (compiled, plain node)'),
      row('simulate', 'escalator simulate --ladder childrens-home-reg5 --json'),
      row('inspect', 'escalator mail inspect (one message) --json'),
    ],
    details: {
      cliHelpRatio: ratio('help'),
      cliSimulateRatio: ratio('simulate'),
      cliInspectRatio: ratio('inspect'),
      medianMs: ms,
      ...(cpuMs ? { medianCpuMs: cpuMs, cliHelpCpuRatio: Math.round((cpuMs.help / cpuMs.node) * 100) / 100 } : {}),
      budgetMs: BUDGET_MS,
      samplesMs: samples,
      message: path.relative(REPO_ROOT, message),
    },
  };
}
