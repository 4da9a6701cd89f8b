/**
 * Server-rendered HTML with escaping by default: every value put into an `html` template is
 * escaped unless it is itself `Html` (built by this tag). Text that came from an email can never
 * become markup, the same rule the mail templates keep (no triple-stash).
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | Part[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  // A tagged template has one more string than values; the last string is followed by nothing.
  return new Html(strings.map((s, i) => (i < values.length ? s + render(values[i]) : s)).join(''));
}

/** A query string from the parts that have a value. */
export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
