import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OrgRuntime, Organisations } from '../../runtime/organisations.js';
import type { CaseFacts } from '../../reports/case-facts.js';
import { toCsv } from '../../reports/csv.js';
import { buildEvidencePack } from '../../reports/evidence-pack.js';
import { ChromiumMissing, htmlToPdf } from '../../reports/pdf.js';
import { renderEvidenceHtml, renderThemesHtml } from '../../reports/render.js';
import { spreadsheetRows, spreadsheetTable } from '../../reports/spreadsheet.js';
import { buildThemes, themesTable } from '../../reports/themes.js';
import { localDayRange, parseQuarter } from '../../reports/week.js';
import { sendWeeklyDigest } from '../../workflows/digest-sender.js';
import { loadCaseFacts, loadEvidence, type UnreadableCase } from '../../workflows/report-queries.js';
import { CliError, type CliIo } from '../cli-io.js';
import { withReadOnly, withService, type GlobalOptions } from '../load.js';

function scope(service: { orgs: Organisations }, orgId: string | undefined): OrgRuntime[] {
  if (!orgId) return service.orgs.all();
  const org = service.orgs.find(orgId);
  if (!org)
    throw new CliError(
      `no organisation "${orgId}" in the config (${service.orgs
        .all()
        .map((o) => o.id)
        .join(', ')})`,
    );
  return [org];
}

function formatOption(value: string | undefined, allowed: string[], fallback: string): string {
  const format = (value ?? fallback).toLowerCase();
  if (!allowed.includes(format)) throw new CliError(`--format must be ${allowed.join(' or ')}`);
  return format;
}

/** Writes to --out when given (reporting where), else to standard output. */
function emit(io: CliIo, out: string | undefined, content: string): void {
  if (!out) {
    io.out(content);
    return;
  }
  const path = resolve(io.cwd, out);
  writeFileSync(path, content, 'utf8');
  io.out(`wrote ${path}`);
}

/** A report made without some cases says so (on standard error, so the report itself stays clean). */
function leftOut(io: CliIo, cases: UnreadableCase[]): void {
  for (const c of cases) io.err(`${c.ref} could not be read and is left out of this report (the log says why)`);
}

export function digest(global: GlobalOptions, io: CliIo, o: { org?: string; now?: boolean }): Promise<void> {
  return withService(global, io, async (s) => {
    const orgs = scope(s, o.org);
    if (!o.now) {
      const when = orgs.map(
        (org) => `${org.id}: ${org.config.digest.enabled ? `${org.config.digest.day} at ${org.config.digest.time} (${org.calendar.timezone})` : 'turned off'}`,
      );
      throw new CliError(`the digest goes on its schedule (${when.join('; ')}); add --now to send this week’s now`);
    }
    for (const org of orgs) {
      if (!o.org && !org.config.digest.enabled) {
        io.out(`${org.id}: the digest is turned off (digest.enabled: false); name it with --org to send one anyway`);
        continue;
      }
      const r = await sendWeeklyDigest(s.deps, org.id);
      if (r.status === 'already-sent') io.out(`${org.id}: the digest for ${r.week} was already written; it is not sent twice`);
      else
        io.out(
          `${org.id}: the digest for ${r.week} is written and queued for ${org.manager.email} (${r.counts?.open ?? 0} open, ${r.counts?.needsAction ?? 0} needing action); the workers send it`,
        );
    }
  });
}

export function exportAll(global: GlobalOptions, io: CliIo, o: { format?: string; org?: string; from?: string; to?: string; out?: string }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    formatOption(o.format, ['csv'], 'csv');
    const now = s.clock.now();
    const em = s.orm.em.fork();
    const facts: CaseFacts[] = [];
    for (const org of scope(s, o.org)) {
      let range: { from?: Date; to?: Date };
      try {
        range = localDayRange(o.from, o.to, org.calendar.timezone);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const loaded = await loadCaseFacts(
        em,
        s.orgs,
        { org: org.id, ...(range.from ? { openedFrom: range.from } : {}), ...(range.to ? { openedTo: range.to } : {}) },
        now,
        s.logger,
      );
      facts.push(...loaded.facts);
      leftOut(io, loaded.unreadable);
    }
    const rows = spreadsheetRows(facts, (id) => s.orgs.get(id).calendar, now);
    emit(io, o.out, toCsv(spreadsheetTable(rows)));
  });
}

export function themes(global: GlobalOptions, io: CliIo, o: { quarter: string; format?: string; org?: string; ladder?: string; out?: string }): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const format = formatOption(o.format, ['html', 'csv'], 'html');
    const orgs = scope(s, o.org);
    const first = orgs[0];
    if (!first) throw new CliError('no organisation in the config');
    let quarter;
    try {
      quarter = parseQuarter(o.quarter, first.calendar.timezone);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    let ladder: { id: string; title: string } | undefined;
    if (o.ladder) {
      const id = o.ladder;
      const def = orgs.map((org) => org.ladders.get(org.id, id)).find((d) => d !== undefined);
      if (!def) throw new CliError(`--ladder: no ladder "${id}" in ${o.org ? `organisation ${o.org}` : 'any organisation'}`);
      ladder = { id, title: def.title };
    }
    const now = s.clock.now();
    const em = s.orm.em.fork();
    const facts: CaseFacts[] = [];
    for (const org of orgs) {
      const loaded = await loadCaseFacts(em, s.orgs, { org: org.id }, now, s.logger);
      facts.push(...loaded.facts);
      leftOut(io, loaded.unreadable);
    }
    const model = buildThemes(facts, {
      quarter,
      calendar: first.calendar,
      calendarFor: (id) => s.orgs.get(id).calendar,
      organisations: orgs.map((org) => org.name),
      ...(ladder ? { ladder } : {}),
      now,
    });
    emit(io, o.out, format === 'csv' ? toCsv(themesTable(model)) : renderThemesHtml(first.templates, model));
  });
}

export function caseHistory(global: GlobalOptions, io: CliIo, ref: string, o: { format?: string; out?: string }, actor: string): Promise<void> {
  return withReadOnly(global, io, async (s) => {
    const format = formatOption(o.format, ['html', 'pdf'], 'html');
    const data = await loadEvidence(s.orm.em.fork(), s.orgs, ref, s.clock.now(), actor, s.logger);
    if (!data) throw new CliError(`no case ${ref}`);
    const html = renderEvidenceHtml(data.org.templates, buildEvidencePack(data.input));
    if (format === 'html') {
      emit(io, o.out, html);
      return;
    }
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(html, { env: io.env });
    } catch (error) {
      if (error instanceof ChromiumMissing) throw new CliError(error.message);
      throw error;
    }
    const path = resolve(io.cwd, o.out ?? `${data.row.ref}.pdf`);
    writeFileSync(path, pdf);
    io.out(`wrote ${path} (${pdf.length} bytes)`);
  });
}
