import type { CaseFacts } from '../../reports/case-facts.js';
import { html, query, type Html } from '../html.js';
import { nextActionText, STATUS_FILTERS, type BoardFilter, type BoardGroup } from '../board.js';

const STATUS_LABEL: Record<string, string> = {
  open: 'Open (any not finished)',
  paused: 'Paused',
  'awaiting-confirmation': 'Awaiting confirmation',
  resolved: 'Resolved',
  closed: 'Closed',
  all: 'All',
};

export interface BoardPageInput {
  groups: BoardGroup[];
  filter: BoardFilter;
  choices: { ladders: { id: string; title: string }[]; authorities: string[] };
  format(orgId: string, iso: string): string;
  total: number;
}

function nextAction(f: CaseFacts, format: (iso: string) => string): Html {
  const next = nextActionText(f, format);
  return html`${next.what}${next.when ? html` <span class="when">${next.when}</span>` : ''}`;
}

function chased(f: CaseFacts): Html {
  const to = f.current?.to ?? [];
  if (to.length === 0) return html`–`;
  return html`${to.map((r, i) => html`${i ? '; ' : ''}${r.label}${r.emails.length ? html` <span class="addr">${r.emails.join(', ')}</span>` : html` <span class="warn">(no address)</span>`}`)}`;
}

function table(g: BoardGroup, input: BoardPageInput): Html {
  return html`<section class="group" aria-labelledby="g-${g.id}">
    <h2 id="g-${g.id}">${g.title} <span class="count">${g.cases.length}</span></h2>
    ${g.hint ? html`<p class="hint">${g.hint}</p>` : ''}
    <table class="cases">
      <thead>
        <tr>
          <th scope="col">Reference</th>
          <th scope="col">Ladder</th>
          <th scope="col">Current rung</th>
          <th scope="col">Who is chased</th>
          <th scope="col">Next action</th>
        </tr>
      </thead>
      <tbody>
        ${g.cases.map(
          (f) =>
            html`<tr>
              <th scope="row" data-label="Reference"><a href="/cases/${f.ref}">${f.ref}</a><span class="subject">${f.subject}</span></th>
              <td data-label="Ladder">${f.ladderTitle}${f.variant !== 'standard' ? html` <span class="tag">${f.variant}</span>` : ''}</td>
              <td data-label="Current rung">${f.current ? f.current.title : f.highest ? html`${f.highest.title} <span class="when">(top)</span>` : '–'}</td>
              <td data-label="Who is chased">${chased(f)}</td>
              <td data-label="Next action">${nextAction(f, (iso) => input.format(f.orgId, iso))}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

export function boardBody(input: BoardPageInput): Html {
  const f = input.filter;
  const shown = input.groups.reduce((n, g) => n + g.cases.length, 0);
  const exportHref = `/export.csv${query({ ladder: f.ladder, authority: f.authority, status: f.status })}`;
  return html`<h1>Cases</h1>
    <form class="filters" method="get" action="/" role="search" aria-label="Filter cases">
      <div>
        <label for="f-ladder">Ladder</label>
        <select id="f-ladder" name="ladder">
          <option value="">All ladders</option>
          ${input.choices.ladders.map((l) => html`<option value="${l.id}" ${l.id === f.ladder ? html` selected` : ''}>${l.title}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-authority">Local authority</label>
        <select id="f-authority" name="authority">
          <option value="">All authorities</option>
          ${input.choices.authorities.map((a) => html`<option value="${a}" ${a === f.authority ? html` selected` : ''}>${a}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-status">Status</label>
        <select id="f-status" name="status">
          ${STATUS_FILTERS.map((s) => html`<option value="${s}" ${s === (f.status ?? 'open') ? html` selected` : ''}>${STATUS_LABEL[s]}</option>`)}
        </select>
      </div>
      <div class="actions"><button type="submit">Show</button> <a href="/">Clear</a></div>
    </form>
    <p class="summary">
      ${shown} of ${input.total} case${input.total === 1 ? '' : 's'} shown. <a href="${exportHref}">Download these as a spreadsheet (CSV)</a>
    </p>
    ${shown === 0 ? html`<p class="empty">No case matches.</p>` : input.groups.map((g) => table(g, input))}`;
}
