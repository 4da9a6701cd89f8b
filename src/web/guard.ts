import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebConfig } from '../config/config-schema.js';
import type { Deps } from '../runtime/deps.js';
import { Access, type WebUser } from './access.js';
import type { PendingSignIn } from './oidc.js';
import { messagePage } from './pages/layout.js';

declare module 'fastify' {
  interface Session {
    user?: WebUser;
    signIn?: PendingSignIn;
  }
  interface FastifyRequest {
    access?: Access;
  }
}

export type WebDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret'>;

/** Only a path on this site may be returned to after sign-in (never `//evil.example`). */
export function safeReturn(path: unknown): string {
  return typeof path === 'string' && /^\/(?![/\\])/.test(path) ? path : '/';
}

/** The signed-in user's access, or a refusal: sign-in for a page, 401 for anything else. */
export function requireUser(req: FastifyRequest, reply: FastifyReply, web: WebConfig): Access | undefined {
  const user = req.session.user;
  if (!user) {
    if (req.method === 'GET') void reply.redirect(`/auth/login?return=${encodeURIComponent(req.url)}`);
    else
      void reply
        .code(401)
        .type('text/html')
        .send(messagePage('Sign in first', 'You are not signed in, so nothing was done.', { link: { href: '/auth/login', label: 'Sign in' } }));
    return undefined;
  }
  const access = Access.of(user, web.access);
  if (!access.any) {
    void reply
      .code(403)
      .type('text/html')
      .send(messagePage('No access', 'You are signed in, but none of your groups is given access to Escalator. Ask your administrator.'));
    return undefined;
  }
  return access;
}
