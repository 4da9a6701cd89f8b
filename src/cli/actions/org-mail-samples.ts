import { DateTime } from 'luxon';
import type { TemplateStore } from '../../lib/template-store.js';
import type { RenderedMail } from '../../outbound/render/render-mail.js';
import { renderSample, sampleCalendar, sampleCase, sampleOrgFor, type SampleOptions } from '../../outbound/render/sample-case.js';
import { caseFacts } from '../../reports/case-facts.js';
import { buildDigest } from '../../reports/digest.js';
import { renderDigestMail } from '../../reports/render.js';
import { chaserBundleModel } from '../../workflows/chaser-bundle.js';

/** Mails that belong to an organisation rather than one case, rendered from sample cases on a real ladder. */
export const ORG_MAIL_KINDS = ['weekly-digest', 'chaser-bundle'] as const;
export type OrgMailKind = (typeof ORG_MAIL_KINDS)[number];

export interface OrgSample {
  mail: RenderedMail;
  to: string;
  cc?: string;
}

const list = (cs: { name?: string | undefined; email: string }[]) => cs.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', ');

/**
 * The weekly digest over three sample cases on the ladder (opened a day apart, each at a later
 * rung), as the Monday morning digest sees them; or the combined chaser of two cases whose chasers
 * at `rung` go to the same people.
 */
export function renderOrgSample(
  store: TemplateStore,
  kind: OrgMailKind,
  opts: Pick<SampleOptions, 'ladder' | 'rung' | 'variant' | 'calendar' | 'org'>,
): OrgSample {
  const calendar = opts.calendar ?? sampleCalendar();
  const org = opts.org ?? sampleOrgFor(opts.ladder.id);
  if (kind === 'weekly-digest') {
    // Three cases opened a week apart, at the first, second and third rung of the ladder by the
    // Monday morning after the last of them fired.
    const cases = opts.ladder.rungs
      .slice(0, 3)
      .map((r, i) => sampleCase({ ...opts, calendar, org, rung: r.id, start: new Date(Date.UTC(2026, 10, 2 + 7 * (2 - i), 10)) }));
    const latest = Math.max(...cases.map((c) => c.firedAt.getTime()));
    const now = DateTime.fromMillis(latest, { zone: calendar.timezone }).startOf('week').plus({ weeks: 1 }).set({ hour: 8 }).toJSDate();
    const facts = cases.map((s, i) => caseFacts({ ...s.fired.state, id: `sample-${i}`, ref: `ESC-2026-00${42 + i}` }, s.context(now)));
    const model = buildDigest(facts, { now, calendar, org: { id: org.id, name: org.name, mailbox: org.mailbox, manager: org.manager } });
    return { mail: renderDigestMail(store, model), to: list([org.manager]) };
  }
  const chaser = (i: number) => {
    const mail = renderSample(store, 'chaser', { ...opts, calendar, org, start: new Date(Date.UTC(2026, 10, 2 + i, 10)) });
    const ref = `ESC-2026-00${42 + i}`;
    return { mail, ref };
  };
  const firstChaser = chaser(0);
  const chasers = [firstChaser, chaser(1)];
  const first = firstChaser.mail.sample.intent;
  const model = chaserBundleModel(
    { name: org.name, mailbox: org.mailbox },
    chasers.map((c) => ({ ref: c.ref, subject: c.mail.subject.replace(/\[ESC-\d{4}-\d{4}\]/, `[${c.ref}]`), text: c.mail.text.trim() })),
  );
  const mail = {
    subject: store.render('mails/chaser-bundle', 'subject', model).replace(/\s+/g, ' ').trim(),
    text: `${store.render('mails/chaser-bundle', 'text', model).trim()}\n`,
    html: store.render('mails/chaser-bundle', 'html', model),
  };
  return { mail, to: list(first.to), ...(first.cc.length ? { cc: list(first.cc) } : {}) };
}
