import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { graphEndpoints } from '../../../src/config/graph-schema.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { mailboxLimit } from '../../../src/outbound/rate-limit/mailbox-limit.js';
import { headerRecipients } from '../../../src/outbound/transport/graph-transport.js';
import { REPO_ROOT } from '../../support/repo-root.js';

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

/** The example config with its first organisation's mailbox replaced. */
const withMailbox = (mailbox: Record<string, unknown>) => {
  const raw = parse(readFileSync(join(REPO_ROOT, 'config', 'escalator.example.yaml'), 'utf8')) as { organisations: [{ mailbox: unknown }] };
  raw.organisations[0].mailbox = mailbox;
  return stringify(raw);
};
const GRAPH = { tenantId: '${M365_TENANT_ID}', clientId: '${M365_CLIENT_ID}', certificatePath: '/etc/escalator/graph.pem' };
const errorOf = (text: string) => {
  try {
    parseConfig(text, ENV);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('mailbox.transport: graph in the config', () => {
  it('reads a Graph mailbox with its defaults, and gives it inbound and outbound of type graph', () => {
    const config = parseConfig(withMailbox({ address: 'escalations@sunrise-homes.org.uk', transport: 'graph', graph: GRAPH }), ENV);
    const box = config.organisations[0]!.mailbox;
    expect(box.transport).toBe('graph');
    if (box.transport !== 'graph') throw new Error('unreachable');
    expect(box.inbound).toEqual({ type: 'graph' });
    expect(box.outbound).toEqual({ type: 'graph' });
    expect(box.graph).toMatchObject({
      tenantId: 'tenant',
      clientId: 'client',
      cloud: 'global',
      folders: ['inbox'],
      pollSeconds: 15,
      processed: { action: 'categorise', category: 'Escalator' },
      saveToSentItems: true,
      rateLimitPerMinute: 30,
      maxConcurrentRequests: 4,
    });
  });

  it('keeps configs without a transport as they were (IMAP and SMTP)', () => {
    const config = parseConfig(readFileSync(join(REPO_ROOT, 'config', 'escalator.example.yaml'), 'utf8'), ENV);
    for (const org of config.organisations) expect(org.mailbox.transport).toBe('imap-smtp');
  });

  it('names the bad key: no credential, two credentials, an IMAP block beside it, a plain-http host, 21Vianet', () => {
    const box = (graph: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      withMailbox({ address: 'escalations@sunrise-homes.org.uk', transport: 'graph', graph, ...extra });
    expect(errorOf(box({ tenantId: 't', clientId: 'c' }))).toContain(
      'organisations[0].mailbox.graph.certificatePath: give certificatePath (recommended) or clientSecret: the app needs a credential',
    );
    expect(errorOf(box({ ...GRAPH, clientSecret: 's' }))).toContain(
      'organisations[0].mailbox.graph.clientSecret: give certificatePath or clientSecret, not both',
    );
    expect(errorOf(box({ clientId: 'c', certificatePath: '/x.pem' }))).toContain('organisations[0].mailbox.graph.tenantId');
    expect(errorOf(box(GRAPH, { inbound: { type: 'imap', host: 'outlook.office365.com', auth: { type: 'password', user: 'u', password: 'p' } } }))).toContain(
      'organisations[0].mailbox.inbound: with transport: graph, reading and sending are set under mailbox.graph; remove mailbox.inbound',
    );
    expect(errorOf(box({ ...GRAPH, graphUrl: 'http://graph.example' }))).toContain('organisations[0].mailbox.graph.graphUrl: use an https:// URL');
    expect(errorOf(box({ ...GRAPH, cloud: 'china' }))).toContain('organisations[0].mailbox.graph.cloud: Microsoft Graph has no message delta query');
    expect(errorOf(box({ ...GRAPH, pollSeconds: 1 }))).toContain('organisations[0].mailbox.graph.pollSeconds');
    expect(errorOf(withMailbox({ address: 'escalations@sunrise-homes.org.uk', transport: 'ews' }))).toContain('organisations[0].mailbox.transport');
  });

  it('knows the national clouds’ sign-in and Graph hosts, and takes overrides', () => {
    expect(graphEndpoints({ cloud: 'global' })).toEqual({ loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' });
    expect(graphEndpoints({ cloud: 'us-gov' })).toEqual({ loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' });
    expect(graphEndpoints({ cloud: 'us-gov-dod' })).toEqual({ loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://dod-graph.microsoft.us' });
    expect(graphEndpoints({ cloud: 'global', loginUrl: 'https://login.example', graphUrl: 'https://graph.example' })).toEqual({
      loginUrl: 'https://login.example',
      graphUrl: 'https://graph.example',
    });
  });

  it('counts a Graph mailbox’s sends against the same per-mailbox limit as SMTP (30 a minute by default)', () => {
    const config = parseConfig(withMailbox({ address: 'Escalations@Sunrise-Homes.org.uk', transport: 'graph', graph: GRAPH }), ENV);
    expect(mailboxLimit(config.organisations[0]!)).toEqual({ mailbox: 'escalations@sunrise-homes.org.uk', perMinute: 30 });
    const off = parseConfig(withMailbox({ address: 'escalations@sunrise-homes.org.uk', transport: 'graph', graph: { ...GRAPH, rateLimitPerMinute: 0 } }), ENV);
    expect(mailboxLimit(off.organisations[0]!)).toBeNull();
  });
});

describe('recipients of a MIME message (where Graph takes them from)', () => {
  it('reads To, Cc and Bcc, folded lines included, and nothing from the body', () => {
    const raw = Buffer.from(
      'From: a@x.org\r\nTo: "Patel, Sam" <Sam.Patel@northshire.gov.uk>,\r\n Jo <jo@northshire.gov.uk>\r\nCc: alex@sunrise.org\r\nSubject: x\r\n\r\nTo: body@nowhere.org\r\n',
    );
    expect([...headerRecipients(raw)].sort()).toEqual(['alex@sunrise.org', 'jo@northshire.gov.uk', 'sam.patel@northshire.gov.uk']);
  });
});
