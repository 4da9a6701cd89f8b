import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, fetch, type Response } from 'undici';

export interface GraphHttpOptions {
  /** PEM file of extra CA certificates to trust besides the system's (a TLS-inspecting proxy's, or a test server's). */
  caFile?: string;
  timeoutMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * The one HTTP client of a Graph mailbox, for the sign-in host and Graph alike: undici's fetch on
 * an agent of its own (keep-alive, the extra CA when one is given), each request given up after
 * the timeout. Undici rather than node:https because it is Node's own fetch engine, pools
 * connections, and takes a CA per agent without touching the process's.
 */
export class GraphHttp {
  private readonly agent: Agent;

  constructor(private readonly o: GraphHttpOptions) {
    const ca = o.caFile ? [...rootCertificates, readFileSync(o.caFile, 'utf8')] : undefined;
    this.agent = new Agent({ connections: 8, ...(ca ? { connect: { ca } } : {}) });
  }

  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  request(url: string, req: HttpRequest): Promise<Response> {
    return fetch(url, {
      method: req.method,
      ...(req.headers ? { headers: req.headers } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.o.timeoutMs),
    });
  }

  /** MSAL's network hook: its token and metadata requests go through this client too. */
  msalNetwork(): INetworkModule {
    const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
      const res = await this.request(url, {
        method,
        ...(options?.headers ? { headers: options.headers } : {}),
        ...(options?.body ? { body: options.body } : {}),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        // MSAL reads `error` and `error_description`; an HTML error page becomes one it can report.
        body = { error: `http_${res.status}`, error_description: `HTTP ${res.status} ${text.replace(/\s+/g, ' ').slice(0, 200)}` };
      }
      return { status: res.status, headers: Object.fromEntries(res.headers), body: body as T };
    };
    return {
      sendGetRequestAsync: (url, options) => send('GET', url, options),
      sendPostRequestAsync: (url, options) => send('POST', url, options),
    };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
