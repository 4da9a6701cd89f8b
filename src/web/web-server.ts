import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyFormbody from '@fastify/formbody';
import type { WebConfig } from '../config/config-schema.js';
import { Access, type WebUser } from './access.js';
import { OidcClient } from './oidc.js';
import { safeReturn, type WebDeps } from './guard.js';
import { PostgresSessionStore } from './session-store.js';
import { messagePage } from './pages/layout.js';
import { WEB_CSS } from './web-css.js';
import { registerBoardRoutes } from './board-routes.js';
import { registerCaseRoutes } from './case-routes.js';

/**
 * The web case view (issue 17): server-rendered pages on Fastify and its official plugins, in the
 * service's own process. Email stays the way people act on a case; here they look, decide
 * approvals and print evidence. Every action calls the same domain code as the mailed command.
 */
export async function buildWebApp(web: WebConfig, deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, trustProxy: 'loopback', bodyLimit: 64 * 1024 });
  const secure = new URL(web.publicUrl).protocol === 'https:';
  // Derived from the service's secret: one secret fewer to manage, and a different key per use.
  const sessionSecret = createHmac('sha256', deps.secret).update('web-session').digest('hex');

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // The sign-in leaves for the provider's site and comes back: a strict referrer policy and no cross-origin opener.
    referrerPolicy: { policy: 'same-origin' },
    hsts: secure ? { maxAge: 31536000 } : false,
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: sessionSecret,
    cookieName: 'escalator_session',
    saveUninitialized: false,
    store: new PostgresSessionStore(deps.orm, web.sessionHours * 3_600_000),
    cookie: { secure, httpOnly: true, sameSite: 'lax', path: '/', maxAge: web.sessionHours * 3_600_000 },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ err: { message: error.message, code: error.code }, route: req.routeOptions.url }, 'web request failed');
    const text =
      error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
        ? 'The form had expired or did not come from this site, so nothing was done. Go back, reload the page and try again.'
        : status === 429
          ? 'Too many attempts from your address; wait a minute and try again.'
          : status === 500
            ? 'Something went wrong on our side; nothing was done. The log has the details.'
            : 'The request could not be handled.';
    void reply
      .code(status)
      .type('text/html')
      .send(messagePage(status === 403 ? 'Not allowed' : 'Sorry', text));
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply
      .code(404)
      .type('text/html')
      .send(messagePage('Not found', 'There is nothing here, or you may not see it.', { link: { href: '/', label: 'Back to the cases' } }));
  });

  app.get('/assets/web.css', (_req, reply) => reply.type('text/css').header('cache-control', 'public, max-age=3600').send(WEB_CSS));

  const oidc = new OidcClient(web.oidc, new URL('/auth/callback', web.publicUrl).href);
  const signInLimit = { rateLimit: { max: web.signInPerMinute, timeWindow: '1 minute' } };

  app.get('/auth/login', { config: signInLimit }, async (req, reply) => {
    const { url, pending } = await oidc.start(safeReturn((req.query as { return?: unknown }).return));
    req.session.set('signIn', pending);
    return reply.redirect(url.href);
  });

  app.get('/auth/callback', { config: signInLimit }, async (req, reply) => {
    const pending = req.session.get('signIn');
    if (!pending)
      return reply
        .code(400)
        .type('text/html')
        .send(
          messagePage('Sign-in expired', 'This sign-in was not started here, or took too long.', { link: { href: '/auth/login', label: 'Sign in again' } }),
        );
    let user: WebUser;
    try {
      user = await oidc.finish(new URL(req.url, web.publicUrl), pending);
    } catch (error) {
      deps.logger.warn({ err: { message: (error as Error).message } }, 'web sign-in refused');
      req.session.set('signIn', undefined);
      return reply
        .code(400)
        .type('text/html')
        .send(messagePage('Sign-in failed', 'Your identity provider’s answer could not be checked.', { link: { href: '/auth/login', label: 'Try again' } }));
    }
    const access = Access.of(user, web.access);
    if (!access.any) {
      deps.logger.warn({ sub: user.sub }, 'web sign-in: no group of this user is given access');
      await req.session.destroy();
      return reply
        .code(403)
        .type('text/html')
        .send(
          messagePage('No access', 'You are signed in with your organisation, but none of your groups is given access to Escalator. Ask your administrator.'),
        );
    }
    // A new session id at sign-in: an id planted before it (session fixation) is worth nothing after.
    await req.session.regenerate();
    req.session.set('user', user);
    deps.logger.info({ sub: user.sub, roles: access.roles }, 'web sign-in');
    return reply.redirect(safeReturn(pending.returnTo));
  });

  app.post(
    '/auth/logout',
    {
      preHandler: (req, reply, done) => {
        app.csrfProtection(req, reply, done);
      },
    },
    async (req, reply) => {
      await req.session.destroy();
      return reply.redirect('/signed-out', 303);
    },
  );

  app.get('/signed-out', (_req, reply) =>
    reply.type('text/html').send(messagePage('Signed out', 'You have signed out of Escalator.', { link: { href: '/auth/login', label: 'Sign in again' } })),
  );

  registerBoardRoutes(app, web, deps);
  registerCaseRoutes(app, web, deps);
  return app;
}

/** The web view's listener: started by `escalator start` when `web:` is configured, or alone by `escalator web`. */
export class WebServer {
  private app: FastifyInstance | undefined;
  port = 0;

  constructor(
    private readonly web: WebConfig,
    private readonly deps: WebDeps,
  ) {}

  async start(): Promise<number> {
    this.app = await buildWebApp(this.web, this.deps);
    await this.app.listen({ host: this.web.host, port: this.web.port });
    this.port = (this.app.server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
