import type { CaseRepository } from '../db/repositories/index.js';

export interface CaseExportOptions {
  /** Include each stored raw message as base64 (the default); without it only its size and SHA-256. */
  raw: boolean;
}

type Row = Record<string, unknown>;

/** Column values as JSON can carry them: dates as ISO strings, bytes as base64 (or left out). */
function plain(row: Row, raw: boolean): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (Buffer.isBuffer(value)) {
      if (raw) out[`${key}_base64`] = value.toString('base64');
      out[`${key}_bytes`] = value.length;
    } else if (value instanceof Date) {
      out[key] = value.toISOString();
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * Everything held about one case, for a subject access request or a transfer: the case row
 * (with its whole state), every event of its audit trail, every inbound message and every
 * outbound mail with their stored raw copies. Read in one repeatable-read snapshot so the parts
 * agree with each other. Undefined when there is no such case.
 */
export async function exportCase(cases: CaseRepository, ref: string, opts: CaseExportOptions, now: Date): Promise<Row | undefined> {
  const snapshot = await cases.exportSnapshot(ref);
  if (!snapshot) return undefined;
  const { state, ...row } = snapshot.case;
  return {
    format: 'escalator-case-export/1',
    exportedAt: now.toISOString(),
    rawIncluded: opts.raw,
    case: plain(row, opts.raw),
    state,
    events: snapshot.events.map((e) => plain(e, opts.raw)),
    messages: snapshot.messages.map((m) => plain(m, opts.raw)),
    outbox: snapshot.outbox.map((o) => plain(o, opts.raw)),
  };
}
