import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebConfig } from '../config/config-schema.js';
import { Repositories } from '../db/repositories/index.js';
import type { CaseRow } from '../db/entities/types.js';
import { ladderFor } from '../domain/case/advance.js';
import { must } from '../lib/must.js';
import { currentStep, rungOf } from '../domain/case/timetable.js';
import { caseFacts } from '../reports/case-facts.js';
import { toCsv } from '../reports/csv.js';
import { buildEvidencePack } from '../reports/evidence-pack.js';
import { ChromiumMissing, htmlToPdf } from '../reports/pdf.js';
import { renderEvidenceHtml } from '../reports/render.js';
import { spreadsheetRows, spreadsheetTable } from '../reports/spreadsheet.js';
import { runCaseCommand } from '../workflows/case-actions.js';
import { loadDraftChaser, showCase } from '../workflows/case-queries.js';
import { loadEvidence } from '../workflows/report-queries.js';
import type { Access } from './access.js';
import { nextActionText } from './board.js';
import { holdNotes } from './hold-notes.js';
import { ACTION_TEXT, actionsFor, commandFor, isWebAction, type WebAction } from './case-actions.js';
import { casePageBody, confirmBody } from './pages/case-page.js';
import { layout, messagePage } from './pages/layout.js';
import { requireUser, type WebDeps } from './guard.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The case named in the path, if the user may see it. Another organisation's case is "not found", the same as none: its existence is not told. */
async function visibleCase(req: FastifyRequest, reply: FastifyReply, web: WebConfig, deps: WebDeps): Promise<{ access: Access; row: CaseRow } | undefined> {
  const access = requireUser(req, reply, web);
  if (!access) return undefined;
  const ref = (req.params as { ref: string }).ref;
  const row = /^[A-Za-z0-9-]{1,40}$/.test(ref) ? await Repositories.open(deps.orm).cases.findByRef(ref) : null;
  if (!row || !access.canRead(row.organisation)) {
    void reply
      .code(404)
      .type('text/html')
      .send(messagePage('Not found', 'There is no such case, or you may not see it.', { link: { href: '/', label: 'Back to the cases' } }));
    return undefined;
  }
  return { access, row };
}

function refuseActing(reply: FastifyReply, ref: string): FastifyReply {
  return reply
    .code(403)
    .type('text/html')
    .send(
      messagePage('Not allowed', 'Your role can read this case but not act on it, so nothing was done.', {
        link: { href: `/cases/${ref}`, label: 'Back to the case' },
      }),
    );
}

function fieldsOf(source: Record<string, unknown>): { until?: string; days?: string } {
  const s = (v: unknown) => (typeof v === 'string' && v.length <= 20 ? v : undefined);
  const until = s(source.until);
  const days = s(source.days);
  return { ...(until ? { until } : {}), ...(days ? { days } : {}) };
}

