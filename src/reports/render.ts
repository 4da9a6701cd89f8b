import type { TemplateStore } from '../lib/template-store.js';
import type { RenderedMail } from '../outbound/render/render-mail.js';
import type { DigestModel } from './digest.js';
import type { EvidenceModel } from './evidence-pack.js';
import type { ThemesModel } from './themes.js';

/**
 * Reports are laid out by Handlebars templates like the mails (an organisation's template folder
 * may override them). HTML renders escape every value; nothing here uses triple-stash, so text
 * that came from an email can never become markup.
 */
export function renderDigestMail(store: TemplateStore, model: DigestModel): RenderedMail {
  const name = 'mails/weekly-digest';
  const subject = store.render(name, 'subject', model).replace(/\s+/g, ' ').trim();
  const text = store
    .render(name, 'text', model)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { subject, text: `${text}\n`, html: store.render(name, 'html', model) };
}

export function renderEvidenceHtml(store: TemplateStore, model: EvidenceModel): string {
  return store.render('reports/evidence-pack', 'html', model);
}

export function renderThemesHtml(store: TemplateStore, model: ThemesModel): string {
  return store.render('reports/themes', 'html', model);
}
