/**
 * `npm run bench [-- --quick] [-- --only cli,ingest,latency,burst,scale,largemail,workers,hostile] [-- --profile]`
 *
 * Starts what it needs on loopback (a private redis-server, Dovecot, an SMTP sink in its own
 * process; PostgreSQL databases created and dropped on the local server as the tests do), runs
 * the five scenarios against the real service and, in the same run, against the raw building
 * blocks, prints a table and writes bench/results.json. See bench/README.md.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../test/support/repo-root.js';
import { describeMachine, machineInfo } from './machine.js';
import { Profiler } from './profile.js';
import { table, writeResults, type Row, type ScenarioResult } from './report.js';
import { startInfra, type Infra } from './rig.js';
import { burstScenario } from './scenarios/burst.js';
import { cliScenario } from './scenarios/cli.js';
import { ingestScenario } from './scenarios/ingest.js';
import { latencyScenario } from './scenarios/latency.js';
import { scaleScenario } from './scenarios/scale.js';
import { largeMailScenario } from './scenarios/large-mail.js';
import { hostileTextScenario } from './scenarios/hostile-text.js';
import { workersScenario } from './scenarios/workers.js';

const SCENARIOS = ['cli', 'ingest', 'latency', 'burst', 'scale', 'largemail', 'workers', 'hostile'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261124' },
    out: { type: 'string', default: path.join(REPO_ROOT, 'bench', 'results.json') },
  },
});
const quick = values.quick;
const seed = Number(values.seed);
/** Other spellings --only accepts. */
const ALIASES: Record<string, Scenario> = { 'large-mail': 'largemail' };
const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => ALIASES[s.trim()] ?? s.trim()) as Scenario[]);
for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only: unknown scenario "${s}" (${SCENARIOS.join(', ')})`);
const profiler = new Profiler(values.profile ? path.join(REPO_ROOT, 'var', 'bench-profiles') : undefined);

/** The sizes: the issue's, or a smaller run that finishes in two or three minutes. */
const SIZES = quick
  ? {
      cli: 5,
      ingest: 300,
      ingestWarmup: 40,
      latency: 30,
      latencyWarmup: 3,
      burst: 1_000,
      limited: 200,
      scale: 20_000,
      orgCases: 5_000,
      repeats: 3,
      largeMail: 2,
      workers: 1_000,
      hostile: 3,
    }
  : {
      cli: 11,
      ingest: 2_000,
      ingestWarmup: 100,
      latency: 200,
      latencyWarmup: 10,
      burst: 10_000,
      limited: 2_000,
      scale: 100_000,
      orgCases: 5_000,
      repeats: 5,
      largeMail: 4,
      workers: 4_000,
      hostile: 7,
    };

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  log(`escalator bench (${quick ? 'quick' : 'full'} run): ${[...only].join(', ')}`);
  const infra: Infra = await startInfra();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await infra.stop();
    rmSync(path.join(REPO_ROOT, 'var', 'bench-build'), { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));

  const machine = await machineInfo(infra.redis);
  log(describeMachine(machine));
  const results: ScenarioResult[] = [];
  const errors: Record<string, string> = {};
  const runOne = async (name: Scenario, fn: () => Promise<ScenarioResult>) => {
    if (!only.has(name)) return;
    const t0 = Date.now();
    log(
      `\n▶ ${name} (load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    try {
      const r = await fn();
      results.push(r);
      for (const row of r.rows) log(`  ${row.metric}: ${row.value} ${row.unit}${row.ratio !== undefined ? ` (ratio ${row.ratio})` : ''}`);
    } catch (error) {
      errors[name] = (error as Error).stack ?? String(error);
      log(`  FAILED: ${(error as Error).message}`);
    }
    log(`  (${Math.round((Date.now() - t0) / 1000)} s)`);
  };
  try {
    // First, while the machine is quiet: start-up times are the most sensitive to other load.
    await runOne('cli', () => cliScenario({ repeats: SIZES.cli }));
    await runOne('ingest', () =>
      ingestScenario(infra, { count: SIZES.ingest, warmup: SIZES.ingestWarmup, seed, now: '2026-11-24T10:00:00Z', timeoutMs: 15 * 60_000, profiler }),
    );
    await runOne('latency', () =>
      latencyScenario(infra, { samples: SIZES.latency, warmup: SIZES.latencyWarmup, seed: seed + 100, now: '2026-11-24T10:00:00Z', timeoutMs: 60_000 }),
    );
    await runOne('burst', () =>
      burstScenario(infra, {
        cases: SIZES.burst,
        seed: seed + 200,
        timeoutMs: 20 * 60_000,
        limited: { cases: SIZES.limited, minutes: 3, perMinute: 30 },
        profiler,
      }),
    );
    await runOne('scale', () =>
      scaleScenario(infra, {
        cases: SIZES.scale,
        orgCases: SIZES.orgCases,
        seed: seed + 300,
        now: '2026-11-24T10:00:00Z',
        repeats: SIZES.repeats,
        compiled: true,
        profiler,
        onProgress: log,
      }),
    );
    await runOne('largemail', () =>
      largeMailScenario(infra, { count: SIZES.largeMail, small: 20, everyMs: 3_000, now: '2026-11-24T10:00:00Z', timeoutMs: 10 * 60_000, profiler }),
    );
    await runOne('workers', () => workersScenario(infra, { cases: SIZES.workers, seed: seed + 400, timeoutMs: 20 * 60_000 }));
    await runOne('hostile', () => hostileTextScenario({ repeats: SIZES.hostile }));
  } finally {
    await stop();
  }

  const rows: Row[] = results.flatMap((r) => r.rows);
  const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
  log(`\n${describeMachine(machine)}\nload avg  ${loadAfter.join(' ')} at the end; ${Math.round((Date.now() - started) / 1000)} s in all\n`);
  log(table(rows));
  for (const r of rows.filter((x) => x.note)) log(`  · ${r.scenario} — ${r.metric}: ${r.note}`);
  await writeResults(values.out, {
    run: quick ? 'quick' : 'full',
    sizes: SIZES,
    seed,
    machine,
    loadAverageAtEnd: loadAfter,
    seconds: Math.round((Date.now() - started) / 1000),
    rows,
    markdown: table(rows, true),
    figures: figuresOf(results),
    scenarios: Object.fromEntries(results.map((r) => [r.scenario, r.details])),
    errors,
  });
  log(`\nwritten ${path.relative(process.cwd(), values.out)}`);
  if (Object.keys(errors).length) {
    for (const [name, stack] of Object.entries(errors)) log(`\n${name} failed:\n${stack}`);
    process.exitCode = 1;
  }
}

/** Issue 19's figures under stable names (null when their scenario did not run), for scripts to read. */
const FIGURES = ['mailsPerStep', 'burstDrainMinutesAt30PerMin', 'eventLoopP99MsLargeMail', 'peakRssMbLargeMail', 'ingestRatioDurable', 'workerRssMb'] as const;

function figuresOf(results: ScenarioResult[]): Record<(typeof FIGURES)[number], number | null> {
  const found = (name: string, value: unknown): number | undefined => {
    if (!value || typeof value !== 'object') return undefined;
    const record = value as Record<string, unknown>;
    if (typeof record[name] === 'number') return record[name];
    for (const v of Object.values(record)) {
      const inner = found(name, v);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return Object.fromEntries(FIGURES.map((f) => [f, results.map((r) => found(f, r.details)).find((v) => v !== undefined) ?? null])) as Record<
    (typeof FIGURES)[number],
    number | null
  >;
}

await main();
