/**
 * An organisation may override any template from a folder named in its config; no template, ours
 * or theirs, may print unescaped (`{{{ }}}` or `{{& }}`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_DIR, TemplateStore, UNESCAPED_OUTPUT } from '../../../src/lib/template-store.js';
import { renderSample } from '../../../src/outbound/render/sample-case.js';
import { hbsFiles, ladder, store } from './template-helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'escalator-templates-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

describe('an organisation’s override folder', () => {
  const reg5 = ladder('childrens-home-reg5');

  it('replaces one template and leaves the rest as shipped', () => {
    write(
      'rungs/childrens-home-reg5/professional-reminder/text.hbs',
      '{{#> ladders/childrens-home-reg5 }}\nOur own wording: the minutes asked for on {{request.date}} have not arrived.\n{{/ladders/childrens-home-reg5}}\n',
    );
    const overridden = new TemplateStore([DEFAULT_TEMPLATE_DIR, dir]);
    const mine = renderSample(overridden, 'chaser', { ladder: reg5, rung: 'professional-reminder' });
    const shipped = renderSample(store, 'chaser', { ladder: reg5, rung: 'professional-reminder' });
    expect(mine.text).toContain('Our own wording: the minutes asked for on Monday 2 November 2026 have not arrived.');
    expect(mine.text).not.toContain('so this is a reminder on the young person’s behalf');
    // The shared parts still come from the shipped partials.
    expect(mine.text).toContain('Please have this completed by the end of Friday 20 November 2026');
    expect(shipped.text).toContain('so this is a reminder on the young person’s behalf');
    // Only the text part was overridden.
    expect(mine.html).toBe(shipped.html);
    const other = renderSample(overridden, 'chaser', { ladder: reg5, rung: 'team-manager-reminder' });
    expect(other.text).toBe(renderSample(store, 'chaser', { ladder: reg5, rung: 'team-manager-reminder' }).text);
  });

  it('can replace a shared partial, e.g. the signature, for every chaser', () => {
    write('partials/signature.text.hbs', '{{originator.name}}, on behalf of the Sunrise team\n');
    const overridden = new TemplateStore([DEFAULT_TEMPLATE_DIR, dir]);
    for (const rung of ['professional-reminder', 'dcs']) {
      expect(renderSample(overridden, 'chaser', { ladder: reg5, rung }).text).toContain('Alex Morgan, on behalf of the Sunrise team');
    }
  });

  it('is refused, naming the file and line, when it prints unescaped', () => {
    write('mails/confirmation/html.hbs', '{{#> layout }}\n<p>{{{case.subject}}}</p>\n{{/layout}}\n');
    expect(() => new TemplateStore([DEFAULT_TEMPLATE_DIR, dir])).toThrow(/mails\/confirmation\/html\.hbs:2: unescaped output/);
    write('mails/confirmation/html.hbs', '<p>{{& case.subject}}</p>\n');
    expect(() => new TemplateStore([DEFAULT_TEMPLATE_DIR, dir])).toThrow(/unescaped output/);
    write('mails/confirmation/html.hbs', '<p>{{~{case.subject}~}}</p>\n');
    expect(() => new TemplateStore([DEFAULT_TEMPLATE_DIR, dir])).toThrow(/unescaped output/);
  });
});

describe('the shipped templates', () => {
  const files = hbsFiles();

  it('are all found', () => {
    expect(files.length).toBeGreaterThan(80);
  });

  it('never use triple-stash or {{& }}: every value is escaped in HTML', () => {
    const offenders = files.filter((f) => UNESCAPED_OUTPUT.test(readFileSync(f, 'utf8')) || readFileSync(f, 'utf8').includes('{{{'));
    expect(offenders.map((f) => relative(DEFAULT_TEMPLATE_DIR, f))).toEqual([]);
  });

  it('keep HTML simple: no scripts, images or external resources anywhere; mails use inline styles only', () => {
    for (const f of files.filter((x) => x.endsWith('html.hbs'))) {
      const name = relative(DEFAULT_TEMPLATE_DIR, f);
      const source = readFileSync(f, 'utf8');
      expect(source, name).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|<form|\son[a-z]+=|(src|href)="?(https?:|\/\/)|@import|url\(/i);
      // Mail clients drop <style> blocks; the evidence pack and other reports are web pages.
      if (!name.startsWith('reports/')) expect(source, name).not.toMatch(/<style/i);
    }
  });

  it('give every rung both a text and an HTML part', () => {
    const rungs = files.filter((f) => relative(DEFAULT_TEMPLATE_DIR, f).startsWith('rungs/'));
    const folders = new Set(rungs.map((f) => dirname(f)));
    for (const folder of folders) {
      expect(
        rungs
          .filter((f) => dirname(f) === folder)
          .map((f) => f.slice(folder.length + 1))
          .sort(),
        relative(DEFAULT_TEMPLATE_DIR, folder),
      ).toEqual(['html.hbs', 'text.hbs']);
    }
  });
});
