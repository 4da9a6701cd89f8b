import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { graphEndpoints, type GraphConfig } from '../../config/graph-schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { GraphClient } from './graph-client.js';
import { loadGraphCredential, type GraphCredential } from './graph-credential.js';
import { GraphHttp } from './graph-http.js';
import { GraphTokenProvider } from './graph-token-provider.js';

/** One organisation's Graph mailbox: its settings, the app's token, and a client bound to the mailbox. */
export interface GraphAccount {
  config: GraphConfig;
  /** The mailbox read and sent as (`graph.user`, else `mailbox.address`), lower-case. */
  mailbox: string;
  credential: GraphCredential;
  tokens: GraphTokenProvider;
  client: GraphClient;
  http: GraphHttp;
  loginUrl: string;
  graphUrl: string;
}

/**
 * Graph accounts of the running service, built on first use and shared: one token provider (one
 * token cache, refreshed before expiry) per app registration and cloud, used by every mailbox of
 * that app, reader and sender alike; one client per mailbox, so the per-mailbox request limit is
 * counted in one place in this process. The credential file is read once, here.
 */
export class GraphAccounts {
  private readonly accounts = new Map<string, GraphAccount>();
  private readonly tokens = new Map<string, GraphTokenProvider>();
  private readonly https = new Map<string, GraphHttp>();

  constructor(private readonly o: { clock: Clock; logger?: Logger; baseDir: string }) {}

  forMailbox(address: string, config: GraphConfig): GraphAccount {
    const mailbox = (config.user ?? address).toLowerCase();
    let account = this.accounts.get(mailbox);
    if (account) return account;
    const { loginUrl, graphUrl } = graphEndpoints(config);
    const caFile = config.caFile ? resolve(this.o.baseDir, config.caFile) : undefined;
    const httpKey = `${caFile ?? ''}|${config.timeoutSeconds}`;
    let http = this.https.get(httpKey);
    if (!http) {
      http = new GraphHttp({ ...(caFile ? { caFile } : {}), timeoutMs: config.timeoutSeconds * 1000 });
      this.https.set(httpKey, http);
    }
    const credential = loadGraphCredential(config, this.o.baseDir);
    // Hashed so the map holds no secret; the same app and credential in the same cloud share a token.
    const tokenKey = createHash('sha256')
      .update(
        JSON.stringify([config.tenantId, config.clientId, loginUrl, graphUrl, credential.kind === 'secret' ? credential.secret : credential.thumbprintSha256]),
      )
      .digest('hex');
    let tokens = this.tokens.get(tokenKey);
    if (!tokens) {
      tokens = new GraphTokenProvider({
        tenantId: config.tenantId,
        clientId: config.clientId,
        credential,
        loginUrl,
        graphUrl,
        http,
        clock: this.o.clock,
        ...(this.o.logger ? { logger: this.o.logger } : {}),
      });
      this.tokens.set(tokenKey, tokens);
    }
    const client = new GraphClient({
      graphUrl,
      user: mailbox,
      tokens,
      http,
      maxConcurrent: config.maxConcurrentRequests,
      ...(this.o.logger ? { logger: this.o.logger } : {}),
    });
    account = { config, mailbox, credential, tokens, client, http, loginUrl, graphUrl };
    this.accounts.set(mailbox, account);
    return account;
  }

  async close(): Promise<void> {
    await Promise.all([...this.https.values()].map((h) => h.close()));
    this.https.clear();
    this.accounts.clear();
    this.tokens.clear();
  }
}
