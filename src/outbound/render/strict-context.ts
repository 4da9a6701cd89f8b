/**
 * Handlebars' strict mode fails a render when a printed variable is missing, but lets a missing
 * key through as false in `{{#if step.deadlneDate}}` (a typo, or a fact the context lost), which
 * would quietly drop a paragraph from a letter to a Director. Rendering through this view fails
 * those too: reading any key the context does not have throws, naming the path.
 */
export function strictContext<T>(value: T, path = 'context'): T {
  if (!value || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      // `toHTML` is how Handlebars asks whether a printed object is already safe markup.
      if (typeof key === 'string' && key !== 'toHTML' && !(key in target)) {
        throw new Error(`"${key}" not defined in ${path}`);
      }
      return strictContext(Reflect.get(target, key, receiver), `${path}.${String(key)}`);
    },
  });
}
