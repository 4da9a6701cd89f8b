import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { DEFAULT_SEND_WINDOW } from '../../config/config-schema.js';
import { resolveFrom, type LoadedConfig } from '../../config/load-config.js';
import { readLadderDir } from '../../config/load-ladders.js';
import { COUNTRIES, NATIONS, countryInNation, countryOf, type Country, type Nation } from '../../domain/calendar/nation.js';
import { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import { effectiveLadder } from '../../domain/ladder/effective-ladder.js';
import { ladderTables } from '../../domain/ladder/ladder-table.js';
import type { CaseFlag, LadderDefinition, VariantName } from '../../domain/ladder/ladder-schema.js';
import { simulateLadder, type Simulation } from '../../domain/ladder/simulate.js';
import { localLadder, localRoleLabel, policyLine, type Whereabouts } from '../../domain/ladder/local-ladder.js';
import { partnerLadder, partnerLine, partnerRoles } from '../../domain/ladder/partner-ladder.js';
import type { Authority } from '../../domain/directory.js';
import { loadDirectory } from '../../config/load-directory.js';
import { DEFAULT_TEMPLATE_DIR, TemplateStore } from '../../lib/template-store.js';
import { calendarOf } from '../../runtime/org-calendar.js';
import { ladderFolders } from '../../runtime/org-ladders.js';
import { CliError, type CliIo } from '../cli-io.js';
import { load, type GlobalOptions } from '../load.js';

/**
 * The config, for commands that read ladders: a config that cannot be read is an error that says
 * so (it used to fall back to ./config/ladders without a word, checking folders the service does
 * not use). `--dir` reads a folder without the config.
 */
async function configForLadders(opts: GlobalOptions, io: CliIo): Promise<LoadedConfig> {
  try {
    return await load(opts, io, { quiet: true });
  } catch (error) {
    throw new CliError(
      `${(error as Error).message}\n(the ladders are read from the folders the config names; fix the config, or pass --dir <folder> to read a folder without it)`,
    );
  }
}

/** The ladder folders to read: `--dir`, else the config's (the shared folder, then each organisation's own, with its template overrides). */
async function ladderDirs(opts: GlobalOptions & { dir?: string }, io: CliIo): Promise<{ dir: string; templates?: string }[]> {
  if (opts.dir) return [{ dir: resolve(io.cwd, opts.dir) }];
  const loaded = await configForLadders(opts, io);
  const { shared, perOrg } = ladderFolders(loaded);
  return [
    { dir: shared },
    ...loaded.config.organisations.flatMap((o) => {
      const dir = perOrg[o.id];
      return dir ? [{ dir, ...(o.templatesDir ? { templates: resolve(loaded.baseDir, o.templatesDir) } : {}) }] : [];
    }),
  ];
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
  for (const [id, template] of Object.entries(ladder.partnerAgencies?.templates ?? {})) {
    for (const format of ['text', 'html'] as const) {
      if (!store.has(`rungs/${template}`, format))
        problems.push(`${file}: partnerAgencies.templates.${id}: template rungs/${template}/${format}.hbs is missing`);
    }
  }
  return [...new Set(problems)];
}

/** The ladder with this id from the folders, the later overriding the earlier (as the service reads them); a broken file of that id is an error naming it. */
function findLadder(id: string, dirs: string[]): LadderDefinition {
  for (const dir of [...dirs].reverse()) {
    if (!existsSync(dir)) continue;
    const result = readLadderDir(dir);
    const found = result.ladders.get(id);
    if (found) return found;
    const broken = result.problems.filter((p) => p.includes(`${id}.yaml`));
    if (broken.length) throw new CliError(broken.join('\n'));
  }
  throw new CliError(`no ladder "${id}"`);
}

/** The directive that sets a case flag, as the RM would write it. */
const FLAG_DIRECTIVE: Record<CaseFlag, string> = {
  psw: 'PSW: yes',
  'child-protection': 'Child protection: yes',
  safeguarding: 'Safeguarding: yes',
  iro: 'IRO: yes',
  'carer-informed': 'Foster carer informed: yes',
};

/** "iro, Principal Social Worker (if PSW: yes)": the conditional copies said to be so. */
function ccText(step: Simulation['steps'][number], roleLabel: (role: string) => string): string {
  const parts = step.cc.map(roleLabel);
  for (const [flag, roles] of Object.entries(step.ccWhen ?? {}) as [CaseFlag, string[] | undefined][]) {
    for (const role of roles ?? []) parts.push(`${roleLabel(role)} (if ${FLAG_DIRECTIVE[flag]})`);
  }
  return parts.join(', ');
}

const COUNTRY_LABEL: Record<Country, string> = { england: 'England', wales: 'Wales', scotland: 'Scotland', 'northern-ireland': 'Northern Ireland' };

function formatSimulation(sim: Simulation, def: LadderDefinition, cal: WorkCalendar, where: Whereabouts, agency?: Authority): string {
  const roleLabel = (role: string) => localRoleLabel(def, where, role);
  const lines = [
    `${def.title} (${sim.ladder}, ${sim.variant} timescales, ${sim.nation}, ${COUNTRY_LABEL[countryOf(where.nation, where.country)]})`,
    `Policy: ${policyLine(def, where)}.`,
    `Opened ${sim.start}; the clock starts ${sim.clockStart}.`,
  ];
  if (agency) lines.push(`Partner agency: ${partnerLine(agency)} (${def.partnerAgencies?.policyRef ?? ''}).`);
  if (sim.drawnInBefore) {
    lines.push(`Needed by ${cal.formatDate(cal.closeOf(sim.drawnInBefore))}: every step is drawn in before it (${def.neededBy?.policyRef ?? 'Due:'}).`);
  }
  lines.push('');
  sim.steps.forEach((s, i) => {
    const when = s.dueAt ? cal.format(new Date(s.dueAt)) : 'only by ESCALATE';
    lines.push(
      `${String(i + 1).padStart(2)}. ${when.padEnd(36)} ${s.title}${s.approval ? ' [approval]' : ''}${s.when ? ` [only if ${s.when}]` : ''}${s.repeat ? ` [then every ${sim.repeatEvery}]` : ''}`,
    );
    const cc = ccText(s, roleLabel);
    lines.push(`    to: ${s.to.map(roleLabel).join(', ')}${cc ? `; cc: ${cc}` : ''}${s.deadline ? `; deadline ${s.deadline}` : ''}`);
    if (s.outOfHours) {
      const edt = `the ${roleLabel(s.outOfHours.to)}`;
      lines.push(
        s.outOfHours.mode === 'instead'
          ? `    out of hours: to ${edt} at once instead; the others when the working day starts`
          : `    out of hours: also to ${edt} at once`,
      );
    }
    lines.push(`    policy: ${s.policyRef}`);
    if (s.waitsFor) lines.push(`    goes ${s.waitsFor}`);
  });
  return lines.join('\n');
}

/** The directory's authority with this id, which must give its own ladder of roles for this ladder to use. */
async function agencyFor(id: string, def: LadderDefinition, opts: GlobalOptions, io: CliIo): Promise<Authority> {
  const loaded = await configForLadders(opts, io);
  const path = resolveFrom(loaded.baseDir, loaded.config.directory);
  const directory = loadDirectory(path);
  const agency = directory.authorities.find((a) => a.id === id);
  if (!agency) throw new CliError(`--agency: no authority "${id}" in ${path} (it has: ${directory.authorities.map((a) => a.id).join(', ') || 'none'})`);
  if (!def.partnerAgencies) throw new CliError(`--agency: ladder ${def.id} does not take partner agencies' own roles`);
  if (!partnerRoles(def, agency)) throw new CliError(`--agency: ${id} in ${path} gives no ladder of its own roles`);
  return agency;
}

export async function check(opts: GlobalOptions & { dir?: string }, io: CliIo): Promise<void> {
  const problems: string[] = [];
  let count = 0;
  for (const { dir, templates } of await ladderDirs(opts, io)) {
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
}

/** The ladders as Markdown tables (docs/ladders.md is this over config/ladders): the later folders override the earlier, as the service reads them. */
export async function table(opts: GlobalOptions & { dir?: string }, io: CliIo): Promise<void> {
  const ladders = new Map<string, LadderDefinition>();
  for (const { dir } of await ladderDirs(opts, io)) {
    if (!existsSync(dir)) continue;
    const result = readLadderDir(dir);
    if (result.problems.length) throw new CliError(result.problems.join('\n'));
    for (const [id, ladder] of result.ladders) ladders.set(id, ladder);
  }
  io.out(ladderTables([...ladders.values()]));
}

export interface SimulateOptions {
  ladder: string;
  start: string;
  org?: string;
  nation?: string;
  /** Whose regulator and framework are named (england, wales, scotland, northern-ireland; default the nation's). */
  country?: string;
  timezone?: string;
  urgent?: boolean;
  imminent?: boolean;
  /** A `Due:` date (YYYY-MM-DD) the request is needed by. */
  due?: string;
  /** A directory authority's id: the professional is at that partner agency, whose own roles replace the council's. */
  agency?: string;
  dir?: string;
  json?: boolean;
}

/**
 * The dated timetable a case opened at --start would follow. With --org, on that organisation's
 * calendar (nation, timezone, send window) and with its ladders; otherwise on the nation and
 * timezone given (England and Wales, Europe/London by default) with the config's default send window.
 */
export async function simulate(opts: GlobalOptions & SimulateOptions, io: CliIo): Promise<void> {
  if (opts.org && (opts.nation || opts.timezone || opts.country)) {
    throw new CliError('--org takes the organisation’s nation, country and timezone; leave out --nation, --country and --timezone');
  }
  if (opts.country !== undefined && !(COUNTRIES as readonly string[]).includes(opts.country))
    throw new CliError(`--country must be one of ${COUNTRIES.join(', ')}`);
  const country = opts.country as Country | undefined;
  let cal: WorkCalendar;
  let dirs: string[];
  let where: Whereabouts;
  if (opts.org) {
    const loaded = await configForLadders(opts, io);
    const org = loaded.config.organisations.find((o) => o.id === opts.org);
    if (!org) throw new CliError(`no organisation "${opts.org}" in ${loaded.path} (it has: ${loaded.config.organisations.map((o) => o.id).join(', ')})`);
    const folders = ladderFolders(loaded);
    const own = folders.perOrg[org.id];
    dirs = [folders.shared, ...(own ? [own] : [])];
    if (opts.dir) dirs.push(resolve(io.cwd, opts.dir));
    cal = calendarOf(org);
    where = { nation: org.nation, country: org.country };
  } else {
    // A home in Wales keeps England's calendar: --country wales alone is enough.
    const given = opts.nation ?? (country === 'scotland' || country === 'northern-ireland' ? country : 'england-and-wales');
    if (!(NATIONS as readonly string[]).includes(given)) throw new CliError(`--nation must be one of ${NATIONS.join(', ')}`);
    dirs = (await ladderDirs(opts, io)).map((d) => d.dir);
    if (country && !countryInNation(country, given as Nation)) throw new CliError(`--country ${country} does not keep the ${given} calendar`);
    cal = new WorkCalendar({ nation: given as Nation, timezone: opts.timezone ?? 'Europe/London', window: DEFAULT_SEND_WINDOW });
    where = { nation: given as Nation, country };
  }
  const start = DateTime.fromISO(opts.start, { zone: cal.timezone });
  if (!start.isValid) throw new CliError(`--start: "${opts.start}" is not an ISO 8601 date-time`);
  // Titles, policy references and role labels with the regulator of the country, and a partner
  // agency's own roles.
  const local = localLadder(findLadder(opts.ladder, dirs), where);
  const agency = opts.agency ? await agencyFor(opts.agency, local, opts, io) : undefined;
  const def = partnerLadder(local, agency);
  const variant: VariantName = opts.imminent ? 'imminent' : opts.urgent ? 'urgent' : 'standard';
  if (variant !== 'standard' && !def.variants[variant]) throw new CliError(`ladder ${def.id} has no ${variant} variant`);
  if (opts.due !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(opts.due) && DateTime.fromISO(opts.due).isValid)) {
    throw new CliError(`--due: "${opts.due}" is not a date (YYYY-MM-DD)`);
  }
  const sim = simulateLadder(def, variant, start.toJSDate(), cal, opts.due ? { due: opts.due } : {});
  io.out(
    opts.json
      ? JSON.stringify(
          { ...sim, country: countryOf(where.nation, where.country), policy: policyLine(def, where), ...(agency ? { partner: partnerLine(agency) } : {}) },
          null,
          2,
        )
      : formatSimulation(sim, def, cal, where, agency),
  );
}
