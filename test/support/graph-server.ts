/**
 * A Microsoft Graph and Entra ID test server on loopback (HTTPS, a self-signed certificate whose
 * PEM is in `caFile`), speaking the subset Escalator uses, with the request and response shapes
 * Microsoft documents:
 *
 * - Token endpoint, client credentials with a secret or a signed client assertion (RFC 7523): the
 *   assertion's signature is checked against the registered certificate (`x5t#S256`), and its
 *   audience, issuer, subject and lifetime; errors as Entra words them (AADSTS90002 wrong tenant,
 *   700016 unknown app, 7000215 wrong secret, 700027 unknown, expired or bad key).
 *   learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
 *   learn.microsoft.com/entra/identity-platform/certificate-credentials,
 *   learn.microsoft.com/entra/identity-platform/reference-error-codes
 * - `GET /users/{id}/mailFolders/{id}/messages/delta`: pages of `value` with `@odata.nextLink`
 *   (`$skiptoken`) and a last page with `@odata.deltaLink` (`$deltatoken`), `Prefer:
 *   odata.maxpagesize`, `@removed` entries; 410 Gone for a token reset by `resetDelta()`.
 *   learn.microsoft.com/graph/api/message-delta, learn.microsoft.com/graph/delta-query-messages,
 *   learn.microsoft.com/graph/delta-query-overview
 * - `GET /users/{id}/messages/{id}/$value` (the MIME): learn.microsoft.com/graph/api/message-get
 * - `POST /users/{id}/sendMail` with base64 MIME as `text/plain` → 202, copy filed in Sent Items;
 *   "Invalid base64 string for MIME content." otherwise: learn.microsoft.com/graph/api/user-sendmail,
 *   learn.microsoft.com/graph/outlook-send-mime-message
 * - `POST /users/{id}/messages` (a MIME draft), `POST /messages/{id}/send`, `PATCH /messages/{id}`
 *   (categories, singleValueExtendedProperties), `POST /messages/{id}/move`: message-update,
 *   message-move, message-send, user-post-messages
 * - `mailFolders/{id}/childFolders` list with `$filter=displayName eq '…'` and create;
 *   `mailFolders/sentitems/messages?$filter=internetMessageId eq '…'`
 * - 429 (`ApplicationThrottled`) with `Retry-After`, and more than 4 requests at once to a mailbox
 *   refused the same way ("Application is over its MailboxConcurrency limit."):
 *   learn.microsoft.com/graph/throttling, learn.microsoft.com/graph/throttling-limits#outlook-service-limits
 * - 401 `InvalidAuthenticationToken` for an expired or unknown token; 403 `ErrorAccessDenied` for a
 *   mailbox outside the app's management scope (RBAC for Applications) or an operation its roles do
 *   not grant: learn.microsoft.com/exchange/permissions-exo/application-rbac
 */
import { randomBytes, verify, X509Certificate, constants, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** cert + key in one PEM file, as `graph.certificatePath` takes it. */
  path: string;
  thumbprintSha256: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'escalator-graph-'));

/** A self-signed certificate (the app's credential, or the server's TLS one), written to a temp file. */
export async function makeCertificate(opts: { cn?: string; notBefore?: Date; notAfter?: Date; ip?: string } = {}): Promise<TestCertificate> {
  const made = await selfsigned.generate([{ name: 'commonName', value: opts.cn ?? 'escalator-test' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: opts.notBefore ?? new Date(Date.now() - 86_400_000),
    notAfterDate: opts.notAfter ?? new Date(Date.now() + 365 * 86_400_000),
    ...(opts.ip ? { extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: opts.ip }] }] } : {}),
  });
  const path = join(scratch, `${randomBytes(6).toString('hex')}.pem`);
  writeFileSync(path, `${made.cert}\n${made.private}`);
  return { certPem: made.cert, keyPem: made.private, path, thumbprintSha256: new X509Certificate(made.cert).fingerprint256.replace(/:/g, '') };
}

