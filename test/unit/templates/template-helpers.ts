import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';
import type { LadderDefinition, VariantName } from '../../../src/domain/ladder/ladder-schema.js';
import { strictContext } from '../../../src/outbound/render/strict-context.js';
import { DEFAULT_TEMPLATE_DIR, TemplateStore } from '../../../src/lib/template-store.js';

const loaded = readLadderDir('config/ladders');
if (loaded.problems.length > 0) throw new Error(`ladders are not valid:\n${loaded.problems.join('\n')}`);

/** The shipped ladders, as the service loads them. */
export const LADDERS: LadderDefinition[] = [...loaded.ladders.values()];

export function ladder(id: string): LadderDefinition {
  const def = loaded.ladders.get(id);
  if (!def) throw new Error(`no ladder ${id}`);
  return def;
}

/** Every rung (and the repeat) of every ladder, in every variant it has. */
export function everyRung(): { def: LadderDefinition; variant: VariantName; rung: string }[] {
  const out: { def: LadderDefinition; variant: VariantName; rung: string }[] = [];
  for (const def of LADDERS) {
    for (const variant of ['standard', 'urgent', 'imminent'] as const) {
      if (variant !== 'standard' && !def.variants[variant]) continue;
      const eff = effectiveLadder(def, variant);
      for (const r of eff.rungs) out.push({ def, variant, rung: r.id });
      if (eff.repeat) out.push({ def, variant, rung: 'repeat' });
    }
  }
  return out;
}

/** The shipped templates. */
export const store = new TemplateStore();

/** Every `.hbs` file under a folder. */
export function hbsFiles(dir: string = DEFAULT_TEMPLATE_DIR): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return hbsFiles(full);
    return name.endsWith('.hbs') ? [full] : [];
  });
}

/** Reading any key the context lacks throws (renderMail renders through it). */
export const deepStrict = strictContext;

/** Handlebars' HTML escaping, for comparing user text with what the HTML part shows. */
export function escapeHtml(s: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
  return s.replace(/[&<>"'`=]/g, (c) => map[c]!);
}
