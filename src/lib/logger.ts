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

export function createLogger(level: LoggerOptions['level'] = 'info', destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'escalator' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
