import { randomBytes } from 'node:crypto';
import type { GraphMailboxConfig, OrganisationConfig } from '../config/config-schema.js';
import type { Clock } from '../lib/clock.js';
import type { GraphAccount, GraphAccounts } from '../mail-account/graph/graph-accounts.js';
import { GraphError } from '../mail-account/graph/graph-client.js';
import { GraphCredentialError } from '../mail-account/graph/graph-credential.js';
import { aadstsCode } from '../mail-account/graph/graph-token-provider.js';
import { TokenRequestError } from '../mail-account/oauth/access-token-provider.js';
import { GraphTransport } from '../outbound/transport/graph-transport.js';
import { SendError } from '../runtime/mail-transport.js';
import { describeThrown } from '../lib/error-message.js';

export type DoctorStatus = 'passed' | 'failed' | 'warning' | 'skipped';

/** One line of `escalator doctor`: what was checked, how it went, and what to do when it did not. */
export interface DoctorLine {
  check: 'credential' | 'token' | 'read' | 'sent-items' | 'send' | 'scope';
  status: DoctorStatus;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  org: OrganisationConfig & { mailbox: GraphMailboxConfig };
  accounts: GraphAccounts;
  clock: Clock;
  /** A mailbox the app must not be able to read (default: the RM's). */
  otherMailbox?: string;
  /** Send the test mail to the RM (default true). */
  send?: boolean;
}

/** Certificates expiring this soon are a warning: Entra refuses an expired one, and mail stops. */
const EXPIRY_WARNING_MS = 30 * 86_400_000;
const RUNBOOK = 'docs/microsoft-graph.md';

/** What to do about a token the sign-in service refused, by Entra's error number. */
function tokenFix(error: unknown, o: DoctorOptions, account: GraphAccount | undefined): string {
  const g = o.org.mailbox.graph;
  if (error instanceof TokenRequestError && error.errorCode === 'certificate_expired') {
    return `create a new certificate, upload it to the app registration (Certificates & secrets → Certificates) and point certificatePath at it (${RUNBOOK}, step 2)`;
  }
  switch (aadstsCode(error)) {
    case 90002:
      return `check tenantId (${g.tenantId}): use the Directory (tenant) ID from the app registration's Overview page, or the tenant's ….onmicrosoft.com domain; for a national cloud set graph.cloud`;
    case 700016:
      return `check clientId (${g.clientId}): use the Application (client) ID from the app registration's Overview page, in the tenant ${g.tenantId}`;
    case 700027: {
      const thumb = account?.credential.kind === 'certificate' ? ` (SHA-1 thumbprint ${account.credential.thumbprintSha1})` : '';
      return `upload this certificate${thumb} to the app registration (Certificates & secrets → Certificates), or point certificatePath at the one uploaded; an expired one must be replaced (${RUNBOOK}, step 2)`;
    }
    case 7000215:
      return 'use the client secret’s Value, not its Secret ID';
    case 7000222:
      return 'the client secret has expired: add a new one (Certificates & secrets) and set it; better, use a certificate';
    case 500011:
      return 'check graph.cloud / graphUrl: the token was asked for a resource this tenant does not have';
    default:
      return `check that this machine can reach ${account?.loginUrl ?? 'the sign-in host'} (proxy, firewall, TLS inspection: see graph.caFile), and the tenant and client IDs`;
  }
}

/** A read or send Graph refused: what to grant or check. */
function graphFix(error: unknown, o: DoctorOptions, role: 'Application Mail.ReadWrite' | 'Application Mail.Send', mailbox: string): string {
  if (error instanceof GraphError && error.status === 403) {
    return `grant the app the role on this mailbox: New-ManagementRoleAssignment -App ${o.org.mailbox.graph.clientId} -Role "${role}" -CustomResourceScope "Escalator mailbox" (${RUNBOOK}, step 4); changes take 30 minutes to 2 hours to apply`;
  }
  if (error instanceof GraphError && error.status === 404) return `no mailbox ${mailbox} in this tenant: check mailbox.address (or graph.user)`;
  if (error instanceof GraphError && error.status === 401)
    return 'the token was refused: check the app registration is in this tenant and its service principal exists in Exchange (New-ServicePrincipal)';
  return `check that this machine can reach ${o.org.mailbox.graph.graphUrl ?? 'graph.microsoft.com'}`;
}

const describeError = (error: unknown) => (error instanceof GraphError ? error.detail : error instanceof SendError ? error.message : describeThrown(error));

/**
 * Proves a Graph mailbox's set-up to the council's IT, one line per check: the credential, a token,
 * reading the mailbox and its Sent Items, sending a test mail to the RM, and that the app cannot
 * read a mailbox it should not (the scope works). Each failure says what to fix.
 */
