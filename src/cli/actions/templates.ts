import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveFrom } from '../../config/load-config.js';
import { readLadderDir } from '../../config/load-ladders.js';
import { calendarOf } from '../../runtime/org-calendar.js';
import type { MailKind } from '../../domain/case/decision.js';
import { effectiveLadder } from '../../domain/ladder/effective-ladder.js';
import type { LadderDefinition, VariantName } from '../../domain/ladder/ladder-schema.js';
import { MAIL_KINDS, recipientsOf, renderSample, sampleCalendar, sampleOrgFor, type SampleOptions } from '../../outbound/render/sample-case.js';
import { DEFAULT_TEMPLATE_DIR, TemplateStore } from '../../lib/template-store.js';
import { CliError, type CliIo } from '../cli-io.js';
import { ORG_MAIL_KINDS, renderOrgSample, type OrgMailKind } from './org-mail-samples.js';
import { load, type GlobalOptions } from '../load.js';

export interface PreviewOptions {
  kind: string;
  html?: boolean;
  variant: string;
  org?: string;
  templates?: string;
  dir?: string;
}

/**
 * Where the ladder and the templates come from: `--dir` / `--templates` when given; with `--org`,
 * that organisation's ladder folder, template overrides, name and calendar from the config;
 * otherwise the shipped ladders (./config/ladders) and templates, and a fictional organisation.
 */
async function previewSetup(
  opts: PreviewOptions & GlobalOptions,
  io: CliIo,
): Promise<{
  ladderDirs: string[];
  templateDirs: string[];
  sample: Pick<SampleOptions, 'org' | 'calendar'>;
}> {
  const ladderDirs: string[] = [];
  const templateDirs = [DEFAULT_TEMPLATE_DIR];
  let sample: Pick<SampleOptions, 'org' | 'calendar'> = {};
  if (opts.org) {
    const loaded = await load(opts, io, { quiet: true });
    const org = loaded.config.organisations.find((o) => o.id === opts.org);
    if (!org) throw new CliError(`no organisation "${opts.org}" in ${loaded.path} (it has: ${loaded.config.organisations.map((o) => o.id).join(', ')})`);
    ladderDirs.push(resolveFrom(loaded.baseDir, loaded.config.laddersDir));
    if (org.laddersDir) ladderDirs.push(resolveFrom(loaded.baseDir, org.laddersDir));
    if (org.templatesDir) templateDirs.push(resolveFrom(loaded.baseDir, org.templatesDir));
    sample = {
      org: {
        id: org.id,
        name: org.name,
        manager: { email: org.manager.email.toLowerCase(), ...(org.manager.name ? { name: org.manager.name } : {}) },
        mailbox: org.mailbox.address.toLowerCase(),
        mailboxName: org.mailbox.name ?? `${org.name} escalations`,
        ...(org.managerRole ? { managerRole: org.managerRole } : {}),
        ...(org.phone ? { phone: org.phone } : {}),
      },
      calendar: calendarOf(org),
    };
  } else {
    ladderDirs.push(resolve(io.cwd, 'config/ladders'));
  }
  if (opts.dir) ladderDirs.push(resolve(io.cwd, opts.dir));
  if (opts.templates) {
    const dir = resolve(io.cwd, opts.templates);
    if (!existsSync(dir)) throw new CliError(`--templates: no folder ${dir}`);
    templateDirs.push(dir);
  }
  return { ladderDirs, templateDirs, sample };
}

function findLadder(id: string, dirs: string[]): LadderDefinition {
  // Later folders override earlier ones, as the service reads them.
  for (const dir of [...dirs].reverse()) {
    if (!existsSync(dir)) continue;
    const result = readLadderDir(dir);
    const found = result.ladders.get(id);
    if (found) return found;
    const broken = result.problems.filter((p) => p.includes(`${id}.yaml`));
    if (broken.length) throw new CliError(broken.join('\n'));
  }
  throw new CliError(`no ladder "${id}" in ${dirs.join(', ')}`);
}

export async function preview(ladderId: string, rungId: string, opts: PreviewOptions & GlobalOptions, io: CliIo): Promise<void> {
  if (!['standard', 'urgent', 'imminent'].includes(opts.variant)) throw new CliError('--variant must be standard, urgent or imminent');
  const setup = await previewSetup(opts, io);
  const def = findLadder(ladderId, setup.ladderDirs);
  const variant = opts.variant as VariantName;
  if (variant !== 'standard' && !def.variants[variant]) throw new CliError(`ladder ${def.id} has no ${variant} variant`);
  const ladder = effectiveLadder(def, variant);
  const rungIds = [...ladder.rungs.map((r) => r.id), ...(ladder.repeat ? ['repeat'] : [])];
  if (!rungIds.includes(rungId)) throw new CliError(`ladder ${def.id} has no rung "${rungId}" (its rungs: ${rungIds.join(', ')})`);

  let store: TemplateStore;
  try {
    store = new TemplateStore(setup.templateDirs);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const kinds = new Set<string>([
    ...MAIL_KINDS,
    ...store
      .names()
      .filter((n) => n.startsWith('mails/') && store.has(n, 'html'))
      .map((n) => n.slice('mails/'.length)),
  ]);
  if (!kinds.has(opts.kind)) throw new CliError(`--kind must be one of ${[...kinds].join(', ')}`);

  if ((ORG_MAIL_KINDS as readonly string[]).includes(opts.kind)) {
    let sample;
    try {
      sample = renderOrgSample(store, opts.kind as OrgMailKind, {
        ladder: def,
        rung: rungId,
        variant,
        calendar: setup.sample.calendar ?? sampleCalendar(),
        org: setup.sample.org ?? sampleOrgFor(def.id),
      });
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    const head = [`Subject: ${sample.mail.subject}`, `To: ${sample.to}`, ...(sample.cc ? [`Cc: ${sample.cc}`] : [])];
    io.out([...head, '', opts.html ? sample.mail.html : sample.mail.text].join('\n'));
    return;
  }

  let mail;
  try {
    mail = renderSample(store, opts.kind as MailKind, {
      ladder: def,
      rung: rungId,
      variant,
      calendar: setup.sample.calendar ?? sampleCalendar(),
      org: setup.sample.org ?? sampleOrgFor(def.id),
    });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const { to, cc } = recipientsOf(mail.sample.intent);
  const lines = [`Subject: ${mail.subject}`, `To: ${to}`];
  if (cc) lines.push(`Cc: ${cc}`);
  lines.push('', opts.html ? mail.html : mail.text);
  io.out(lines.join('\n'));
}
