/**
 * Appends the large-mail scenario's ~24 MB messages to the watched mailbox from a process of its
 * own (a mail server delivering them does not run on the service's event loop), one every
 * `everyMs`, staff and stranger in turn.
 */
import { ImapFlow } from 'imapflow';
import { largeFrom, largeMessage } from './large-mail-corpus.js';

export interface LargeDeliverArgs {
  count: number;
  everyMs: number;
  now: string;
  host: string;
  port: number;
  user: string;
  password: string;
}

export type LargeDeliverMessage = { type: 'ready' } | { type: 'appended'; i: number; at: number } | { type: 'delivered'; at: number };

const args = JSON.parse(process.argv[2] ?? '{}') as LargeDeliverArgs;
const date = new Date(args.now);
const messages = Array.from({ length: args.count }, (_, i) => largeMessage(i, date, largeFrom(i)));
const client = new ImapFlow({ host: args.host, port: args.port, secure: false, auth: { user: args.user, pass: args.password }, logger: false });
client.on('error', () => undefined);
await client.connect();
const tell = (m: LargeDeliverMessage) => process.send?.(m);
tell({ type: 'ready' });
await new Promise<void>((resolve) =>
  process.once('message', () => {
    resolve();
  }),
);
for (const [i, raw] of messages.entries()) {
  const t0 = Date.now();
  await client.append('INBOX', raw, [], date);
  tell({ type: 'appended', i, at: Date.now() });
  const rest = args.everyMs - (Date.now() - t0);
  if (rest > 0 && i < messages.length - 1) await new Promise((r) => setTimeout(r, rest));
}
await client.logout().catch(() => undefined);
process.send?.({ type: 'delivered', at: Date.now() } satisfies LargeDeliverMessage, () => process.exit(0));
