import { resolve } from 'node:path';
import type { OrganisationConfig } from '../../config/config-schema.js';
import type { Clock } from '../../lib/clock.js';
import { silentLogger, type Logger } from '../../lib/logger.js';
import type { GraphAccount } from '../../mail-account/graph/graph-accounts.js';
import type { AccessTokenProvider } from '../../mail-account/oauth/access-token-provider.js';
import { SentFolder } from '../sent-folder.js';
import { AppendToSentTransport } from './append-to-sent-transport.js';
import { FileTransport } from './file-transport.js';
import { GraphTransport } from './graph-transport.js';
import type { MailTransport } from '../../runtime/mail-transport.js';
import { SmtpTransport } from './smtp-transport.js';

export interface TransportOptions {
  logger?: Logger;
  clock?: Clock;
  /** Token provider for the inbound IMAP login, used to append to Sent when that login is OAuth2. */
  imapTokens?: AccessTokenProvider;
  /** The organisation's Graph mailbox (`mailbox.transport: graph`), shared with its reader. */
  graph?: GraphAccount;
}

/** Builds the organisation's outbound transport from its config. */
export function createTransport(org: OrganisationConfig, baseDir: string, tokens?: AccessTokenProvider, options: TransportOptions = {}): MailTransport {
  const out = org.mailbox.outbound;
  if (out.type === 'file') return new FileTransport(resolve(baseDir, out.dir));
  if (out.type === 'graph') {
    if (!options.graph) throw new Error(`organisations.${org.id}: transport graph needs its Graph account`);
    return new GraphTransport(options.graph.client, { saveToSentItems: options.graph.config.saveToSentItems });
  }
  let auth: ConstructorParameters<typeof SmtpTransport>[0]['auth'];
  if (out.auth?.type === 'password') auth = { type: 'password', user: out.auth.user, password: out.auth.password };
  if (out.auth?.type === 'oauth2') {
    if (!tokens) throw new Error(`organisations.${org.id}: OAuth2 needs a token provider`);
    auth = { type: 'oauth2', user: out.auth.user, tokens };
  }
  const smtp = new SmtpTransport({
    host: out.host,
    port: out.port,
    secure: out.secure,
    requireTLS: out.requireTLS,
    tlsRejectUnauthorized: out.tlsRejectUnauthorized,
    ...(auth ? { auth } : {}),
  });
  if (!out.appendToSent) return smtp;
  const logger = options.logger ?? silentLogger;
  const inbound = org.mailbox.inbound;
  if (inbound.type !== 'imap') {
    logger.warn({ organisation: org.id }, 'outbound.appendToSent needs inbound.type imap; sent mail is not kept in a Sent folder');
    return smtp;
  }
  if (inbound.auth.type === 'oauth2' && !options.imapTokens) throw new Error(`organisations.${org.id}: appendToSent over OAuth2 IMAP needs a token provider`);
  const sent = new SentFolder({
    host: inbound.host,
    port: inbound.port,
    secure: inbound.secure,
    tlsRejectUnauthorized: inbound.tlsRejectUnauthorized,
    auth: inbound.auth,
    folder: out.appendToSent,
    logger,
    ...(options.imapTokens ? { tokens: options.imapTokens } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return new AppendToSentTransport(smtp, sent);
}