export interface StoredMessage {
  id: string;
  internetMessageId?: string;
  raw: Buffer;
  receivedDateTime: string;
  categories: string[];
  folderId: string;
  isDraft: boolean;
  deleteAfterSubmit: boolean;
}

interface Folder {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnown?: string;
}

interface Mailbox {
  address: string;
  folders: Map<string, Folder>;
  messages: Map<string, StoredMessage>;
  /** Per folder: every change in order (a message appearing, changing, or leaving). */
  changes: Map<string, { seq: number; id: string }[]>;
  inFlight: number;
}

export interface SentMail {
  mailbox: string;
  /** The MIME's Message-ID header. */
  messageId?: string;
  /** The MIME as posted (decoded from base64). */
  raw: Buffer;
  /** To, Cc and Bcc of the MIME, lower-case. */
  recipients: string[];
  contentType: string;
  savedToSentItems: boolean;
}

export interface ThrottleRule {
  status?: 429 | 503;
  retryAfterSeconds?: number;
  /** How many requests to refuse; Infinity until cleared. */
  count: number;
  /** Only requests whose `METHOD /path` matches. */
  match?: RegExp;
}

export interface GraphServerOptions {
  tenant: string;
  clientId: string;
  /** Mailboxes that exist. */
  mailboxes: string[];
  /** Mailboxes the app may reach (its management scope); undefined: the first mailbox only. */
  scope?: string[];
  /** false: the scope is not enforced (the misconfiguration the doctor must catch). */
  scopeEnforced?: boolean;
  /** Which roles the app holds (Application Mail.ReadWrite, Application Mail.Send). */
  roles?: { readWrite: boolean; send: boolean };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': randomBytes(8).toString('hex'), ...headers });
  res.end(JSON.stringify(body));
};
const graphError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
  json(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex') } } }, headers);
};

