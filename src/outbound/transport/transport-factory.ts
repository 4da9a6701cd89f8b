import { resolve } from 'node:path';
import type { OrganisationConfig } from '../../config/config-schema.js';
import { FileTransport } from './file-transport.js';
import type { MailTransport } from './mail-transport.js';
import { SmtpTransport, type AccessTokenProvider } from './smtp-transport.js';

/** Builds the organisation's outbound transport from its config. */
export function createTransport(org: OrganisationConfig, baseDir: string, tokens?: AccessTokenProvider): MailTransport {
  const out = org.mailbox.outbound;
  if (out.type === 'file') return new FileTransport(resolve(baseDir, out.dir));
  let auth: ConstructorParameters<typeof SmtpTransport>[0]['auth'];
  if (out.auth?.type === 'password') auth = { type: 'password', user: out.auth.user, password: out.auth.password };
  if (out.auth?.type === 'oauth2') {
    if (!tokens) throw new Error(`organisations.${org.id}: OAuth2 needs a token provider`);
    auth = { type: 'oauth2', user: out.auth.user, tokens };
  }
  return new SmtpTransport({
    host: out.host,
    port: out.port,
    secure: out.secure,
    requireTLS: out.requireTLS,
    tlsRejectUnauthorized: out.tlsRejectUnauthorized,
    ...(auth ? { auth } : {}),
  });
}
