// `escalator doctor` against the Graph test server: every check passes on a good set-up, and each
// failing check names what is wrong and how to fix it (wrong tenant, expired certificate, missing
// permission, scope not enforced).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { captureIo } from '../support/capture-io.js';
import { INBOX, RM } from '../support/escalator-harness.js';
import { GraphServer, makeCertificate, type TestCertificate } from '../support/graph-server.js';
import { CLIENT_ID, TENANT } from '../support/graph-harness.js';

let server: GraphServer;
let cert: TestCertificate;
const dir = mkdtempSync(join(tmpdir(), 'escalator-doctor-'));

beforeAll(async () => {
  [server, cert] = await Promise.all([GraphServer.start({ tenant: TENANT, clientId: CLIENT_ID, mailboxes: [INBOX, RM] }), makeCertificate()]);
  server.registerCertificate(cert.certPem);
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  server.roles = { readWrite: true, send: true };
  server.scopeEnforced = true;
});

/** Runs `escalator doctor` on a config whose mailbox.graph is the server's, with changes. */
async function doctor(graph: Record<string, unknown> = {}, args: string[] = []) {
  const file = join(dir, `escalator-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    stringify({
      database: { url: 'postgres://postgres@127.0.0.1:5432/not-used-by-the-doctor' },
      redis: { url: 'redis://127.0.0.1:6379' },
      secret: 'doctor-test-secret-0123456789',
      organisations: [
        {
          id: 'sunrise-homes',
          name: 'Sunrise Children’s Homes',
          nation: 'england-and-wales',
          manager: { name: 'Alex Morgan', email: RM },
          staff: { domains: ['sunrise-homes.org.uk'] },
          mailbox: { address: INBOX, transport: 'graph', graph: { ...server.graphConfig({ certificatePath: cert.path }), ...graph } },
        },
      ],
    }),
  );
  const io = captureIo();
  const code = await runCli(['--config', file, 'doctor', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}
const line = (out: string, check: string) => out.split('\n').find((l) => new RegExp(`^  (PASS|FAIL|WARN|SKIP)  ${check} `).test(l)) ?? '';
const fixAfter = (out: string, check: string) => {
  const lines = out.split('\n');
  const at = lines.indexOf(line(out, check));
  return at >= 0 && lines[at + 1]?.trim().startsWith('fix:') ? lines[at + 1]!.trim() : '';
};

describe('escalator doctor', () => {
  it('passes every check on a good set-up: credential, token, Inbox, Sent Items, a test mail to the RM, and the scope', async () => {
    const sentBefore = server.sent.length;
    const { code, out } = await doctor();
    expect(code, out).toBe(0);
    expect(line(out, 'credential')).toMatch(
      /^ {2}PASS {2}credential certificate CN=escalator-test, SHA-1 thumbprint [0-9A-F]{40}, valid until \d{4}-\d\d-\d\d$/,
    );
    expect(line(out, 'token')).toContain(`PASS  token      token issued by ${server.origin} for tenant ${TENANT}, app ${CLIENT_ID}`);
    expect(line(out, 'read')).toContain(`PASS  read       read Inbox of ${INBOX}`);
    expect(line(out, 'sent-items')).toContain('PASS  sent-items read Sent Items');
    expect(line(out, 'send')).toContain(`PASS  send       sent a test mail to the RM ${RM} (202 Accepted by Microsoft Graph`);
    expect(line(out, 'scope')).toContain(
      `PASS  scope      cannot read ${RM} (HTTP 403 ErrorAccessDenied: Access is denied. Check credentials and try again.): the app is limited to ${INBOX}`,
    );
    const mail = server.sent.slice(sentBefore);
    expect(mail.map((m) => m.recipients)).toEqual([[RM]]);
    expect(mail[0]!.raw.toString()).toContain(`Subject: Escalator doctor: test mail from ${INBOX}`);
    expect(mail[0]!.raw.toString()).toContain('Auto-Submitted: auto-generated');
  });

  it('wrong tenant: the token check fails with AADSTS90002 and says where to find the tenant ID', async () => {
    const { code, out } = await doctor({ tenantId: 'sunrise-homs.onmicrosoft.com' });
    expect(code).toBe(1);
    expect(line(out, 'token')).toContain('FAIL  token      Microsoft 365 tenant sunrise-homs.onmicrosoft.com, client');
    expect(line(out, 'token')).toContain("AADSTS90002: Tenant 'sunrise-homs.onmicrosoft.com' not found");
    expect(fixAfter(out, 'token')).toContain('fix: check tenantId (sunrise-homs.onmicrosoft.com): use the Directory (tenant) ID');
    // Nothing after the token is tried without one.
    expect(line(out, 'read')).toBe('');
  });

  it('expired certificate: the credential check fails before asking for a token, and says to upload a new one', async () => {
    const expired = await makeCertificate({ cn: 'expired', notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') });
    server.registerCertificate(expired.certPem);
    const tokensBefore = server.tokenRequests.length;
    const { code, out } = await doctor({ certificatePath: expired.path });
    expect(code).toBe(1);
    expect(line(out, 'credential')).toContain('FAIL  credential certificate CN=expired');
    expect(line(out, 'credential')).toContain('valid until 2025-01-01: expired');
    expect(fixAfter(out, 'credential')).toContain('fix: create a new certificate, upload it to the app registration');
    expect(server.tokenRequests.length).toBe(tokensBefore);
  });

  it('a certificate not uploaded to the app: the token check fails with AADSTS700027 and names the thumbprint to upload', async () => {
    const other = await makeCertificate({ cn: 'not-uploaded' });
    const { code, out } = await doctor({ certificatePath: other.path });
    expect(code).toBe(1);
    expect(line(out, 'token')).toContain('AADSTS700027');
    expect(fixAfter(out, 'token')).toMatch(/fix: upload this certificate \(SHA-1 thumbprint [0-9A-F]{40}\) to the app registration/);
  });

  it('missing permission: no Mail.Send fails the send check; no Mail.ReadWrite fails the reads; each fix is the role assignment', async () => {
    server.roles = { readWrite: true, send: false };
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(line(r.out, 'read')).toContain('PASS');
    expect(line(r.out, 'send')).toContain(`FAIL  send       cannot send as ${INBOX}: Microsoft Graph refused the message: HTTP 403 ErrorAccessDenied`);
    expect(fixAfter(r.out, 'send')).toBe(
      `fix: grant the app the role on this mailbox: New-ManagementRoleAssignment -App ${CLIENT_ID} -Role "Application Mail.Send" -CustomResourceScope "Escalator mailbox" (docs/microsoft-graph.md, step 4); changes take 30 minutes to 2 hours to apply`,
    );
    server.roles = { readWrite: false, send: true };
    r = await doctor({}, ['--no-send']);
    expect(r.code).toBe(1);
    expect(line(r.out, 'read')).toContain(`FAIL  read       cannot read Inbox of ${INBOX}: HTTP 403 ErrorAccessDenied`);
    expect(fixAfter(r.out, 'read')).toContain('-Role "Application Mail.ReadWrite"');
    expect(line(r.out, 'send')).toContain('SKIP  send       no test mail sent (--no-send)');
  });

  it('scope not enforced: reading the RM’s mailbox succeeds, and that fails the scope check with the RBAC fix', async () => {
    server.scopeEnforced = false;
    const { code, out } = await doctor({}, ['--no-send']);
    expect(code).toBe(1);
    expect(line(out, 'scope')).toContain(`FAIL  scope      the app CAN read ${RM}: its permissions reach mailboxes it should not`);
    expect(fixAfter(out, 'scope')).toContain('RBAC for Applications');
    expect(fixAfter(out, 'scope')).toContain('remove Mail.ReadWrite and Mail.Send from the app registration');
  });

  it('says when the mailbox to try does not exist, and skips organisations that do not use Graph', async () => {
    const { code, out } = await doctor({}, ['--no-send', '--other-mailbox', 'nobody@sunrise-homes.org.uk']);
    expect(code).toBe(0);
    expect(line(out, 'scope')).toContain('WARN  scope      no mailbox nobody@sunrise-homes.org.uk to try');
  });
});
