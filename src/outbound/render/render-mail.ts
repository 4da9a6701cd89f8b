import type { MailIntent } from '../../domain/case/decision.js';
import type { MailContext } from './mail-context.js';
import { strictContext } from './strict-context.js';
import type { TemplateStore } from '../../lib/template-store.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Chasers use their rung's own template; every other mail kind has one template set. */
export function templateNameFor(intent: Pick<MailIntent, 'kind'>, rungTemplate?: string): { subject: string; body: string } {
  if (intent.kind === 'chaser') {
    if (!rungTemplate) throw new Error('a chaser needs its rung template');
    return { subject: 'mails/chaser', body: `rungs/${rungTemplate}` };
  }
  return { subject: `mails/${intent.kind}`, body: `mails/${intent.kind}` };
}

/**
 * Renders a mail's subject, text and HTML from one context. Any key a template reads that the
 * context lacks fails the render, in a condition as much as in print (see strict-context.ts).
 */
export function renderMail(store: TemplateStore, names: { subject: string; body: string }, mailContext: MailContext): RenderedMail {
  const context = strictContext(mailContext);
  const subject = store.render(names.subject, 'subject', context).replace(/\s+/g, ' ').trim();
  const text = store
    .render(names.body, 'text', context)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const html = store.render(names.body, 'html', context);
  return { subject, text: `${text}\n`, html };
}
