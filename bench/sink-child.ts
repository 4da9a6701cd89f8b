/**
 * The SMTP sink (test/support/smtp-sink.ts, unchanged) in a process of its own, so that the
 * receiving server's work (it parses every message it accepts) does not share the event loop of
 * the code being measured — as a real mail server would not. The parent asks it over IPC how
 * many messages it has accepted, and when the answer to a given Message-ID arrived.
 */
import { startSmtpSink } from '../test/support/smtp-sink.js';

export type SinkRequest =
  | { type: 'stats'; id: number }
  | { type: 'track'; id: number; on: boolean }
  | { type: 'replies'; id: number; inReplyTo: string[] }
  | { type: 'reset'; id: number }
  | { type: 'stop'; id: number };

export interface SinkStats {
  accepted: number;
  bytes: number;
  /** Wall-clock ms (Date.now) when the last message was accepted. */
  lastAt: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBytes: number;
}

export type SinkReply =
  | { type: 'ready'; port: number }
  | { type: 'stats'; id: number; stats: SinkStats }
  | { type: 'replies'; id: number; at: Record<string, number> }
  | { type: 'ok'; id: number };

const send = (m: SinkReply) => process.send?.(m);

const sink = await startSmtpSink();
let accepted = 0;
let bytes = 0;
let lastAt = 0;
let tracking = false;
/** In-Reply-To → when the first answer to it was accepted (only while tracking). */
const answers = new Map<string, number>();

/** The sink keeps every parsed message; count them and let them go so memory stays flat. */
function drain(): void {
  if (sink.messages.length === 0) return;
  for (const m of sink.messages) {
    accepted++;
    bytes += m.raw.length;
    const at = m.receivedAt.getTime();
    if (at > lastAt) lastAt = at;
    const irt = m.parsed.inReplyTo;
    if (tracking && irt && !answers.has(irt)) answers.set(irt, at);
  }
  sink.clear();
}
const timer = setInterval(drain, 100);

process.on('message', (req: SinkRequest) => {
  drain();
  switch (req.type) {
    case 'stats': {
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        id: req.id,
        stats: { accepted, bytes, lastAt, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, rssBytes: process.memoryUsage().rss },
      });
      break;
    }
    case 'track':
      tracking = req.on;
      answers.clear();
      send({ type: 'ok', id: req.id });
      break;
    case 'replies': {
      const at: Record<string, number> = {};
      for (const id of req.inReplyTo) {
        const t = answers.get(id);
        if (t !== undefined) at[id] = t;
      }
      send({ type: 'replies', id: req.id, at });
      break;
    }
    case 'reset':
      accepted = 0;
      bytes = 0;
      lastAt = 0;
      answers.clear();
      send({ type: 'ok', id: req.id });
      break;
    case 'stop':
      clearInterval(timer);
      void sink.stop().finally(() => {
        send({ type: 'ok', id: req.id });
        // Forked with IPC (the parent talks to it), so there is a channel to close unless the parent went first.
        if (process.connected) process.disconnect();
        process.exit(0);
      });
      break;
  }
});
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', port: sink.port });
