/**
 * The configuration contract: one YAML file, validated once at start, a bad key named, secrets
 * read from the environment, DATABASE_URL and REDIS_URL overriding the file. Every config file
 * shipped in config/ must load (a broken example is the first thing a new operator meets).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { loadDirectory } from '../../../src/config/load-directory.js';
import { REPO_ROOT } from '../../support/repo-root.js';

const CONFIG_DIR = join(REPO_ROOT, 'config');
const ENV = {
  DATABASE_URL: 'postgres://escalator@db.internal:5432/escalator',
  REDIS_URL: 'redis://cache.internal:6379',
  ESCALATOR_SECRET: 'a-long-random-secret-for-tests-0123456789',
  M365_TENANT_ID: 'tenant',
  M365_CLIENT_ID: 'client',
  M365_CLIENT_SECRET: 'client-secret',
  SMTP_PASSWORD: 'pw',
  IMAP_PASSWORD: 'pw',
  GOOGLE_SERVICE_ACCOUNT_KEY: '{}',
};
const example = () => readFileSync(join(CONFIG_DIR, 'escalator.example.yaml'), 'utf8');
/** The keys of a config file these tests change; everything else is carried through as read. */
interface RawConfig {
  database: { url: string };
  organisations: [{ mailbox: { address: string }; nation: string; sendWindow: unknown }];
  web?: unknown;
}
const mutate = (text: string, edit: (raw: RawConfig) => void) => {
  const raw = parse(text) as RawConfig;
  edit(raw);
  return stringify(raw);
};

describe('configuration', () => {
  it('every shipped config file loads', () => {
    const files = readdirSync(CONFIG_DIR).filter((f) => /^escalator\..*\.ya?ml$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['escalator.example.yaml', 'escalator.local.yaml', 'escalator.docker.yaml']));
    for (const f of files) {
      const config = parseConfig(readFileSync(join(CONFIG_DIR, f), 'utf8'), ENV, f);
      expect(config.organisations.length, f).toBeGreaterThan(0);
    }
  });

  it('the example organisation finds its own entries in the example directory', () => {
    const config = parseConfig(example(), ENV);
    const directory = parse(readFileSync(join(CONFIG_DIR, 'directory.yaml'), 'utf8')) as { organisations: Record<string, unknown> };
    for (const org of config.organisations) expect(Object.keys(directory.organisations), org.id).toContain(org.id);
    expect(() => loadDirectory(join(CONFIG_DIR, 'directory.yaml'))).not.toThrow();
  });

  it('reads secrets from the environment and lets DATABASE_URL and REDIS_URL win', () => {
    const config = parseConfig(example(), ENV);
    expect(config.secret).toBe(ENV.ESCALATOR_SECRET);
    expect(config.database.url).toBe(ENV.DATABASE_URL);
    expect(config.redis.url).toBe(ENV.REDIS_URL);
    const fromFile = mutate(example(), (raw) => {
      raw.database.url = 'postgres://file@127.0.0.1/escalator';
    });
    expect(parseConfig(fromFile, { ...ENV, DATABASE_URL: '' }).database.url).toBe('postgres://file@127.0.0.1/escalator');
    expect(parseConfig(fromFile, ENV).database.url).toBe(ENV.DATABASE_URL);
  });

  it('names the environment variable and the key that needed it when a secret is missing', () => {
    const { ESCALATOR_SECRET: _, ...without } = ENV;
    expect(() => parseConfig(example(), without, 'escalator.yaml')).toThrow('secret: environment variable ESCALATOR_SECRET is not set');
  });

  it('names the bad key, with its position in the organisations list', () => {
    const badEmail = mutate(example(), (raw) => {
      raw.organisations[0].mailbox.address = 'not-an-address';
    });
    expect(() => parseConfig(badEmail, ENV, 'escalator.yaml')).toThrow(/escalator\.yaml is not valid:\n\s+organisations\[0\]\.mailbox\.address: /);
    const badNation = mutate(example(), (raw) => {
      raw.organisations[0].nation = 'wales';
    });
    expect(() => parseConfig(badNation, ENV)).toThrow(/organisations\[0\]\.nation/);
    const badWindow = mutate(example(), (raw) => {
      raw.organisations[0].sendWindow = { start: '9am', end: '17:00' };
    });
    expect(() => parseConfig(badWindow, ENV)).toThrow(/organisations\[0\]\.sendWindow\.start/);
  });

  it('takes web grants by group, verified address or Workspace domain, each naming exactly one', () => {
    const withWeb = (access: unknown[]) =>
      mutate(example(), (raw) => {
        raw.web = { publicUrl: 'https://escalator.example.org', oidc: { issuer: 'https://accounts.google.com', clientId: 'c', clientSecret: 's' }, access };
      });
    const org = parseConfig(example(), ENV).organisations[0]!.id;
    const ok = parseConfig(
      withWeb([
        { group: 'rms', role: 'rm', organisations: [org] },
        { email: 'jo@sunrise-homes.org.uk', role: 'rm', organisations: [org] },
        { domain: 'qa.sunrise-homes.org.uk', role: 'auditor', organisations: [org] },
      ]),
      ENV,
    );
    expect(ok.web!.access.map((a) => a.group ?? a.email ?? a.domain)).toEqual(['rms', 'jo@sunrise-homes.org.uk', 'qa.sunrise-homes.org.uk']);
    expect(() => parseConfig(withWeb([{ group: 'rms', email: 'jo@sunrise-homes.org.uk', role: 'rm', organisations: [org] }]), ENV)).toThrow(
      /web\.access\[0\].*name exactly one of group, email or domain/s,
    );
    expect(() => parseConfig(withWeb([{ role: 'rm', organisations: [org] }]), ENV)).toThrow(/name exactly one of group, email or domain/);
    expect(() => parseConfig(withWeb([{ domain: '@sunrise-homes.org.uk', role: 'rm', organisations: [org] }]), ENV)).toThrow(/web\.access\[0\]\.domain/);
  });

  it('refuses a file that is not YAML, or not a mapping, saying so', () => {
    expect(() => parseConfig('organisations: [\n', ENV, 'broken.yaml')).toThrow(/broken\.yaml: not valid YAML/);
    expect(() => parseConfig('just a string', ENV, 'scalar.yaml')).toThrow('scalar.yaml: expected a YAML mapping');
  });
});
