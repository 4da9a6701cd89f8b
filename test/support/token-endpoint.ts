import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  path: string;
  contentType: string;
  form: URLSearchParams;
}

export interface TokenReply {
  status: number;
  body: unknown;
}

export interface TokenEndpoint {
  /** Base URL, e.g. http://127.0.0.1:PORT; append any path (the endpoint answers on every path). */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: readonly TokenRequest[];
  /** Every token issued, in order; the last is the current one. */
  readonly issued: readonly string[];
  readonly current: string | undefined;
  /** `expires_in` for the next tokens, in seconds. */
  expiresIn: number;
  /** Answers requests itself when it returns a reply (an error body, say); tokens are issued otherwise. */
  override: ((req: TokenRequest) => TokenReply | undefined) | undefined;
  /**
   * The user `POST /introspect` (RFC 7662, as Dovecot's oauth2 passdb asks) reports for the
   * current token; any other token is inactive. Introspection requests are not in `requests`.
   */
  introspectUser: string | undefined;
  /** Tokens checked through /introspect, in order, with the answer given. */
  readonly introspections: readonly { token: string; active: boolean }[];
  /** Holds answers back until the returned function is called (to make callers overlap). */
  hold(): () => void;
  stop(): Promise<void>;
}

/**
 * A real OAuth2 token endpoint on loopback: form-encoded POST in, JSON out. Issues `token-1`,
 * `token-2` … each with the current `expiresIn`.
 */
export async function startTokenEndpoint(opts: { expiresIn?: number } = {}): Promise<TokenEndpoint> {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const introspections: { token: string; active: boolean }[] = [];
  let held: (() => void)[] | undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: TokenRequest = {
        path: req.url ?? '/',
        contentType: req.headers['content-type'] ?? '',
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      };
      if (request.path === '/introspect') {
        const token = request.form.get('token') ?? '';
        const active = token !== '' && token === issued.at(-1) && endpoint.introspectUser !== undefined;
        introspections.push({ token, active });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(active ? { active: 'true', username: endpoint.introspectUser } : { active: 'false' }));
        return;
      }
      requests.push(request);
      const answer = (): void => {
        let reply = endpoint.override?.(request);
        if (!reply) {
          const token = `token-${issued.length + 1}`;
          issued.push(token);
          reply = { status: 200, body: { token_type: 'Bearer', expires_in: endpoint.expiresIn, ext_expires_in: endpoint.expiresIn, access_token: token } };
        }
        res.writeHead(reply.status, { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json' });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const endpoint: TokenEndpoint = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    issued,
    get current() {
      return issued.at(-1);
    },
    expiresIn: opts.expiresIn ?? 3600,
    override: undefined,
    introspectUser: undefined,
    introspections,
    hold() {
      held ??= [];
      return () => {
        const waiting = held ?? [];
        held = undefined;
        for (const answer of waiting) answer();
      };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
  return endpoint;
}