export async function graphDoctor(o: DoctorOptions): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  const box = o.org.mailbox;
  const mailbox = (box.graph.user ?? box.address).toLowerCase();
  let account: GraphAccount;
  try {
    account = o.accounts.forMailbox(box.address, box.graph);
  } catch (error) {
    const fix =
      error instanceof GraphCredentialError
        ? `fix the certificate files named in organisations.${o.org.id}.mailbox.graph (${RUNBOOK}, step 2)`
        : `check organisations.${o.org.id}.mailbox.graph`;
    lines.push({ check: 'credential', status: 'failed', detail: (error as Error).message, fix });
    return lines;
  }
  const c = account.credential;
  if (c.kind === 'certificate') {
    const left = c.notAfter.getTime() - o.clock.now().getTime();
    const about = `certificate ${c.subject}, SHA-1 thumbprint ${c.thumbprintSha1}, valid until ${c.notAfter.toISOString().slice(0, 10)}`;
    if (left <= 0) {
      lines.push({
        check: 'credential',
        status: 'failed',
        detail: `${about}: expired`,
        fix: tokenFix(new TokenRequestError('', undefined, 'certificate_expired'), o, account),
      });
      return lines;
    }
    lines.push(
      left < EXPIRY_WARNING_MS
        ? {
            check: 'credential',
            status: 'warning',
            detail: `${about}: expires in ${Math.ceil(left / 86_400_000)} days`,
            fix: 'upload a new certificate before then and point certificatePath at it',
          }
        : { check: 'credential', status: 'passed', detail: about },
    );
  } else {
    lines.push({ check: 'credential', status: 'passed', detail: 'client secret (many tenants block secrets; a certificate is preferred)' });
  }

  try {
    await account.tokens.getToken(true);
    lines.push({ check: 'token', status: 'passed', detail: `token issued by ${account.loginUrl} for tenant ${box.graph.tenantId}, app ${box.graph.clientId}` });
  } catch (error) {
    lines.push({ check: 'token', status: 'failed', detail: describeError(error), fix: tokenFix(error, o, account) });
    return lines;
  }

  for (const [check, folder, label] of [
    ['read', 'inbox', 'Inbox'],
    ['sent-items', 'sentitems', 'Sent Items'],
  ] as const) {
    try {
      const f = await account.client.json<{ totalItemCount?: number }>({ method: 'GET', path: `mailFolders/${folder}?$select=displayName,totalItemCount` });
      lines.push({ check, status: 'passed', detail: `read ${label} of ${mailbox} (${f?.totalItemCount ?? '?'} messages)` });
    } catch (error) {
      lines.push({
        check,
        status: 'failed',
        detail: `cannot read ${label} of ${mailbox}: ${describeError(error)}`,
        fix: graphFix(error, o, 'Application Mail.ReadWrite', mailbox),
      });
    }
  }

  const rm = o.org.manager.email.toLowerCase();
  if (o.send === false) {
    lines.push({ check: 'send', status: 'skipped', detail: 'no test mail sent (--no-send)' });
  } else {
    const id = `<doctor-${randomBytes(8).toString('hex')}@${mailbox.split('@')[1]}>`;
    const raw = Buffer.from(
      [
        `From: ${box.name ? `"${box.name.replace(/"/g, '')}" ` : ''}<${box.address}>`,
        `To: <${rm}>`,
        `Subject: Escalator doctor: test mail from ${box.address}`,
        `Message-ID: ${id}`,
        `Date: ${o.clock.now().toUTCString().replace('GMT', '+0000')}`,
        'Auto-Submitted: auto-generated',
        'X-Auto-Response-Suppress: OOF, AutoReply',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `This is a test from \`escalator doctor\`: the escalations mailbox ${box.address} can send through Microsoft Graph.`,
        'Nothing needs doing.',
        '',
      ].join('\r\n'),
    );
    try {
      const result = await new GraphTransport(account.client, { saveToSentItems: box.graph.saveToSentItems }).send({ from: box.address, to: [rm] }, raw);
      lines.push({ check: 'send', status: 'passed', detail: `sent a test mail to the RM ${rm} (${result.response}); check it arrived` });
    } catch (error) {
      const cause = error instanceof SendError && error.response ? ` (${error.response})` : '';
      const status = error instanceof SendError && (error.response ?? '').startsWith('403') ? 403 : undefined;
      lines.push({
        check: 'send',
        status: 'failed',
        detail: `cannot send as ${mailbox}: ${describeError(error)}${cause}`,
        fix: graphFix(status ? new GraphError('', status) : error, o, 'Application Mail.Send', mailbox),
      });
    }
  }

  const other = (o.otherMailbox ?? rm).toLowerCase();
  if (other === mailbox) {
    lines.push({
      check: 'scope',
      status: 'warning',
      detail: 'no second mailbox to try',
      fix: 'run again with --other-mailbox someone@your-domain (a mailbox the app must not read)',
    });
    return lines;
  }
  try {
    await account.client.forUser(other).json({ method: 'GET', path: 'mailFolders/inbox?$select=displayName' });
    lines.push({
      check: 'scope',
      status: 'failed',
      detail: `the app CAN read ${other}: its permissions reach mailboxes it should not`,
      fix: `scope it to ${mailbox} with RBAC for Applications (New-ManagementScope, New-ManagementRoleAssignment -CustomResourceScope) and remove Mail.ReadWrite and Mail.Send from the app registration's API permissions: Entra grants reach every mailbox (${RUNBOOK}, step 4)`,
    });
  } catch (error) {
    if (error instanceof GraphError && error.status === 403) {
      lines.push({ check: 'scope', status: 'passed', detail: `cannot read ${other} (${error.detail}): the app is limited to ${mailbox}` });
    } else if (error instanceof GraphError && error.status === 404) {
      lines.push({
        check: 'scope',
        status: 'warning',
        detail: `no mailbox ${other} to try`,
        fix: 'run again with --other-mailbox naming an existing mailbox the app must not read',
      });
    } else {
      lines.push({ check: 'scope', status: 'warning', detail: `could not tell: ${describeError(error)}`, fix: 'run the doctor again' });
    }
  }
  return lines;
}

/** The lines as printed: `PASS  token   …`, the fix under a failure. */
export function formatDoctor(orgId: string, lines: DoctorLine[]): string {
  const tag: Record<DoctorStatus, string> = { passed: 'PASS', failed: 'FAIL', warning: 'WARN', skipped: 'SKIP' };
  const out = [`${orgId} (Microsoft Graph)`];
  for (const l of lines) {
    out.push(`  ${tag[l.status]}  ${l.check.padEnd(10)} ${l.detail}`);
    if (l.fix && l.status !== 'passed') out.push(`        fix: ${l.fix}`);
  }
  return out.join('\n');
}
