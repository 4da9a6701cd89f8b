/**
 * `npm run screenshots`: what readers see. Renders every kind of mail from the real templates and
 * realistic fictional cases (src/outbound/render/sample-case.ts), at 1000 px (a desktop mail
 * client) and 400 px (a phone), and the evidence pack of a six-working-day case as PDF pages, into
 * var/screenshots/ (gitignored). Uses Debian's Chromium (CHROMIUM_PATH overrides) through
 * playwright-core; PDF pages go through pdftoppm when poppler-utils is installed, else the HTML
 * pack is shot as printed (print media, A4 width). The web case view's pages (scripts/web-screenshots.ts)
 * go to var/screenshots/web/ at 1200 and 400 px; they need the test services running.
 *
 *   npm run screenshots [-- --only chaser] [-- --out var/screenshots]
 *
 * Every page here is made from fixture data, never from mail anyone sent, so Chromium runs without
 * its sandbox when this runs as root (the sandbox refuses root; the service's own PDF printer
 * instead runs Chromium as an unprivileged account, see src/reports/pdf.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { readLadderDir } from '../src/config/load-ladders.js';
import type { MailKind } from '../src/domain/case/decision.js';
import type { LadderDefinition, VariantName } from '../src/domain/ladder/ladder-schema.js';
import { DEFAULT_TEMPLATE_DIR, TemplateStore } from '../src/lib/template-store.js';
import { MAIL_KINDS, renderSample, sampleCalendar, sampleCase, sampleOrgFor } from '../src/outbound/render/sample-case.js';
import { caseFacts } from '../src/reports/case-facts.js';
import { buildDigest } from '../src/reports/digest.js';
import { buildEvidencePack } from '../src/reports/evidence-pack.js';
import { findChromium, htmlToPdf } from '../src/reports/pdf.js';
import { renderDigestMail, renderEvidenceHtml } from '../src/reports/render.js';
import { sampleEvidence } from '../src/workflows/evidence-sample.js';
import { shootWebPages } from './web-screenshots.js';

const args = process.argv.slice(2);
const valueOf = (flag: string) => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const only = valueOf('--only');
const out = resolve(valueOf('--out') ?? 'var/screenshots');
const WIDTHS = [1000, 400] as const;

const store = new TemplateStore([DEFAULT_TEMPLATE_DIR]);
const loaded = readLadderDir(resolve('config/ladders'));
const ladder = (id: string): LadderDefinition => {
  const def = loaded.ladders.get(id);
  if (!def) throw new Error(`no ladder ${id}`);
  return def;
};

interface Page {
  /** File name without extension: `<kind>--<ladder>-<rung>`. */
  name: string;
  subject: string;
  html: string;
}

/** Which rung each case-level kind is shown at: where a reader usually meets it. */
const SHOWN_AT: Partial<Record<MailKind, { ladder: string; rung: string; variant?: VariantName }>> = {
  'approval-request': { ladder: 'childrens-home-reg5', rung: 'dcs' },
  'approval-reminder': { ladder: 'childrens-home-reg5', rung: 'dcs' },
  'kept-informed': { ladder: 'foster-carer-concern', rung: 'stage-2' },
  'confirm-request': { ladder: 'fostering-panel', rung: 'responsible-manager' },
};

