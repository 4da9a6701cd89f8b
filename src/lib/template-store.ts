import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** The templates shipped with the service (src/templates, copied to dist/templates on build). */
export const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export type TemplateFormat = 'subject' | 'text' | 'html';

type Compiled = Handlebars.TemplateDelegate;

/**
 * Handlebars' unescaped output: `{{{x}}}`, `{{&x}}` (with optional `~` whitespace control). Never
 * allowed, in our templates or an organisation's: everything a template prints may have come from
 * an email, and the HTML part must escape it.
 */
export const UNESCAPED_OUTPUT = /\{\{~?\s*[{&]/;

/** The 1-based line of the first unescaped output in a template's source, or 0. */
export function unescapedOutputLine(source: string): number {
  const match = UNESCAPED_OUTPUT.exec(source);
  return match ? source.slice(0, match.index).split('\n').length : 0;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/**
 * Compiled templates: `<name>/subject.hbs`, `<name>/text.hbs`, `<name>/html.hbs`, partials in
 * `partials/`. Text and subjects render without HTML escaping, HTML with it; both are strict, so
 * a missing variable fails the render instead of leaving a gap in a letter to a Director.
 * An organisation's folder overrides any file of the same path.
 */
export class TemplateStore {
  private readonly html = Handlebars.create();
  private readonly text = Handlebars.create();
  private readonly files = new Map<string, string>();
  private readonly cache = new Map<string, Compiled>();

  constructor(dirs: string[] = [DEFAULT_TEMPLATE_DIR]) {
    for (const dir of dirs) {
      for (const file of walk(dir)) {
        if (!file.endsWith('.hbs')) continue;
        const key = relative(dir, file)
          .split(sep)
          .join('/')
          .replace(/\.hbs$/, '');
        const source = readFileSync(file, 'utf8');
        const line = unescapedOutputLine(source);
        if (line) throw new Error(`template ${file}:${line}: unescaped output ({{{ }}} or {{& }}) is not allowed; use {{ }}`);
        this.files.set(key, source);
      }
    }
    // Partials are registered compiled, with the options every template of that instance is
    // compiled with (see render): Handlebars compiles a partial registered as source again on
    // every render that uses it (the result goes into that render's own partials object), which
    // cost ~5 ms per chaser.
    const html = (source: string) => this.html.compile(source, { strict: true, noEscape: false });
    const text = (source: string) => this.text.compile(source, { strict: true, noEscape: true });
    for (const [key, source] of this.files) {
      if (!key.startsWith('partials/')) continue;
      const name = key.slice('partials/'.length);
      if (name.endsWith('.html')) this.html.registerPartial(name.replace(/\.html$/, ''), html(source));
      else if (name.endsWith('.text')) this.text.registerPartial(name.replace(/\.text$/, ''), text(source));
      else {
        this.html.registerPartial(name, html(source));
        this.text.registerPartial(name, text(source));
      }
    }
    for (const hb of [this.html, this.text]) registerHelpers(hb);
  }

  has(name: string, format: TemplateFormat = 'text'): boolean {
    return this.files.has(`${name}/${format}`);
  }

  names(): string[] {
    return [...new Set([...this.files.keys()].filter((k) => !k.startsWith('partials/')).map((k) => k.replace(/\/(subject|text|html)$/, '')))].sort();
  }

  render(name: string, format: TemplateFormat, context: object): string {
    const key = `${name}/${format}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      const source = this.files.get(key);
      if (source === undefined) throw new Error(`no template ${key}.hbs`);
      const hb = format === 'html' ? this.html : this.text;
      compiled = hb.compile(source, { strict: true, noEscape: format !== 'html' });
      this.cache.set(key, compiled);
    }
    try {
      return compiled(context);
    } catch (error) {
      throw new Error(`template ${key}.hbs: ${(error as Error).message}`);
    }
  }
}

function registerHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('join', (list: unknown, sepr: unknown) => (Array.isArray(list) ? list.join(typeof sepr === 'string' ? sepr : ', ') : ''));
  hb.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  hb.registerHelper('plural', (n: unknown, one: unknown, many: unknown) => (n === 1 ? one : many));
  hb.registerHelper('upper', (s: unknown) => (typeof s === 'string' ? s.toUpperCase() : ''));
  // "team manager: …" → "Team manager: …", the way people write a directive back to correct it.
  hb.registerHelper('ucfirst', (s: unknown) => (typeof s === 'string' ? s.charAt(0).toUpperCase() + s.slice(1) : ''));
  // Text mails wrap long paragraphs the way mail clients expect (RFC 3676 asks for ≤ 78).
  hb.registerHelper('indent', (s: unknown, n: unknown) => {
    const pad = ' '.repeat(typeof n === 'number' ? n : 2);
    return typeof s === 'string'
      ? s
          .split('\n')
          .map((l) => pad + l)
          .join('\n')
      : '';
  });
}