export function registerCaseRoutes(app: FastifyInstance, web: WebConfig, deps: WebDeps): void {
  app.get('/cases/:ref', async (req, reply) => {
    const found = await visibleCase(req, reply, web, deps);
    if (!found) return reply;
    const { access, row } = found;
    const now = deps.clock.now();
    const em = deps.orm.em.fork();
    // visibleCase found the row a moment ago, and cases are never deleted.
    const view = must(await showCase(em, deps.orgs, row.ref, now, deps.logger), `case ${row.ref}`);
    const data = must(await loadEvidence(em, deps.orgs, row.ref, now, access.user.email, deps.logger), `evidence of case ${row.ref}`);
    const evidence = buildEvidencePack(data.input);
    const facts = caseFacts(row.state, data.input.ctx);
    const next = nextActionText(facts, (iso) => data.org.calendar.format(new Date(iso)));
    const done = (req.query as { done?: unknown }).done;
    let outcome;
    if (typeof done === 'string' && UUID.test(done)) {
      const action = await Repositories.open(deps.orm).webActions.find(done);
      if (action?.caseId === row.id && action.actor === access.user.email) outcome = { ok: action.ok, messages: action.messages, repeated: false };
    }
    const body = casePageBody({
      view,
      evidence,
      actions: actionsFor(row.status, !!facts.awaitingApproval),
      canAct: access.canAct(row.organisation),
      nextActionText: next.when ? `${next.what}, ${next.when}` : next.what,
      subject: facts.subject,
      rungTitle: facts.current?.title ?? (facts.highest ? `${facts.highest.title} (the top of the ladder)` : '–'),
      openedText: data.org.calendar.format(new Date(facts.openedAt)),
      holds: holdNotes(
        row.state,
        (iso) => data.org.calendar.format(new Date(iso)),
        (day) => data.org.calendar.formatDate(data.org.calendar.openingOf(day)),
      ),
      ...(outcome ? { outcome } : {}),
    });
    return reply.type('text/html').send(layout({ title: row.ref, access, csrf: reply.generateCsrf(), body, breadcrumbs: [{ href: '/', label: 'Cases' }] }));
  });

  app.get('/cases/:ref/confirm', async (req, reply) => {
    const found = await visibleCase(req, reply, web, deps);
    if (!found) return reply;
    const { access, row } = found;
    if (!access.canAct(row.organisation)) return refuseActing(reply, row.ref);
    const q = req.query as Record<string, unknown>;
    if (!isWebAction(q.action)) return reply.code(400).type('text/html').send(messagePage('Sorry', 'No such action.'));
    const action: WebAction = q.action;
    const fields = fieldsOf(q);
    const command = commandFor(action, fields);
    const org = deps.orgs.get(row.organisation);
    const ctx = org.caseContext(row.ladderId, deps.clock.now());
    const step = currentStep(row.state);
    let what = `Case ${row.ref}: ${ACTION_TEXT[action].confirm.toLowerCase()}.`;
    let draft;
    if (action === 'approve' || action === 'skip') {
      if (step?.status === 'awaiting-approval') {
        const rung = rungOf(ladderFor(row.state, ctx), step);
        draft = await loadDraftChaser(deps.orm.em.fork(), row.id, step.n);
        what =
          action === 'approve'
            ? `“${rung.title}” goes to its recipients as shown below.`
            : `“${rung.title}” is skipped: nothing is sent to its recipients, and the later steps go on.`;
      }
    }
    if (action === 'not-done')
      what =
        row.status === 'awaiting-confirmation'
          ? `The reply is not enough: ${row.ref} stops waiting for your confirmation, the steps held while it waited come back to where they stood, and the reminders go on. The reply stays on the record.`
          : `Nothing on ${row.ref} is waiting for your confirmation, so there is nothing to say NOT DONE to.`;
    if (action === 'pause' && typeof command !== 'string')
      what = `Case ${row.ref} is paused until ${fields.until}; the steps after it move back by the paused time.`;
    if (action === 'extend' && typeof command !== 'string')
      what = `The next step of ${row.ref} moves back by ${fields.days} day(s) of the ladder’s clock, and the steps after it with it.`;
    const body = confirmBody({
      ref: row.ref,
      action,
      fields: fields,
      key: randomUUID(),
      csrf: reply.generateCsrf(),
      what,
      ...(draft ? { draft } : {}),
      ...(typeof command === 'string' ? { problem: command } : {}),
    });
    return reply.type('text/html').send(
      layout({
        title: `${ACTION_TEXT[action].confirm}?`,
        access,
        csrf: reply.generateCsrf(),
        body,
        breadcrumbs: [
          { href: '/', label: 'Cases' },
          { href: `/cases/${row.ref}`, label: row.ref },
        ],
      }),
    );
  });

  app.post(
    '/cases/:ref/act',
    {
      preHandler: (req, reply, done) => {
        app.csrfProtection(req, reply, done);
      },
    },
    async (req, reply) => {
      const found = await visibleCase(req, reply, web, deps);
      if (!found) return reply;
      const { access, row } = found;
      if (!access.canAct(row.organisation)) return refuseActing(reply, row.ref);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const key = typeof body.key === 'string' ? body.key : '';
      if (!isWebAction(body.action) || !UUID.test(key))
        return reply.code(400).type('text/html').send(messagePage('Sorry', 'The form was incomplete; nothing was done.'));
      const command = commandFor(body.action, fieldsOf(body));
      if (typeof command === 'string') return reply.code(400).type('text/html').send(messagePage('Sorry', command));
      const result = await runCaseCommand(deps, row.ref, command, access.user.email, { via: 'web', once: { key, action: body.action } });
      deps.logger.info({ ref: row.ref, action: body.action, ok: result.ok, repeated: !!result.repeated, sub: access.user.sub }, 'web action');
      return reply.redirect(`/cases/${row.ref}?done=${key}`, 303);
    },
  );

  const evidenceHtml = async (access: Access, row: CaseRow): Promise<string> => {
    const data = must(
      await loadEvidence(deps.orm.em.fork(), deps.orgs, row.ref, deps.clock.now(), access.user.email, deps.logger),
      `evidence of case ${row.ref}`,
    );
    return renderEvidenceHtml(data.org.templates, buildEvidencePack(data.input));
  };

  app.get('/cases/:ref/evidence.html', async (req, reply) => {
    const found = await visibleCase(req, reply, web, deps);
    if (!found) return reply;
    const page = await evidenceHtml(found.access, found.row);
    // The pack is its own self-contained page (inline styles, no scripts): its own policy, as a download.
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('content-disposition', `attachment; filename="${found.row.ref}-evidence.html"`)
      .send(page);
  });

  app.get('/cases/:ref/evidence.pdf', async (req, reply) => {
    const found = await visibleCase(req, reply, web, deps);
    if (!found) return reply;
    let pdf: Buffer;
    try {
      pdf = await htmlToPdf(await evidenceHtml(found.access, found.row));
    } catch (error) {
      if (error instanceof ChromiumMissing) return reply.code(503).type('text/html').send(messagePage('PDF not available', error.message));
      throw error;
    }
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${found.row.ref}-evidence.pdf"`).send(pdf);
  });

  app.get('/cases/:ref/case.csv', async (req, reply) => {
    const found = await visibleCase(req, reply, web, deps);
    if (!found) return reply;
    const org = deps.orgs.get(found.row.organisation);
    const now = deps.clock.now();
    const rows = spreadsheetRows([caseFacts(found.row.state, org.caseContext(found.row.ladderId, now))], (id) => deps.orgs.get(id).calendar, now);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${found.row.ref}.csv"`)
      .send(toCsv(spreadsheetTable(rows)));
  });
}