function mailPages(): Page[] {
  const pages: Page[] = [];
  const add = (name: string, subject: string, html: string) => {
    if (!only || name.startsWith(only)) pages.push({ name, subject, html });
  };
  // Every kind the case machine sends, on the Regulation 5 ladder's team manager reminder unless shown elsewhere.
  for (const kind of MAIL_KINDS) {
    const at = SHOWN_AT[kind] ?? { ladder: 'childrens-home-reg5', rung: 'team-manager-reminder' };
    const def = ladder(at.ladder);
    const shown = def.rungs.find((r) => r.id === at.rung) ?? def.rungs[1];
    if (!shown) throw new Error(`screenshots: ladder ${def.id} has no rung ${at.rung} and no second rung to show instead`);
    const rung = shown.id;
    const mail = renderSample(store, kind, { ladder: def, rung, ...(at.variant ? { variant: at.variant } : {}) });
    add(`${kind}--${def.id}-${rung}`, mail.subject, mail.html);
  }
  // Every chaser of every ladder, and the urgent variants' first steps.
  for (const def of loaded.ladders.values()) {
    for (const r of def.rungs) {
      const mail = renderSample(store, 'chaser', { ladder: def, rung: r.id });
      add(`chaser--${def.id}-${r.id}`, mail.subject, mail.html);
    }
  }
  const reg5 = ladder('childrens-home-reg5');
  const urgent = renderSample(store, 'chaser', { ladder: reg5, rung: 'professional-reminder', variant: 'urgent' });
  add('chaser--childrens-home-reg5-professional-reminder-urgent', urgent.subject, urgent.html);
  for (const kind of ['delivery-failure', 'sender-confirm', 'fold-summary'] as const) {
    const mail = renderSample(store, kind, { ladder: reg5, rung: 'team-manager-reminder' });
    add(`${kind}--childrens-home-reg5`, mail.subject, mail.html);
  }

  // The weekly digest over three sample cases at different rungs.
  const cal = sampleCalendar();
  const org = sampleOrgFor(reg5.id);
  const facts = ['team-manager-reminder', 'assistant-director', 'dcs'].map((rung, i) => {
    const s = sampleCase({ ladder: reg5, rung, start: new Date(Date.UTC(2026, 10, 2 + i, 10)) });
    const state = { ...s.fired.state, id: `sample-${i}`, ref: `ESC-2026-00${42 + i}` };
    return caseFacts(state, s.context(new Date('2026-12-28T08:00:00Z')));
  });
  const digest = renderDigestMail(
    store,
    buildDigest(facts, {
      now: new Date('2026-12-28T08:00:00Z'),
      calendar: cal,
      org: { id: org.id, name: org.name, mailbox: org.mailbox, manager: org.manager },
    }),
  );
  add('weekly-digest', digest.subject, digest.html);

  // The organisation-level notices and the combined chaser, from the models their workflows build.
  const orgModel = { org: { name: org.name, mailbox: org.mailbox } };
  const orgKinds: [string, Record<string, unknown>][] = [
    [
      'chaser-bundle',
      {
        count: 2,
        refsText: '[ESC-2026-0042] [ESC-2026-0043]',
        items: [
          { ref: 'ESC-2026-0042', subject: 'Re: LAC review minutes for AB-1234 [ESC-2026-0042]', text: urgent.text },
          { ref: 'ESC-2026-0043', subject: 'Re: Care plan actions for CD-5678 [ESC-2026-0043]', text: urgent.text },
        ],
      },
    ],
    [
      'stranger-summary',
      {
        manager: { name: org.manager.name },
        count: 2,
        refs: ['ESC-2026-0042'],
        items: [
          { sender: 'someone@elsewhere.example', ref: 'ESC-2026-0042', at: 'Monday 7 December 2026 at 10:05', safeguarding: false },
          { sender: 'someone@elsewhere.example', ref: 'ESC-2026-0042', at: 'Monday 7 December 2026 at 10:06', safeguarding: true },
        ],
      },
    ],
    [
      'request-refused',
      {
        name: 'Alex Morgan',
        sentAt: 'Monday 7 December 2026 at 10:05',
        why: 'too many recipients',
        reason: 'it names 31 people in To and Cc, and one request may name at most 20.',
        whatToDo: 'Send one request per professional you are chasing, each with the escalation inbox copied.',
      },
    ],
    [
      'not-read',
      {
        name: 'Alex Morgan',
        forSender: false,
        who: 'a message from Sam Patel <sam.patel@northshire.example>',
        subject: 'Re: LAC review minutes for AB-1234 [ESC-2026-0042]',
        sentAt: 'Monday 7 December 2026 at 10:05',
        caseRef: 'ESC-2026-0042',
        // Every field the workflow gives it (src/workflows/ingest/limits.ts): the template is strict.
        size: '31.4 MB',
        reason: 'it is larger than the 25 MB the inbox reads',
        whatToDo:
          'Nothing on the case has changed. Ask them to send it again without the large attachments: share them through your secure file transfer or document store and send a link, or split the message into several smaller ones. A plain-text version also helps.',
      },
    ],
    [
      'commands-answer',
      {
        name: 'Alex Morgan',
        subject: 'RE: Weekly escalations digest, Sunrise Children’s Homes (week commencing Monday 28 December 2026)',
        sentAt: 'Monday 28 December 2026 at 09:12',
        problems: [
          'ESC-2026-0999: there is no case with this reference here, so nothing was changed.',
          '"PAUSE until 5 January 2027": it does not say which case it is for. Put the case\'s reference first, e.g. ESC-2026-0042 PAUSE until <date>.',
        ],
        applied: 2,
        nothingFound: false,
        example: 'ESC-2026-0042',
        exampleDate: '11 January',
      },
    ],
  ];
  for (const [kind, model] of orgKinds) {
    try {
      const m = { ...model, ...orgModel };
      add(kind, store.render(`mails/${kind}`, 'subject', m).trim(), store.render(`mails/${kind}`, 'html', m));
    } catch (error) {
      console.warn(`skipped ${kind}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return pages;
}

async function main(): Promise<void> {
  const { path: executablePath, tried } = findChromium();
  if (!executablePath) throw new Error(`no Chromium (looked for ${tried.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'mails'), { recursive: true });
  mkdirSync(join(out, 'evidence-pack'), { recursive: true });

  const browser = await chromium.launch({ executablePath, headless: true, chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0 });
  const written: string[] = [];
  try {
    const pages = mailPages();
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: false });
      const tab = await context.newPage();
      for (const p of pages) {
        // The subject as a mail client shows it above the body.
        const framed = p.html.replace(
          /<body([^>]*)>/,
          (m) => `${m}<div style="font:bold 13px Arial;background:#eef;padding:6px;margin-bottom:8px">${escape(p.subject)}</div>`,
        );
        if (width === WIDTHS[0]) writeFileSync(join(out, 'mails', `${p.name}.html`), p.html);
        await tab.setContent(framed, { waitUntil: 'load' });
        const file = join(out, 'mails', `${p.name}-${width}.png`);
        await tab.screenshot({ path: file, fullPage: true });
        written.push(file);
      }
      await context.close();
    }

    if (!only || 'evidence-pack'.startsWith(only)) {
      const input = sampleEvidence(ladder('practice-disagreement'), store);
      const html = renderEvidenceHtml(store, buildEvidencePack(input));
      writeFileSync(join(out, 'evidence-pack', 'evidence-pack.html'), html);
      const pdf = await htmlToPdf(html);
      const pdfFile = join(out, 'evidence-pack', 'evidence-pack.pdf');
      writeFileSync(pdfFile, pdf);
      if (hasPdftoppm()) {
        execFileSync('pdftoppm', ['-png', '-r', '60', pdfFile, join(out, 'evidence-pack', 'page')]);
        written.push(
          ...readdirSync(join(out, 'evidence-pack'))
            .filter((f) => f.endsWith('.png'))
            .map((f) => join(out, 'evidence-pack', f)),
        );
      } else {
        const context = await browser.newContext({ viewport: { width: 794, height: 1123 }, javaScriptEnabled: false });
        const tab = await context.newPage();
        await tab.emulateMedia({ media: 'print' });
        await tab.setContent(html, { waitUntil: 'load' });
        const file = join(out, 'evidence-pack', 'evidence-pack-print.png');
        await tab.screenshot({ path: file, fullPage: true });
        written.push(file);
        await context.close();
      }
      console.log(`evidence pack: ${pdfPageCount(pdf)} PDF pages (${pdfFile})`);
    }
    // The web case view needs the test services running (PostgreSQL, Redis, Dovecot, as for `npm test`).
    if (!only || 'web'.startsWith(only)) {
      try {
        written.push(...(await shootWebPages(browser, out)));
      } catch (error) {
        console.warn(`web pages skipped: ${(error as Error).message.split('\n')[0]} (they need PostgreSQL, Redis and Dovecot as for npm test)`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`${written.length} screenshots in ${out}`);
}

function hasPdftoppm(): boolean {
  return ['/usr/bin/pdftoppm', '/usr/local/bin/pdftoppm'].some((p) => existsSync(p));
}

/** Pages in a PDF Chromium wrote: its page objects. */
export function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ENTITIES[c] ?? c);
}

await main();
