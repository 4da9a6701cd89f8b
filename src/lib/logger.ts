import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Message bodies, child references and secrets never belong in them;
 * the redaction list is a safety net for keys that should not have been logged at all.
 */
export const REDACT_PATHS = [
  'password',
  'pass',
  'accessToken',
  'clientSecret',
  'privateKey',
  'secret',
  'token',
  'body',
  'text',
  'html',
  'newText',
  'childRef',
  'raw',
  '*.password',
  '*.pass',
  '*.accessToken',
  '*.clientSecret',
  '*.privateKey',
  '*.secret',
  '*.token',
  '*.body',
  '*.text',
  '*.html',
  '*.newText',
  '*.childRef',
  '*.raw',
];

/**
 * A failed query's error message carries its SQL with the values written in (knex formats it as
 * `<sql with values> - <reason>`), and those values can be a message body or a child reference.
 * Only the reason is kept; anything very long is cut.
 */
export function scrubErrorMessage(message: string): string {
  const withoutSql = message.replace(/^\s*(insert|update|select|delete|with|begin|commit|rollback|savepoint|set|lock)\b[\s\S]* - /i, '[query] - ');
  return withoutSql.length > 500 ? `${withoutSql.slice(0, 500)}…` : withoutSql;
}

/**
 * A verdict's reason as a log line may carry it. Reasons are written as fixed wording followed by
 * detail ("MIME could not be parsed: <the parser's words>", "… (<why>)", a quoted value), and the
 * detail can come from the message itself: a MIME boundary, a header, a parser's error quoting
 * either. Only the wording before any such detail is logged; the whole reason stays on the message
 * row, where the RM and the operator can read it.
 */
export function loggableReason(reason: string): string {
  // split() always yields at least one piece; the fallback only satisfies the index type.
  const head = (reason.split(/:\s|\s\(|["“'‘<]/)[0] ?? '').trim();
  const safe = head.replace(/[^\w\s,;.’[\]-]/g, '');
  return (safe || 'see the message row').slice(0, 200);
}

/** Fields of an error that say what failed without carrying data (a driver's `detail` or `sql` can). */
const ERROR_FIELDS = ['code', 'errno', 'syscall', 'status', 'statusCode', 'responseCode', 'command'] as const;

/**
 * An error as a log line carries it: its type, scrubbed message and stack, the fields above and its
 * cause, for pino's `err` serializer to print as it is. The stack's header repeats the message, so it
 * is rebuilt from the scrubbed one; only the frames ("    at …") are kept from the original.
 */
export function loggableError(error: unknown, depth = 0): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as Record<string, unknown>;
  if (typeof e.message !== 'string') return error;
  const name = typeof e.name === 'string' && e.name ? e.name : 'Error';
  const message = scrubErrorMessage(e.message);
  const out: Record<string, unknown> = { type: error instanceof Error ? error.constructor.name : name, message };
  if (typeof e.stack === 'string') {
    const frames = e.stack.split('\n').filter((line) => /^\s+at /.test(line));
    out.stack = [`${name}: ${message}`, ...frames].join('\n');
  }
  for (const field of ERROR_FIELDS) if (typeof e[field] === 'string' || typeof e[field] === 'number') out[field] = e[field];
  if (e.cause !== undefined && depth < 3) out.cause = loggableError(e.cause, depth + 1);
  return out;
}

function scrubLogObject(object: Record<string, unknown>): Record<string, unknown> {
  if (typeof object.reason === 'string') return { ...object, reason: loggableReason(scrubErrorMessage(object.reason)) };
  return object;
}

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'escalator' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: scrubLogObject },
    // In place of pino's own `err` serializer (which copies every enumerable field and the message as it is).
    serializers: { err: loggableError, error: loggableError },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
