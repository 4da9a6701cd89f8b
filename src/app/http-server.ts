import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** /healthz (the process is up), /readyz (its dependencies answer), /metrics (Prometheus). */
export class HttpServer {
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly checks: HealthCheck[],
    private readonly registry: Registry,
  ) {}

  async start(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      void this.handle(req.url ?? '/').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  private async handle(url: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (path === '/healthz') return { status: 200, type: 'text/plain', body: 'ok\n' };
    if (path === '/readyz') {
      const results = await Promise.all(
        this.checks.map(async (c) => {
          try {
            return { name: c.name, ...(await c.check()) };
          } catch (error) {
            return { name: c.name, ok: false, detail: (error as Error).message };
          }
        }),
      );
      const ok = results.every((r) => r.ok);
      return { status: ok ? 200 : 503, type: 'application/json', body: `${JSON.stringify({ ok, checks: results })}\n` };
    }
    if (path === '/metrics') return { status: 200, type: this.registry.contentType, body: await this.registry.metrics() };
    return { status: 404, type: 'text/plain', body: 'not found\n' };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    this.server = undefined;
  }
}
