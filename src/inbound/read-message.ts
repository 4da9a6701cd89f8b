import { WorkCalendar } from '../domain/calendar/work-calendar.js';
import { analyseMessage } from '../domain/inbound/analyse-message.js';
import type { ReadResult, ReadTask } from '../runtime/message-reader.js';
import { parseMessage } from './parse-message.js';

/**
 * The header section of a message (up to the first empty line, at most `max` bytes), with the
 * empty line that ends it: enough for the parser to read every header and no body.
 */
export function headSection(raw: Uint8Array, max = 256 * 1024): Buffer {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 4 : -1, lf >= 0 ? lf + 2 : -1].filter((n) => n >= 0);
  const end = Math.min(ends.length ? Math.min(...ends) : buf.length, max);
  return Buffer.concat([buf.subarray(0, end), Buffer.from('\r\n\r\n')]);
}

/**
 * Parses and analyses one message (the task a parse worker runs; also run in-process where there
 * is no pool). Pure data in, pure data out. NUL characters are dropped from every string first:
 * PostgreSQL text cannot hold them and they are never meaningful in a header or body.
 */
export async function readMessage(task: ReadTask): Promise<ReadResult> {
  const raw = task.mode === 'head' ? headSection(task.raw) : Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  const mail = withoutNul(
    await parseMessage(raw, {
      receivedAt: new Date(task.receivedAt),
      ...(task.internalDate ? { internalDate: new Date(task.internalDate) } : {}),
      ...(task.envelopeTo ? { envelopeTo: task.envelopeTo } : {}),
      maxHtmlLength: task.maxHtmlLength,
      maxDateAgeDays: task.maxDateAgeDays,
    }),
  );
  const calendar = new WorkCalendar(task.analysis.calendar);
  const analysis = analyseMessage(mail, {
    inboxAddress: task.analysis.inboxAddress,
    timezone: calendar.timezone,
    workingDays: calendar,
    roles: task.analysis.roles,
    ladderIds: task.analysis.ladderIds,
    trustedAuthservIds: task.analysis.trustedAuthservIds,
    trust: task.analysis.trust,
    childReference: task.analysis.childReference,
  });
  return { mail, analysis };
}

function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => withoutNul(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNul(v)])) as T;
  }
  return value;
}
