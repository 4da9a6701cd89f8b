/**
 * `${NAME}` and `${NAME:-default}` in any string of the parsed YAML are replaced from the
 * environment, so secrets stay out of the file. A missing variable without a default is an
 * error naming the key that needed it.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_all, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${formatPath(path)}: environment variable ${name} is not set`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, [...path, k])]));
  }
  return value;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `organisations.0.mailbox` → `organisations[0].mailbox`, as people read it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    const k = String(key);
    out += /^\d+$/.test(k) ? `[${k}]` : out ? `.${k}` : k;
  }
  return out || '(top level)';
}
