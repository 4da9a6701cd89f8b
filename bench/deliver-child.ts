/**
 * Delivers the ingest corpus to the watched mailbox with IMAP APPEND, from a process of its own
 * (a mail server delivering does not run on the service's event loop). The corpus is generated
 * again here from the same seed, so it is byte for byte the one the parent parses.
 */
import { ImapFlow } from 'imapflow';
import { CorpusGenerator } from './corpus.js';
import { must } from './must.js';

export interface DeliverArgs {
  seed: number;
  count: number;
  now: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Parallel IMAP connections appending (each takes every k-th message, in order). */
  connections: number;
}

export interface DeliverResult {
  type: 'delivered';
  firstStart: number;
  lastEnd: number;
  count: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as DeliverArgs;
const corpus = new CorpusGenerator({ seed: args.seed, now: new Date(args.now) }).corpus(args.count);

const clients = await Promise.all(
  Array.from({ length: args.connections }, async () => {
    const c = new ImapFlow({ host: args.host, port: args.port, secure: false, auth: { user: args.user, pass: args.password }, logger: false });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }),
);
process.send?.({ type: 'ready' });
await new Promise<void>((resolve) =>
  process.once('message', () => {
    resolve();
  }),
);

const firstStart = Date.now();
await Promise.all(
  clients.map(async (client, k) => {
    for (let i = k; i < corpus.length; i += clients.length) {
      await client.append('INBOX', must(corpus[i], `message ${i}`).raw, [], new Date(args.now));
    }
  }),
);
const lastEnd = Date.now();
await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
process.send?.({ type: 'delivered', firstStart, lastEnd, count: corpus.length } satisfies DeliverResult, () => process.exit(0));
