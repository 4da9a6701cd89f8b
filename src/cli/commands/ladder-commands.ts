import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { loadConfig, resolveFrom } from '../../config/load-config.js';
import { readLadderDir } from '../../config/load-ladders.js';
import { NATIONS, type Nation } from '../../domain/calendar/nation.js';
import { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { effectiveLadder } from '../../domain/ladder/effective-ladder.js';
import type { CaseFlag, LadderDefinition, VariantName } from '../../domain/ladder/ladder-schema.js';
import { simulateLadder, type Simulation } from '../../domain/ladder/simulate.js';
import { roleLabel } from '../../domain/roles.js';
import { TemplateStore, DEFAULT_TEMPLATE_DIR } from '../../lib/template-store.js';
import { CliError, type CliIo } from '../cli-io.js';
import type { GlobalOptions } from '../load.js';

/** The ladder folders to read: the config's, else ./config/ladders. */
function ladderDirs(opts: GlobalOptions & { dir?: string }, io: CliIo): Array<{ dir: string; templates?: string }> {
  if (opts.dir) return [{ dir: resolve(io.cwd, opts.dir) }];
  try {
    const loaded = loadConfig(opts.config, io.env, io.cwd);
    const base = loaded.baseDir;
    return [
      { dir: resolveFrom(base, loaded.config.laddersDir) },
      ...loaded.config.organisations
        .filter((o) => o.laddersDir)
        .map((o) => ({ dir: resolveFrom(base, o.laddersDir!), ...(o.templatesDir ? { templates: resolveFrom(base, o.templatesDir) } : {}) })),
    ];
  } catch {
    return [{ dir: resolve(io.cwd, 'config/ladders') }];
  }
}

/** Every rung needs its text and HTML template. */
export function checkTemplates(ladder: LadderDefinition, file: string, store: TemplateStore): string[] {
  const problems: string[] = [];
  for (const variant of ['standard', 'urgent', 'imminent'] as const) {
    if (variant !== 'standard' && !ladder.variants[variant]) continue;
    const eff = effectiveLadder(ladder, variant);
    for (const rung of [...eff.rungs, ...(eff.repeat ? [eff.repeat] : [])]) {
      for (const format of ['text', 'html'] as const) {
        if (!store.has(`rungs/${rung.template}`, format)) {
          problems.push(`${file}: rung ${rung.id}: template rungs/${rung.template}/${format}.hbs is missing`);
        }
      }
    }
  }
  return [...new Set(problems)];
}

function loadLadder(id: string, opts: GlobalOptions & { dir?: string }, io: CliIo): LadderDefinition {
  for (const { dir } of ladderDirs(opts, io).reverse()) {
    const result = readLadderDir(dir);
    const found = result.ladders.get(id);
    if (found) return found;
    const broken = result.problems.filter((p) => p.includes(`${id}.yaml`));
    if (broken.length) throw new CliError(broken.join('\n'));
  }
  throw new CliError(`no ladder "${id}"`);
}

/** The directive that sets a case flag, as the RM would write it. */
const FLAG_DIRECTIVE: Record<CaseFlag, string> = { psw: 'PSW: yes', 'child-protection': 'Child protection: yes', safeguarding: 'Safeguarding: yes' };

/** "iro, Principal Social Worker (if PSW: yes)": the conditional copies said to be so. */
function ccText(step: Simulation['steps'][number]): string {
  const parts = step.cc.map(roleLabel);
  for (const [flag, roles] of Object.entries(step.ccWhen ?? {}) as Array<[CaseFlag, string[] | undefined]>) {
    for (const role of roles ?? []) parts.push(`${roleLabel(role)} (if ${FLAG_DIRECTIVE[flag]})`);
  }
  return parts.join(', ');
}

function formatSimulation(sim: Simulation, def: LadderDefinition, cal: WorkCalendar): string {
  const lines = [`${def.title} (${sim.ladder}, ${sim.variant} timescales, ${sim.nation})`, `Opened ${sim.start}; the clock starts ${sim.clockStart}.`, ''];
  sim.steps.forEach((s, i) => {
    const when = s.dueAt ? cal.format(new Date(s.dueAt)) : 'only by ESCALATE';
    lines.push(
      `${String(i + 1).padStart(2)}. ${when.padEnd(36)} ${s.title}${s.approval ? ' [approval]' : ''}${s.when ? ` [only if ${s.when}]` : ''}${s.repeat ? ` [then every ${sim.repeatEvery}]` : ''}`,
    );
    const cc = ccText(s);
    lines.push(`    to: ${s.to.map(roleLabel).join(', ')}${cc ? `; cc: ${cc}` : ''}${s.deadline ? `; deadline ${s.deadline}` : ''}`);
    lines.push(`    policy: ${s.policyRef}`);
  });
  return lines.join('\n');
}

export function registerLadderCommands(program: Command, io: CliIo): void {
  const ladders = program.command('ladders').description('the escalation ladders');
  ladders
    .command('check')
    .description('validate every ladder file and its templates; exits non-zero naming file, rung and key')
    .option('--dir <folder>', 'check this folder instead of the configured ones')
    .action((o: { dir?: string }) => {
      const problems: string[] = [];
      let count = 0;
      for (const { dir, templates } of ladderDirs({ ...program.opts<GlobalOptions>(), ...o }, io)) {
        const result = readLadderDir(dir, existsSync(dir) ? dir.replace(`${io.cwd}/`, '') : dir);
        problems.push(...result.problems);
        const store = new TemplateStore(templates ? [DEFAULT_TEMPLATE_DIR, templates] : [DEFAULT_TEMPLATE_DIR]);
        for (const [id, ladder] of result.ladders) {
          count++;
          problems.push(...checkTemplates(ladder, `${dir.replace(`${io.cwd}/`, '')}/${id}.yaml`, store));
        }
      }
      if (problems.length) throw new CliError(problems.join('\n'));
      io.out(`${count} ladders OK`);
    });

  program
    .command('simulate')
    .description('print the dated timetable a case opened at --start would follow')
    .requiredOption('--ladder <id>', 'ladder id')
    .requiredOption('--start <iso>', 'opening moment, ISO 8601 (local Europe/London time when no offset)')
    .option('--nation <nation>', NATIONS.join(' | '), 'england-and-wales')
    .option('--timezone <tz>', 'timezone', 'Europe/London')
    .option('--urgent', 'the urgent (safeguarding) timescales')
    .option('--imminent', 'the imminent-risk timescales')
    .option('--dir <folder>', 'ladder folder')
    .option('--json', 'JSON output')
    .action((o: { ladder: string; start: string; nation: string; timezone: string; urgent?: boolean; imminent?: boolean; dir?: string; json?: boolean }) => {
      if (!(NATIONS as readonly string[]).includes(o.nation)) throw new CliError(`--nation must be one of ${NATIONS.join(', ')}`);
      const start = DateTime.fromISO(o.start, { zone: o.timezone });
      if (!start.isValid) throw new CliError(`--start: "${o.start}" is not an ISO 8601 date-time`);
      const def = loadLadder(o.ladder, { ...program.opts<GlobalOptions>(), ...(o.dir ? { dir: o.dir } : {}) }, io);
      const variant: VariantName = o.imminent ? 'imminent' : o.urgent ? 'urgent' : 'standard';
      if (variant !== 'standard' && !def.variants[variant]) throw new CliError(`ladder ${def.id} has no ${variant} variant`);
      const cal = new WorkCalendar({ nation: o.nation as Nation, timezone: o.timezone, window: { start: '09:00', end: '17:00' } });
      const sim = simulateLadder(def, variant, start.toJSDate(), cal);
      io.out(o.json ? JSON.stringify(sim, null, 2) : formatSimulation(sim, def, cal));
    });
}
