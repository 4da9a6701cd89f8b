import type { EvidenceModel, MessageView } from '../../reports/evidence-pack.js';
import type { CaseView, DraftView } from '../../workflows/case-queries.js';
import { html, type Html } from '../html.js';
import { ACTION_TEXT, type WebAction } from '../case-actions.js';
import { messageKindText, replyClassText } from '../message-labels.js';
import { sizeText } from '../../outbound/compose/forward-attachments.js';

export interface CasePageInput {
  view: CaseView;
  evidence: EvidenceModel;
  actions: WebAction[];
  canAct: boolean;
  nextActionText: string;
  /** The request's subject as people read it (no Re:, no [escalate]). */
  subject: string;
  rungTitle: string;
  openedText: string;
  /** Why the timetable is held as a whole (a pause, your confirmation, a promise…), in words. */
  holds: string[];
  /** The result of the action just taken (after its redirect). */
  outcome?: { ok: boolean; messages: string[]; repeated: boolean };
}

const CASE_STATUS: Record<string, string> = {
  open: 'Open',
  paused: 'Paused',
  'awaiting-confirmation': 'Awaiting confirmation',
  resolved: 'Resolved',
  closed: 'Closed',
};

const STATUS_TEXT: Record<string, string> = {
  planned: 'Planned',
  held: 'Held',
  'awaiting-approval': 'Draft waiting for approval',
  sent: 'Sent',
  skipped: 'Skipped',
  'not-applicable': 'Not needed',
};

function files(m: MessageView): Html {
  if (m.files.length === 0) return html``;
  return html`<dt>Attachments</dt>
    <dd>
      <ul class="files">
        ${m.files.map((f) => html`<li>${f.name}${f.bytes !== null ? html` <span class="size">(${sizeText(f.bytes)})</span>` : ''}</li>`)}
      </ul>
    </dd>`;
}

/** How the service read a message: its class and the words the classifier quoted, the commands in it, or the automatic mail it was. */
function reading(m: MessageView): Html {
  const r = m.reading;
  if (!r) return html``;
  return html`${
    r.class
      ? html`<dt>Classification</dt>
          <dd class="class">${replyClassText(r.class)}${r.promiseDate ? html` (${r.promiseDate})` : ''}</dd>
          <dt>Evidence</dt>
          <dd>${r.evidence ? html`<q class="evidence">${r.evidence}</q>` : html`<span class="hint">no phrase decided it</span>`}</dd>`
      : ''
  }${
    r.commands?.length
      ? html`<dt>Commands</dt>
          <dd>${r.commands.map((c) => c.toUpperCase().replace(/-/g, ' ')).join(', ')}</dd>`
      : ''
  }${
    r.automatic
      ? html`<dt>Automatic</dt>
          <dd>${r.automatic}</dd>`
      : ''
  }`;
}

function message(m: MessageView): Html {
  return html`<article class="msg msg-${m.direction}">
    <h3><span class="dir">${m.directionLabel}</span> ${m.subject || '(no subject)'}</h3>
    <dl class="meta">
      <dt>From</dt>
      <dd>${m.from || '–'}</dd>
      <dt>To</dt>
      <dd>${m.to || '–'}</dd>
      ${
        m.cc
          ? html`<dt>Cc</dt>
              <dd>${m.cc}</dd>`
          : ''
      }
      <dt>${m.direction === 'in' ? 'Taken as' : 'Kind'}</dt>
      <dd>${messageKindText(m.direction, m.label)}${m.direction === 'out' && m.status !== 'sent' ? html` (${m.status})` : ''}</dd>
      ${reading(m)} ${files(m)}
    </dl>
    ${
      m.brief
        ? html`<p class="hint">Not shown: ${m.hashNote || 'from someone not on the case, or not read'} (${m.size}).</p>`
        : !m.text
          ? ''
          : m.direction === 'out'
            ? html`<details class="mailtext">
                <summary>The text as sent</summary>
                <pre class="text">${m.text}</pre>
              </details>`
            : html`<pre class="text">${m.text}</pre>`
    }
  </article>`;
}

function actionLinks(input: CasePageInput): Html {
  const ref = input.view.ref;
  if (!input.canAct) return html`<p class="hint">You can read this case; your role cannot act on it.</p>`;
  return html`<ul class="action-list">
    ${input.actions.map((a) => {
      if (a === 'pause')
        return html`<li>
          <form method="get" action="/cases/${ref}/confirm">
            <input type="hidden" name="action" value="pause" /><label for="a-until">Pause until</label> <input id="a-until" type="date" name="until" required />
            <button type="submit">Pause…</button>
          </form>
        </li>`;
      if (a === 'extend')
        return html`<li>
          <form method="get" action="/cases/${ref}/confirm">
            <input type="hidden" name="action" value="extend" /><label for="a-days">Extend by (days)</label>
            <input id="a-days" type="number" name="days" min="1" max="90" value="5" inputmode="numeric" required /> <button type="submit">Extend…</button>
          </form>
        </li>`;
      return html`<li><a class="button${a === 'approve' ? ' primary' : ''}" href="/cases/${ref}/confirm?action=${a}">${ACTION_TEXT[a].button}</a></li>`;
    })}
  </ul>`;
}

