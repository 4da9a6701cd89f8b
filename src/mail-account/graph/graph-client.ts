import type { Logger } from '../../lib/logger.js';
import type { AccessTokenProvider } from '../oauth/access-token-provider.js';
import type { GraphHttp, HttpRequest } from './graph-http.js';

/**
 * Graph refused or could not be reached. `status` 0: no answer (network, timeout). `retryAfterMs`:
 * the service asked to be left alone that long (429, or 503/504 with Retry-After).
 */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly status: number,
    /** Graph's `error.code` (`ErrorAccessDenied`, `ApplicationThrottled` …). */
    readonly code?: string,
    readonly retryAfterMs?: number,
    readonly requestId?: string,
    /** Graph's answer without the request: `HTTP 400 ErrorInvalidRecipients: …` (for the RM). */
    readonly detail: string = message,
  ) {
    super(message);
  }

  /** Throttled: come back after `retryAfterMs` (a default when the answer had no Retry-After). */
  get throttled(): boolean {
    return this.status === 429 || ((this.status === 503 || this.status === 504) && this.retryAfterMs !== undefined);
  }
}

export interface GraphClientOptions {
  /** The Graph origin, e.g. https://graph.microsoft.com. */
  graphUrl: string;
  /** The mailbox (user principal name or object id). */
  user: string;
  tokens: AccessTokenProvider;
  http: GraphHttp;
  /** At most this many requests at once to this mailbox (Graph allows 4 per app per mailbox). */
  maxConcurrent: number;
  logger?: Logger;
}

export interface GraphRequest {
  method: HttpRequest['method'];
  /** Relative to the mailbox (`mailFolders/inbox`), or a full URL Graph gave (`@odata.nextLink`). */
  path: string;
  json?: unknown;
  /** A body sent as it is, with its content type (sendMail's base64 MIME is `text/plain`). */
  body?: { contentType: string; data: string | Buffer };
  headers?: Record<string, string>;
  /** Read at most this many bytes of a successful answer; past it the body is dropped and `oversize` says how big it was. */
  maxBytes?: number;
}

/** Graph's answer, read. */
export interface GraphAnswer {
  status: number;
  /** undici's Headers, which the DOM's type does not quite match: only `get` is read. */
  headers: Pick<Headers, 'get'>;
  body: Buffer;
  /** The answer was bigger than `maxBytes`: its size (Content-Length, or what was read before stopping). */
  oversize?: number;
}

/** Retry-After is seconds or an HTTP date; Graph sends seconds. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits for a free slot: a small counting semaphore, first come first served. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async take(): Promise<() => void> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.used--;
    };
  }
}

/**
 * Microsoft Graph for one mailbox, as the app: `/v1.0/users/{mailbox}/…`. Every request carries the
 * shared token; a 401 gets one more try with a fresh token (a token revoked or expired early).
 * Requests to the mailbox queue for one of `maxConcurrent` slots, Graph's per-mailbox limit.
 * Errors come back as GraphError with Graph's code and the Retry-After it asked for; retrying is
 * the caller's decision (a reader waits, a sender reschedules without using an attempt).
 */
export class GraphClient {
  readonly base: string;
  private readonly slots: Slots;

  constructor(readonly o: GraphClientOptions) {
    this.base = `${o.graphUrl}/v1.0/users/${encodeURIComponent(o.user)}`;
    this.slots = new Slots(o.maxConcurrent);
  }

  get user(): string {
    return this.o.user;
  }

  /** The same app's view of another mailbox (the doctor checks the app cannot read one it should not). */
  forUser(user: string): GraphClient {
    return new GraphClient({ ...this.o, user });
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.base}/${path}`;
  }

  /** A JSON answer (undefined for an empty one: 202/204). */
  async json<T>(req: GraphRequest): Promise<T | undefined> {
    const answer = await this.request(req);
    if (answer.body.length === 0) return undefined;
    return JSON.parse(answer.body.toString('utf8')) as T;
  }

  async request(req: GraphRequest): Promise<GraphAnswer> {
    const release = await this.slots.take();
    try {
      let answer = await this.once(req, false);
      if (answer.status === 401) answer = await this.once(req, true);
      if (answer.status >= 400) throw this.error(req, answer);
      return answer;
    } finally {
      release();
    }
  }

  private async once(req: GraphRequest, freshToken: boolean): Promise<GraphAnswer> {
    const token = await this.o.tokens.getToken(freshToken);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...req.headers };
    let body: string | Buffer | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.body) {
      headers['content-type'] = req.body.contentType;
      body = req.body.data;
    }
    const url = this.url(req.path);
    try {
      const res = await this.o.http.request(url, { method: req.method, headers, ...(body !== undefined ? { body } : {}) });
      const answerHeaders = res.headers;
      if (req.maxBytes === undefined || res.status >= 300 || !res.body) {
        return { status: res.status, headers: answerHeaders, body: Buffer.from(await res.arrayBuffer()) };
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > req.maxBytes) {
        await res.body.cancel().catch(() => undefined);
        return { status: res.status, headers: answerHeaders, body: Buffer.alloc(0), oversize: declared };
      }
      const chunks: Buffer[] = [];
      let read = 0;
      // undici types the stream's chunks as any; a fetch body's chunks are bytes.
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        read += chunk.length;
        if (read > req.maxBytes) {
          await res.body.cancel().catch(() => undefined);
          return { status: res.status, headers: answerHeaders, body: Buffer.alloc(0), oversize: read };
        }
        chunks.push(Buffer.from(chunk));
      }
      return { status: res.status, headers: answerHeaders, body: Buffer.concat(chunks) };
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.o.http.timeoutMs} ms` : `${e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`;
      throw new GraphError(`${req.method} ${pathOnly(url)}: ${why}`, 0, e.cause?.code ?? e.name);
    }
  }

  private error(req: GraphRequest, answer: GraphAnswer): GraphError {
    let code: string | undefined;
    let message = '';
    let requestId = answer.headers.get('request-id') ?? undefined;
    try {
      const parsed = JSON.parse(answer.body.toString('utf8')) as { error?: { code?: string; message?: string; innerError?: Record<string, string> } };
      code = parsed.error?.code;
      message = parsed.error?.message ?? '';
      requestId ??= parsed.error?.innerError?.['request-id'];
    } catch {
      message = answer.body.toString('utf8').replace(/\s+/g, ' ').slice(0, 200);
    }
    const wait = retryAfterMs(answer.headers.get('retry-after'), Date.now());
    const detail = `HTTP ${answer.status}${code ? ` ${code}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`;
    return new GraphError(
      `${req.method} ${pathOnly(this.url(req.path))}: ${detail}`,
      answer.status,
      code,
      answer.status === 429 ? (wait ?? 30_000) : wait,
      requestId,
      detail,
    );
  }
}

/** A URL without its query (delta and skip tokens are long and say nothing to a reader of the log). */
function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