const headerOf = (raw: Buffer, name: string): string | undefined => {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw
    .subarray(0, end >= 0 ? end : raw.length)
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
};
const addressesIn = (value: string | undefined) =>
  [...(value ?? '').matchAll(/[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+/g)].map((m) => m[0].toLowerCase());

/** The server. Every piece of its state is public so tests can look and change it. */
export class GraphServer {
  readonly tenant: string;
  readonly clientId: string;
  /** Tenants that exist (the configured one). */
  readonly tenants = new Set<string>();
  readonly certificates: X509Certificate[] = [];
  readonly secrets: string[] = [];
  readonly mailboxes = new Map<string, Mailbox>();
  scope: Set<string>;
  scopeEnforced: boolean;
  roles: { readWrite: boolean; send: boolean };
  /** Lifetime of tokens issued from now on, in seconds. */
  tokenLifetimeSeconds = 3599;
  readonly tokens = new Map<string, { expiresAt: number; audience: string }>();
  readonly tokenRequests: { form: Record<string, string>; status: number; error?: string }[] = [];
  readonly requests: { method: string; path: string; user?: string; status: number; token?: string }[] = [];
  readonly sent: SentMail[] = [];
  readonly throttles: ThrottleRule[] = [];
  /** Sends whose MIME matches are refused with this answer (ErrorInvalidRecipients, ErrorSendAsDenied …). */
  readonly sendRefusals: { match: RegExp; status: 400 | 403; code: string; message: string; count: number }[] = [];
  /** Milliseconds every Graph answer is held back (to make requests overlap). */
  latencyMs = 0;
  /** The most requests seen at once per mailbox. */
  readonly maxInFlight = new Map<string, number>();
  /** While set, every mailbox answer waits for it (see holdAnswers). */
  private gate: Promise<void> | null = null;
  private epoch = 1;
  private seq = 0;
  private counter = 0;
  private readonly rounds = new Map<string, { mailbox: string; folderId: string; upto: number; ids: string[]; epoch: number }>();
  private server!: Server;
  origin = '';
  caFile = '';

  private constructor(opts: GraphServerOptions) {
    this.tenant = opts.tenant;
    this.clientId = opts.clientId;
    this.tenants.add(opts.tenant);
    for (const a of opts.mailboxes) this.addMailbox(a);
    this.scope = new Set((opts.scope ?? opts.mailboxes.slice(0, 1)).map((a) => a.toLowerCase()));
    this.scopeEnforced = opts.scopeEnforced ?? true;
    this.roles = opts.roles ?? { readWrite: true, send: true };
  }

  static async start(opts: GraphServerOptions): Promise<GraphServer> {
    const s = new GraphServer(opts);
    const tls = await makeCertificate({ cn: '127.0.0.1', ip: '127.0.0.1' });
    s.caFile = join(scratch, `ca-${randomBytes(6).toString('hex')}.pem`);
    writeFileSync(s.caFile, tls.certPem);
    s.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        s.handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
          graphError(res, 500, 'InternalServerError', error instanceof Error ? error.message : String(error));
        });
      });
    });
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    const { port } = s.server.address() as { port: number };
    s.origin = `https://127.0.0.1:${port}`;
    return s;
  }

  /** The `mailbox.graph` block that points Escalator at this server. */
  graphConfig(credential: { certificatePath: string } | { clientSecret: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { tenantId: this.tenant, clientId: this.clientId, loginUrl: this.origin, graphUrl: this.origin, caFile: this.caFile, ...credential, ...extra };
  }

  addMailbox(address: string): void {
    const a = address.toLowerCase();
    const folders = new Map<string, Folder>();
    const root: Folder = { id: this.newId('root'), displayName: 'Top of Information Store', parentFolderId: '', wellKnown: 'msgfolderroot' };
    folders.set(root.id, root);
    for (const [wk, name] of [
      ['inbox', 'Inbox'],
      ['sentitems', 'Sent Items'],
      ['drafts', 'Drafts'],
      ['deleteditems', 'Deleted Items'],
    ] as const) {
      const f: Folder = { id: this.newId(wk), displayName: name, parentFolderId: root.id, wellKnown: wk };
      folders.set(f.id, f);
    }
    this.mailboxes.set(a, { address: a, folders, messages: new Map(), changes: new Map(), inFlight: 0 });
  }

  registerCertificate(certPem: string): void {
    this.certificates.push(new X509Certificate(certPem));
  }

  registerSecret(secret: string): void {
    this.secrets.push(secret);
  }

  /** Every token issued so far answers 401 from now on (as when they expire). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** Every delta and skip token issued so far answers 410 Gone. */
  resetDelta(): void {
    this.epoch++;
  }

  throttle(rule: ThrottleRule): void {
    this.throttles.push(rule);
  }

  /** Puts a message in a mailbox folder (`inbox` by default), as delivery would. */
  deliver(mailbox: string, raw: string | Buffer, folder = 'inbox'): StoredMessage {
    const box = this.box(mailbox);
    const f = this.folder(box, folder)!;
    const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const m: StoredMessage = {
      id: this.newId('msg'),
      ...(headerOf(bytes, 'message-id') ? { internetMessageId: headerOf(bytes, 'message-id')! } : {}),
      raw: bytes,
      receivedDateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      categories: [],
      folderId: f.id,
      isDraft: false,
      deleteAfterSubmit: false,
    };
    box.messages.set(m.id, m);
    this.changed(box, f.id, m.id);
    return m;
  }

  /** Messages now in a folder of a mailbox. */
  messagesIn(mailbox: string, folder = 'inbox'): StoredMessage[] {
    const box = this.box(mailbox);
    const f = this.folder(box, folder);
    return f ? [...box.messages.values()].filter((m) => m.folderId === f.id) : [];
  }

  /** A folder's id by well-known name or display-name path (`Escalator/Processed`). */
  folderIdOf(mailbox: string, path: string): string | undefined {
    const box = this.box(mailbox);
    const wk = this.folder(box, path);
    if (wk) return wk.id;
    let parent = [...box.folders.values()].find((f) => f.wellKnown === 'msgfolderroot')!.id;
    for (const name of path.split('/')) {
      const next = [...box.folders.values()].find((f) => f.parentFolderId === parent && f.displayName.toLowerCase() === name.toLowerCase());
      if (!next) return undefined;
      parent = next.id;
    }
    return parent;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  /** Removes the temporary certificate files of every server in this process. */
  static cleanUp(): void {
    rmSync(scratch, { recursive: true, force: true });
  }

  private newId(kind: string): string {
    return `AAMk${kind}${++this.counter}${randomBytes(6).toString('base64url')}`;
  }

  private box(address: string): Mailbox {
    const b = this.mailboxes.get(address.toLowerCase());
    if (!b) throw new Error(`no mailbox ${address} on the test server`);
    return b;
  }

  private folder(box: Mailbox, ref: string): Folder | undefined {
    return box.folders.get(ref) ?? [...box.folders.values()].find((f) => f.wellKnown === ref.toLowerCase());
  }

  private changed(box: Mailbox, folderId: string, id: string): void {
    const list = box.changes.get(folderId) ?? [];
    list.push({ seq: ++this.seq, id });
    box.changes.set(folderId, list);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    // Graph writes a key in links as `mailfolders('id')`; both forms name the same folder.
    const path = decodeURIComponent(url.pathname).replace(/mailFolders\('([^']+)'\)/gi, 'mailFolders/$1');
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token && req.method === 'POST') {
      this.tokenEndpoint(token[1]!, new URLSearchParams(body.toString('utf8')), res);
      return;
    }
    const users = /^\/v1\.0\/users\/([^/]+)\/(.*)$/.exec(path);
    if (!users) {
      graphError(res, 404, 'UnknownError', `no route ${req.method} ${path}`);
      return;
    }
    const user = users[1]!.toLowerCase();
    const rest = users[2]!;
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const log = (status: number) => this.requests.push({ method: req.method ?? '', path: rest, user, status, ...(auth ? { token: auth } : {}) });
    const issued = auth ? this.tokens.get(auth) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) {
      log(401);
      graphError(res, 401, 'InvalidAuthenticationToken', issued ? 'Lifetime validation failed, the token is expired.' : 'IDX14100: JWT is not well formed.');
      return;
    }
    if (issued.audience !== this.origin) {
      log(401);
      graphError(res, 401, 'InvalidAuthenticationToken', 'Invalid audience.');
      return;
    }
    const rule = this.throttles.find((r) => r.count > 0 && (!r.match || r.match.test(`${req.method} /${rest}`)));
    if (rule) {
      rule.count--;
      log(rule.status ?? 429);
      const headers: Record<string, string> = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {};
      if ((rule.status ?? 429) === 503) {
        graphError(res, 503, 'ServiceUnavailable', 'Service unavailable.', headers);
        return;
      }
      graphError(res, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', headers);
      return;
    }
    const box = this.mailboxes.get(user);
    if (!box) {
      log(404);
      graphError(res, 404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`);
      return;
    }
    if (this.scopeEnforced && !this.scope.has(user)) {
      log(403);
      graphError(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      return;
    }
    box.inFlight++;
    this.maxInFlight.set(user, Math.max(this.maxInFlight.get(user) ?? 0, box.inFlight));
    try {
      if (box.inFlight > 4) {
        log(429);
        graphError(res, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': '1' });
        return;
      }
      if (this.gate) await this.gate;
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const status = this.mail(req.method ?? 'GET', rest, url, req.headers, body, box, res);
      log(status);
    } finally {
      box.inFlight--;
    }
  }

  /**
   * Holds every mailbox answer until the returned function is called, so a test can see how many
   * requests a client keeps in flight without depending on how fast the machine is.
   */
  holdAnswers(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = null;
      release();
    };
  }

  /** Requests to this mailbox being answered now. */
  inFlight(user: string): number {
    return this.mailboxes.get(user.toLowerCase())?.inFlight ?? 0;
  }

  /** The mailbox API; returns the status it answered. */
  private mail(method: string, rest: string, url: URL, headers: IncomingMessage['headers'], body: Buffer, box: Mailbox, res: ServerResponse): number {
    const denied = () => (graphError(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'), 403);
    const reads = method === 'GET';
    if (rest === 'sendMail' || /^messages\/[^/]+\/send$/.test(rest)) {
      if (!this.roles.send) return denied();
    } else if (!this.roles.readWrite) return denied();
    if (reads && !this.roles.readWrite) return denied();

    let m: RegExpExecArray | null;
    if (method === 'POST' && rest === 'sendMail') {
      const mime = this.mimeBody(headers, body, res);
      if (!mime) return 400;
      const refusal = this.sendRefusals.find((r) => r.count > 0 && r.match.test(mime.toString('latin1')));
      if (refusal) {
        refusal.count--;
        graphError(res, refusal.status, refusal.code, refusal.message);
        return refusal.status;
      }
      this.submit(box, mime, String(headers['content-type']), true);
      res.writeHead(202, { 'request-id': randomBytes(8).toString('hex') });
      res.end();
      return 202;
    }
    if (method === 'POST' && rest === 'messages') {
      const mime = this.mimeBody(headers, body, res);
      if (!mime) return 400;
      const drafts = this.folder(box, 'drafts')!;
      const draft: StoredMessage = {
        id: this.newId('draft'),
        ...(headerOf(mime, 'message-id') ? { internetMessageId: headerOf(mime, 'message-id')! } : {}),
        raw: mime,
        receivedDateTime: new Date().toISOString(),
        categories: [],
        folderId: drafts.id,
        isDraft: true,
        deleteAfterSubmit: false,
      };
      box.messages.set(draft.id, draft);
      json(res, 201, { id: draft.id, isDraft: true, internetMessageId: draft.internetMessageId });
      return 201;
    }
    if ((m = /^messages\/([^/]+)\/send$/.exec(rest)) && method === 'POST') {
      const draft = box.messages.get(m[1]!);
      if (!draft?.isDraft) return (graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.'), 404);
      box.messages.delete(draft.id);
      this.submit(box, draft.raw, 'draft', !draft.deleteAfterSubmit);
      res.writeHead(202);
      res.end();
      return 202;
    }
    if ((m = /^messages\/([^/]+)\/\$value$/.exec(rest)) && reads) {
      const msg = box.messages.get(m[1]!);
      if (!msg) return (graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.'), 404);
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(msg.raw.length) });
      res.end(msg.raw);
      return 200;
    }
    if ((m = /^messages\/([^/]+)\/move$/.exec(rest)) && method === 'POST') {
      const msg = box.messages.get(m[1]!);
      const dest = this.folder(box, (JSON.parse(body.toString('utf8')) as { destinationId: string }).destinationId);
      if (!msg || !dest) return (graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.'), 404);
      // A moved message gets a new id in its new folder; the old folder sees it leave.
      box.messages.delete(msg.id);
      this.changed(box, msg.folderId, msg.id);
      const moved = { ...msg, id: this.newId('msg'), folderId: dest.id };
      box.messages.set(moved.id, moved);
      this.changed(box, dest.id, moved.id);
      json(res, 201, this.resource(moved));
      return 201;
    }
    if ((m = /^messages\/([^/]+)$/.exec(rest)) && method === 'PATCH') {
      const msg = box.messages.get(m[1]!);
      if (!msg) return (graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.'), 404);
      const patch = JSON.parse(body.toString('utf8')) as { categories?: string[]; singleValueExtendedProperties?: { id: string; value: string }[] };
      if (patch.categories) msg.categories = patch.categories;
      if (patch.singleValueExtendedProperties?.some((p) => p.id === 'Boolean 0x0E01' && p.value === 'true')) msg.deleteAfterSubmit = true;
      if (!msg.isDraft) this.changed(box, msg.folderId, msg.id);
      json(res, 200, this.resource(msg));
      return 200;
    }
    if ((m = /^mailFolders\/([^/]+)\/messages\/delta$/.exec(rest)) && reads) return this.delta(box, m[1]!, url, headers, res);
    if ((m = /^mailFolders\/([^/]+)\/messages$/.exec(rest)) && reads) {
      const f = this.folder(box, m[1]!);
      if (!f) return (graphError(res, 404, 'ErrorInvalidIdMalformed', 'Id is malformed.'), 404);
      const filter = /^internetMessageId eq '(.*)'$/.exec(url.searchParams.get('$filter') ?? '');
      const wanted = filter ? filter[1]!.replace(/''/g, "'") : undefined;
      const list = [...box.messages.values()].filter((x) => x.folderId === f.id && (!wanted || x.internetMessageId === wanted));
      json(res, 200, { value: list.map((x) => this.resource(x)) });
      return 200;
    }
    if ((m = /^mailFolders\/([^/]+)\/childFolders$/.exec(rest))) {
      const parent = this.folder(box, m[1]!);
      if (!parent) return (graphError(res, 404, 'ErrorInvalidIdMalformed', 'Id is malformed.'), 404);
      if (method === 'POST') {
        const { displayName } = JSON.parse(body.toString('utf8')) as { displayName: string };
        const f: Folder = { id: this.newId('folder'), displayName, parentFolderId: parent.id };
        box.folders.set(f.id, f);
        json(res, 201, f);
        return 201;
      }
      const filter = /^displayName eq '(.*)'$/.exec(url.searchParams.get('$filter') ?? '');
      const name = filter ? filter[1]!.replace(/''/g, "'") : undefined;
      const list = [...box.folders.values()].filter((f) => f.parentFolderId === parent.id && (!name || f.displayName === name));
      json(res, 200, { value: list.map((f) => ({ id: f.id, displayName: f.displayName })) });
      return 200;
    }
    if ((m = /^mailFolders\/([^/]+)$/.exec(rest)) && reads) {
      const f = this.folder(box, m[1]!);
      if (!f) return (graphError(res, 404, 'ErrorInvalidIdMalformed', 'Id is malformed.'), 404);
      json(res, 200, { id: f.id, displayName: f.displayName, totalItemCount: [...box.messages.values()].filter((x) => x.folderId === f.id).length });
      return 200;
    }
    graphError(res, 400, 'BadRequest', `Unsupported request ${method} ${rest}`);
    return 400;
  }

  private mimeBody(headers: IncomingMessage['headers'], body: Buffer, res: ServerResponse): Buffer | undefined {
    const text = body.toString('latin1').replace(/\s+/g, '');
    if (!String(headers['content-type']).startsWith('text/plain') || !/^[A-Za-z0-9+/]+=*$/.test(text) || text.length % 4 !== 0) {
      graphError(res, 400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
      return undefined;
    }
    return Buffer.from(text, 'base64');
  }

  private submit(box: Mailbox, mime: Buffer, contentType: string, keepCopy: boolean): void {
    const recipients = [...new Set([...addressesIn(headerOf(mime, 'to')), ...addressesIn(headerOf(mime, 'cc')), ...addressesIn(headerOf(mime, 'bcc'))])];
    const messageId = headerOf(mime, 'message-id');
    this.sent.push({ mailbox: box.address, ...(messageId ? { messageId } : {}), raw: mime, recipients, contentType, savedToSentItems: keepCopy });
    if (!keepCopy) return;
    const sentItems = this.folder(box, 'sentitems')!;
    const copy: StoredMessage = {
      id: this.newId('sent'),
      ...(headerOf(mime, 'message-id') ? { internetMessageId: headerOf(mime, 'message-id')! } : {}),
      raw: mime,
      receivedDateTime: new Date().toISOString(),
      categories: [],
      folderId: sentItems.id,
      isDraft: false,
      deleteAfterSubmit: false,
    };
    box.messages.set(copy.id, copy);
    this.changed(box, sentItems.id, copy.id);
  }

  private resource(m: StoredMessage): Record<string, unknown> {
    return {
      '@odata.type': '#microsoft.graph.message',
      '@odata.etag': `W/"${m.id.slice(-8)}"`,
      id: m.id,
      receivedDateTime: m.receivedDateTime,
      internetMessageId: m.internetMessageId,
      categories: m.categories,
      isDraft: m.isDraft,
      parentFolderId: m.folderId,
    };
  }

  private delta(box: Mailbox, folderRef: string, url: URL, headers: IncomingMessage['headers'], res: ServerResponse): number {
    const f = this.folder(box, folderRef);
    if (!f) return (graphError(res, 404, 'ErrorInvalidIdMalformed', 'Id is malformed.'), 404);
    const pageSize = Number(/odata\.maxpagesize=(\d+)/.exec(String(headers.prefer ?? ''))?.[1] ?? 10);
    const skip = url.searchParams.get('$skiptoken');
    const delta = url.searchParams.get('$deltatoken');
    const gone = () => (
      graphError(res, 410, 'SyncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.'),
      410
    );
    let roundId: string;
    let offset = 0;
    if (skip) {
      const [id, at] = skip.split('.');
      const round = this.rounds.get(id!);
      if (round?.epoch !== this.epoch) return gone();
      roundId = id!;
      offset = Number(at);
    } else {
      let since = 0;
      if (delta) {
        const [epoch, seq] = delta.split('.').map(Number);
        if (epoch !== this.epoch) return gone();
        since = seq!;
      }
      // A round lists each message whose last change falls in (since, now], once.
      const changes = box.changes.get(f.id) ?? [];
      const upto = this.seq;
      const last = new Map<string, number>();
      for (const c of changes) if (c.seq > since && c.seq <= upto) last.set(c.id, c.seq);
      const ids = [...last.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
      // A first round lists what is there, not what has left.
      const listed = since === 0 ? ids.filter((id) => box.messages.get(id)?.folderId === f.id) : ids;
      roundId = randomBytes(8).toString('hex');
      this.rounds.set(roundId, { mailbox: box.address, folderId: f.id, upto, ids: listed, epoch: this.epoch });
    }
    const round = this.rounds.get(roundId)!;
    const slice = round.ids.slice(offset, offset + pageSize);
    const value = slice.map((id) => {
      const m = box.messages.get(id);
      return m?.folderId === f.id ? this.resource(m) : { '@odata.type': '#microsoft.graph.message', id, '@removed': { reason: m ? 'changed' : 'deleted' } };
    });
    const base = `${this.origin}/v1.0/users/${encodeURIComponent(box.address)}/mailFolders('${f.id}')/messages/delta`;
    const more = offset + pageSize < round.ids.length;
    json(res, 200, {
      '@odata.context': `${this.origin}/v1.0/$metadata#Collection(message)`,
      ...(more
        ? { '@odata.nextLink': `${base}?$skiptoken=${roundId}.${offset + pageSize}` }
        : { '@odata.deltaLink': `${base}?$deltatoken=${round.epoch}.${round.upto}` }),
      value,
    });
    return 200;
  }

  private tokenEndpoint(tenant: string, form: URLSearchParams, res: ServerResponse): void {
    const record = Object.fromEntries(form);
    const fail = (status: number, error: string, description: string) => {
      const code = Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0);
      this.tokenRequests.push({ form: record, status, error: description });
      json(res, status, {
        error,
        error_description: `${description}\r\nTrace ID: ${randomBytes(8).toString('hex')}\r\nCorrelation ID: ${randomBytes(8).toString('hex')}\r\nTimestamp: ${new Date().toISOString()}`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
        trace_id: randomBytes(8).toString('hex'),
        correlation_id: randomBytes(8).toString('hex'),
      });
    };
    if (!this.tenants.has(tenant)) {
      fail(
        400,
        'invalid_request',
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
      return;
    }
    const clientId = form.get('client_id') ?? '';
    if (form.get('grant_type') !== 'client_credentials') {
      fail(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
      return;
    }
    if (clientId !== this.clientId) {
      fail(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
      return;
    }
    const scope = form.get('scope') ?? '';
    if (scope !== `${this.origin}/.default`) {
      fail(
        400,
        'invalid_resource',
        `AADSTS500011: The resource principal named ${scope.replace(/\/\.default$/, '')} was not found in the tenant named ${tenant}.`,
      );
      return;
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (!this.secrets.includes(secret)) {
        fail(
          401,
          'invalid_client',
          `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        );
        return;
      }
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        fail(400, 'invalid_request', 'AADSTS50027: JWT token is invalid or malformed.');
        return;
      }
      const problem = this.checkAssertion(assertion, clientId, `${this.origin}/${tenant}/oauth2/v2.0/token`);
      if (problem) {
        fail(401, 'invalid_client', problem);
        return;
      }
    } else {
      fail(401, 'invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
      return;
    }
    const token = `graph-token-${this.tokens.size + 1}-${randomBytes(6).toString('hex')}`;
    this.tokens.set(token, { expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000, audience: scope.replace(/\/\.default$/, '') });
    this.tokenRequests.push({ form: record, status: 200 });
    json(res, 200, { token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token: token });
  }

  /** Why a client assertion is refused (Entra's words), or undefined when it is good. */
  private checkAssertion(assertion: string, clientId: string, audience: string): string | undefined {
    const parts = assertion.split('.');
    if (parts.length !== 3) return 'AADSTS50027: JWT token is invalid or malformed.';
    let header: Record<string, string>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, string>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return 'AADSTS50027: JWT token is invalid or malformed.';
    }
    const x5tS256 = header['x5t#S256'];
    const x5t = header.x5t;
    const cert = this.certificates.find(
      (c) =>
        (!!x5tS256 && Buffer.from(c.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url') === x5tS256) ||
        (!!x5t && Buffer.from(c.fingerprint.replace(/:/g, ''), 'hex').toString('base64url') === x5t),
    );
    const thumb = x5tS256 ? Buffer.from(x5tS256, 'base64url').toString('hex').toUpperCase() : (x5t ?? '');
    if (!cert) {
      return `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumb}']`;
    }
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, 'base64url');
    const key = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
    const ok =
      header.alg === 'PS256'
        ? verify('sha256', signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
        : header.alg === 'RS256'
          ? verify('sha256', signed, key, signature)
          : false;
    if (!ok)
      return `AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was found but the signature could not be verified., Thumbprint of key used by client: '${thumb}']`;
    if (new Date(cert.validTo).getTime() <= Date.now()) {
      return `AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '${thumb}', Found key 'Start=${cert.validFrom}, End=${cert.validTo}']`;
    }
    if (claims.aud !== audience)
      return `AADSTS700023: Client assertion audience claim does not match Realm issuer. Review the documentation at https://aka.ms/certCredentials .`;
    if (claims.iss !== clientId || claims.sub !== clientId) return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.";
    const now = Date.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp < now - 300 || (typeof claims.nbf === 'number' && claims.nbf > now + 300)) {
      return 'AADSTS700024: Client assertion is not within its valid time range.';
    }
    return undefined;
  }
}
