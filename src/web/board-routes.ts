import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebConfig } from '../config/config-schema.js';
import type { CaseFacts } from '../reports/case-facts.js';
import { toCsv } from '../reports/csv.js';
import { spreadsheetRows, spreadsheetTable } from '../reports/spreadsheet.js';
import { loadCaseFacts } from '../workflows/report-queries.js';
import type { Access } from './access.js';
import { buildBoard, filterChoices, STATUS_FILTERS, type BoardFilter, type StatusFilter } from './board.js';
import { boardBody } from './pages/board-page.js';
import { layout } from './pages/layout.js';
import { requireUser, type WebDeps } from './guard.js';

function readFilter(req: FastifyRequest): BoardFilter {
  const q = req.query as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length < 200 ? v : undefined);
  const status = text(q.status);
  const ladder = text(q.ladder);
  const authority = text(q.authority);
  return {
    ...(ladder ? { ladder } : {}),
    ...(authority ? { authority } : {}),
    ...(status && (STATUS_FILTERS as readonly string[]).includes(status) ? { status: status as StatusFilter } : {}),
  };
}

/** Every case of the organisations the user may see, through the reports' own loader (one query, the same facts). */
async function visibleFacts(access: Access, deps: WebDeps): Promise<CaseFacts[]> {
  const em = deps.orm.em.fork();
  const facts: CaseFacts[] = [];
  for (const orgId of access.organisations) {
    if (!deps.orgs.find(orgId)) continue;
    facts.push(...(await loadCaseFacts(em, deps.orgs, { org: orgId }, deps.clock.now(), deps.logger)).facts);
  }
  return facts;
}

export function registerBoardRoutes(app: FastifyInstance, web: WebConfig, deps: WebDeps): void {
  app.get('/', async (req, reply) => {
    const access = requireUser(req, reply, web);
    if (!access) return reply;
    const facts = await visibleFacts(access, deps);
    const filter = readFilter(req);
    const body = boardBody({
      groups: buildBoard(facts, filter),
      filter,
      choices: filterChoices(facts),
      format: (orgId, iso) => deps.orgs.get(orgId).calendar.format(new Date(iso)),
      total: facts.length,
    });
    return reply.type('text/html').send(layout({ title: 'Cases', access, csrf: reply.generateCsrf(), body }));
  });

  app.get('/export.csv', async (req, reply) => {
    const access = requireUser(req, reply, web);
    if (!access) return reply;
    const facts = await visibleFacts(access, deps);
    const chosen = buildBoard(facts, readFilter(req)).flatMap((g) => g.cases);
    const rows = spreadsheetRows(chosen, (id) => deps.orgs.get(id).calendar, deps.clock.now());
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="escalations.csv"')
      .send(toCsv(spreadsheetTable(rows)));
  });
}