export function casePageBody(input: CasePageInput): Html {
  const v = input.view;
  const e = input.evidence;
  const o = input.outcome;
  return html`${
      o
        ? html`<div class="notice ${o.ok ? 'ok' : 'bad'}" role="status">
            <p>${o.repeated ? 'This was already done; nothing was done again. ' : ''}${o.ok ? 'Done.' : 'Nothing changed:'}</p>
            ${
              o.messages.length
                ? html`<ul>
                    ${o.messages.map((m) => html`<li>${m}</li>`)}
                  </ul>`
                : ''
            }
          </div>`
        : ''
    }
    <h1>${v.ref} <span class="subject">${input.subject}</span></h1>
    <dl class="facts">
      <dt>Status</dt>
      <dd>${CASE_STATUS[v.status] ?? v.status}</dd>
      <dt>Ladder</dt>
      <dd>${e.ladder.title}${v.variant !== 'standard' ? html` (${v.variant})` : ''}</dd>
      <dt>Current rung</dt>
      <dd>${input.rungTitle}</dd>
      <dt>Next action</dt>
      <dd>${input.nextActionText}</dd>
      <dt>Child reference</dt>
      <dd>${e.case.childRef || '–'}</dd>
      <dt>Opened</dt>
      <dd>${input.openedText}</dd>
    </dl>
    <section aria-labelledby="h-actions">
      <h2 id="h-actions">Act on this case</h2>
      ${actionLinks(input)}
      <p class="downloads">
        Evidence pack: <a href="/cases/${v.ref}/evidence.html">HTML</a> · <a href="/cases/${v.ref}/evidence.pdf">PDF</a> ·
        <a href="/cases/${v.ref}/case.csv">this case as CSV</a>
      </p>
    </section>
    <section aria-labelledby="h-timetable">
      <h2 id="h-timetable">Timetable</h2>
      ${
        input.holds.length
          ? html`<ul class="holds">
              ${input.holds.map((h) => html`<li>${h}</li>`)}
            </ul>`
          : ''
      }
      <table class="timetable">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">When</th>
            <th scope="col">To</th>
          </tr>
        </thead>
        <tbody>
          ${v.timetable.map(
            (r) =>
              html`<tr class="st-${r.status}">
                <td data-label="#">${r.n}</td>
                <th scope="row" data-label="Step">${r.title}</th>
                <td data-label="Status">${STATUS_TEXT[r.status] ?? r.status}</td>
                <td data-label="When">${r.atText}${r.deadlineText ? html`<br /><span class="hint">reply asked for by ${r.deadlineText}</span>` : ''}</td>
                <td data-label="To">
                  ${r.to.map((t, i) => html`${i ? '; ' : ''}${t.label}${t.emails.length ? html` <span class="addr">${t.emails.join(', ')}</span>` : html` <span class="warn">(no address)</span>`}`)}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section aria-labelledby="h-people">
      <h2 id="h-people">Participants</h2>
      <table class="people">
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
          </tr>
        </thead>
        <tbody>
          ${v.participants.map(
            (p) =>
              html`<tr>
                <th scope="row" data-label="Role">${p.label}</th>
                <td data-label="Who">
                  ${p.name ? `${p.name} <${p.email}>` : p.email}${p.undeliverable ? html` <span class="warn">(undeliverable)</span>` : ''}
                </td>
                <td data-label="From">${p.source}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
    <section aria-labelledby="h-history">
      <h2 id="h-history">Messages and events, in order</h2>
      <ol class="chronology">
        ${e.chronology.map(
          (c) =>
            html`<li>
              <p class="at">${c.at}</p>
              ${
                c.message
                  ? message(c.message)
                  : c.event
                    ? html`<div class="event">
                        <p><strong>${c.event.label}</strong> <span class="actor">by ${c.event.actor}</span></p>
                        ${c.event.summary ? html`<p>${c.event.summary}</p>` : ''}
                      </div>`
                    : ''
              }
            </li>`,
        )}
      </ol>
    </section>`;
}

export interface ConfirmInput {
  ref: string;
  action: WebAction;
  /** The fields carried to the POST (the date, the days). */
  fields: Record<string, string>;
  key: string;
  csrf: string;
  what: string;
  draft?: DraftView;
  problem?: string;
}

export function confirmBody(c: ConfirmInput): Html {
  const text = ACTION_TEXT[c.action];
  return html`<h1>${text.confirm}?</h1>
    <p>${c.what}</p>
    <p class="hint">
      This is what replying <strong>${text.mail}</strong> by email does: the same rule, the same record on the case, with you as the person who did it.
    </p>
    ${
      c.draft
        ? html`<section aria-labelledby="h-draft" class="draft">
            <h2 id="h-draft">The draft, exactly as it will be sent</h2>
            <dl class="meta">
              <dt>From</dt>
              <dd>${c.draft.from}</dd>
              <dt>To</dt>
              <dd>${c.draft.to.join(', ')}</dd>
              ${
                c.draft.cc.length
                  ? html`<dt>Cc</dt>
                      <dd>${c.draft.cc.join(', ')}</dd>`
                  : ''
              }
              <dt>Subject</dt>
              <dd>${c.draft.subject}</dd>
            </dl>
            <pre class="text">${c.draft.text}</pre>
          </section>`
        : ''
    }
    ${
      c.problem
        ? html`<p class="warn" role="alert">${c.problem}</p>
            <p><a class="button" href="/cases/${c.ref}">Back to the case</a></p>`
        : html`<form method="post" action="/cases/${c.ref}/act" class="confirm">
            <input type="hidden" name="_csrf" value="${c.csrf}" />
            <input type="hidden" name="key" value="${c.key}" />
            <input type="hidden" name="action" value="${c.action}" />
            ${Object.entries(c.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
            <button type="submit" class="primary">${text.confirm}</button> <a href="/cases/${c.ref}">Cancel</a>
          </form>`
    }`;
}
