import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { PATIENCE_MS } from './patience.js';
import { waitFor as poll } from './wait.js';

export type SmtpSinkAuth = 'none' | 'password' | 'xoauth2';

export interface SmtpSinkOptions {
  auth?: SmtpSinkAuth;
  /** user -> password, for auth: 'password'. */
  users?: Record<string, string>;
  /** Decides XOAUTH2 bearer tokens, for auth: 'xoauth2'. */
  validateToken?: (user: string, token: string) => boolean | Promise<boolean>;
}

export interface CapturedMessage {
  /** The SMTP envelope, which is the only place Bcc recipients appear. */
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** Message-ID header as sent, angle brackets included; '' if the message had none. */
  messageId: string;
  receivedAt: Date;
  /** The user the session authenticated as, null without AUTH. */
  authenticatedUser: string | null;
}

export type SmtpStage = 'connect' | 'mail' | 'rcpt' | 'data';

/** A reply the sink refused with, so tests can assert what a client was told (and how often). */
export interface SmtpRejection {
  stage: SmtpStage;
  code: number;
  /** MAIL FROM / RCPT TO address where the stage has one. */
  address?: string;
  at: Date;
}

export interface SmtpAuthAttempt {
  method: string;
  user: string;
  accepted: boolean;
}

export interface WaitForMessageOptions {
  timeout?: number;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  /** Accepted messages in arrival order. */
  readonly messages: readonly CapturedMessage[];
  /** authenticatedUser of every accepted message, in the same order as messages. */
  readonly authenticatedUsers: readonly (string | null)[];
  readonly rejections: readonly SmtpRejection[];
  readonly authAttempts: readonly SmtpAuthAttempt[];
  /** nodemailer SMTP transport options for this sink (plain TCP, never STARTTLS). */
  readonly transportOptions: { host: string; port: number; secure: false; ignoreTLS: true };
  /** Finds a message by Message-ID, with or without angle brackets. */
  byMessageId(id: string): CapturedMessage | undefined;
  waitFor(predicate: (message: CapturedMessage) => boolean, opts?: WaitForMessageOptions): Promise<CapturedMessage>;
  /** Resolves once at least n messages were accepted. */
  waitForCount(n: number, opts?: WaitForMessageOptions): Promise<CapturedMessage[]>;
  /** Forgets captured messages, rejections and auth attempts (not the programmed failures). */
  clear(): void;
  stop(): Promise<void>;
  /** The next n DATA commands get a temporary failure (after the body was read). */
  failNext(n: number, code?: number, message?: string): void;
  /**
   * The next `n` messages whose envelope recipients include `address` are refused at DATA with
   * `code` (other messages pass): aims a failure at one mail when several are in flight.
   */
  failNextTo(address: string, n: number, code?: number, message?: string): void;
  /** RCPT TO for this address is refused (case-insensitive) until heal(). */
  rejectRecipient(address: string, code?: number, message?: string): void;
  /**
   * The next `n` RCPT TO for this address are refused with `code` (default 450, a temporary
   * refusal), then it is accepted again: one recipient of a mail turned away for a while.
   */
  refuseRecipientNext(address: string, n: number, code?: number, message?: string): void;
  /** Refuses every connection and command with `code` until heal(); 421 also drops the connection. */
  failAll(code?: number, message?: string): void;
  /** Clears every programmed failure: failAll, failNext and rejected or refused recipients. */
  heal(): void;
}

const HOST = '127.0.0.1';

interface SmtpError extends Error {
  responseCode: number;
}

function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

function bare(messageId: string): string {
  return messageId.trim().replace(/^<|>$/g, '');
}

function sessionUser(session: SMTPServerSession): string | null {
  return typeof session.user === 'string' ? session.user : null;
}

/**
 * A real SMTP server on loopback that keeps every message it accepts, for asserting what the
 * service really put on the wire. No TLS: STARTTLS is disabled so clients never try to upgrade.
 */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const auth = opts.auth ?? 'none';
  const users = opts.users ?? {};
  const validateToken = opts.validateToken;
  if (auth === 'xoauth2' && !validateToken) throw new Error("startSmtpSink({ auth: 'xoauth2' }) needs validateToken");

  const messages: CapturedMessage[] = [];
  const rejections: SmtpRejection[] = [];
  const authAttempts: SmtpAuthAttempt[] = [];
  const failTo = new Map<string, { remaining: number; error: SmtpError }>();
  let failNextRemaining = 0;
  let failNextError: SmtpError | null = null;
  let outage: SmtpError | null = null;
  const rejectedRecipients = new Map<string, SmtpError>();
  const refusedNext = new Map<string, { remaining: number; error: SmtpError }>();

  const reject = (stage: SmtpStage, error: SmtpError, address?: string): SmtpError => {
    rejections.push({ stage, code: error.responseCode, ...(address === undefined ? {} : { address }), at: new Date() });
    return error;
  };

  const authOptions: Partial<SMTPServerOptions> =
    auth === 'none'
      ? { disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true }
      : {
          disabledCommands: ['STARTTLS'],
          // Without TLS smtp-server refuses AUTH unless told the cleartext is acceptable.
          allowInsecureAuth: true,
          // Listing only XOAUTH2 makes the server both advertise it and refuse PLAIN/LOGIN.
          authMethods: auth === 'xoauth2' ? ['XOAUTH2'] : ['PLAIN', 'LOGIN'],
        };

  const server = new SMTPServer({
    ...authOptions,
    name: 'smtp-sink.test',
    logger: false,
    disableReverseLookup: true,
    // Pooled clients keep connections open; stop() should not wait the default 30 s for them.
    closeTimeout: 500,
    onConnect(_session, callback) {
      callback(outage ? reject('connect', outage) : null);
    },
    onAuth(request, _session, callback) {
      void (async () => {
        const user = request.username ?? '';
        let accepted = false;
        if (auth === 'password' && (request.method === 'PLAIN' || request.method === 'LOGIN')) {
          accepted = Object.hasOwn(users, user) && users[user] === request.password;
        } else if (auth === 'xoauth2' && request.method === 'XOAUTH2' && validateToken) {
          accepted = await validateToken(user, request.accessToken ?? '');
        }
        authAttempts.push({ method: request.method, user, accepted });
        if (accepted) {
          callback(null, { user });
          return;
        }
        if (request.method === 'XOAUTH2') {
          // RFC 7628 style failure: the server sends this JSON as a 334 challenge, the client
          // answers with an empty line, and only then gets the final 535.
          callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.test/' } });
          return;
        }
        callback(smtpError(535, 'Authentication credentials invalid'));
      })().catch((error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)));
      });
    },
    onMailFrom(address, _session, callback) {
      callback(outage ? reject('mail', outage, address.address) : null);
    },
    onRcptTo(address, _session, callback) {
      if (outage) {
        callback(reject('rcpt', outage, address.address));
        return;
      }
      const next = refusedNext.get(address.address.toLowerCase());
      if (next && next.remaining > 0) {
        next.remaining--;
        callback(reject('rcpt', next.error, address.address));
        return;
      }
      const refusal = rejectedRecipients.get(address.address.toLowerCase());
      callback(refusal ? reject('rcpt', refusal, address.address) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', (error: Error) => {
        callback(error);
      });
      // The body is always read to the end before replying: answering early would leave the
      // client's remaining DATA bytes to be parsed as commands.
      stream.once('end', () => {
        void (async () => {
          if (outage) {
            callback(reject('data', outage));
            return;
          }
          if (failNextRemaining > 0 && failNextError) {
            failNextRemaining--;
            callback(reject('data', failNextError));
            return;
          }
          for (const rcpt of session.envelope.rcptTo) {
            const aimed = failTo.get(rcpt.address.toLowerCase());
            if (aimed && aimed.remaining > 0) {
              aimed.remaining--;
              callback(reject('data', aimed.error));
              return;
            }
          }
          const raw = Buffer.concat(chunks);
          const parsed = await simpleParser(raw);
          const envelope = session.envelope;
          messages.push({
            envelope: {
              from: envelope.mailFrom ? envelope.mailFrom.address : '',
              to: envelope.rcptTo.map((rcpt) => rcpt.address),
            },
            raw,
            parsed,
            messageId: parsed.messageId ?? '',
            receivedAt: new Date(),
            authenticatedUser: sessionUser(session),
          });
          callback(null, 'OK: captured');
        })().catch((error: unknown) => {
          callback(smtpError(554, `smtp-sink could not parse the message: ${String(error)}`));
        });
      });
    },
  });
  // Client misbehaviour (a dropped socket mid-DATA) is routine in fault tests, not a crash.
  server.on('error', () => undefined);

  const port = await listen(server);

  const summary = (): string =>
    messages.length === 0
      ? 'no messages received'
      : `received ${messages.length}: ${messages.map((m) => JSON.stringify(m.parsed.subject ?? '(no subject)')).join(', ')}`;

  const sink: SmtpSink = {
    host: HOST,
    port,
    messages,
    get authenticatedUsers() {
      return messages.map((m) => m.authenticatedUser);
    },
    rejections,
    authAttempts,
    transportOptions: { host: HOST, port, secure: false, ignoreTLS: true },
    byMessageId(id) {
      const wanted = bare(id);
      return messages.find((m) => bare(m.messageId) === wanted);
    },
    async waitFor(predicate, { timeout = PATIENCE_MS } = {}) {
      try {
        return await poll(() => messages.find(predicate), { timeout, what: 'a matching message' });
      } catch {
        throw new Error(`smtp-sink: no matching message within ${timeout} ms (${summary()})`);
      }
    },
    async waitForCount(n, { timeout = PATIENCE_MS } = {}) {
      try {
        return await poll(() => messages.length >= n && [...messages], { timeout, what: `${n} messages` });
      } catch {
        throw new Error(`smtp-sink: expected ${n} messages within ${timeout} ms (${summary()})`);
      }
    },
    clear() {
      messages.length = 0;
      rejections.length = 0;
      authAttempts.length = 0;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
    failNext(n, code = 451, message = 'Temporary failure, try again later (smtp-sink failNext)') {
      failNextRemaining = n;
      failNextError = smtpError(code, message);
    },
    failNextTo(address, n, code = 451, message = `Temporary failure for mail to ${address} (smtp-sink failNextTo)`) {
      failTo.set(address.toLowerCase(), { remaining: n, error: smtpError(code, message) });
    },
    rejectRecipient(address, code = 550, message = `Mailbox unavailable: ${address} (smtp-sink)`) {
      rejectedRecipients.set(address.toLowerCase(), smtpError(code, message));
    },
    refuseRecipientNext(address, n, code = 450, message = `Mailbox busy, try again later: ${address} (smtp-sink)`) {
      refusedNext.set(address.toLowerCase(), { remaining: n, error: smtpError(code, message) });
    },
    failAll(code = 421, message = 'Service not available (smtp-sink failAll)') {
      outage = smtpError(code, message);
    },
    heal() {
      outage = null;
      failNextRemaining = 0;
      failNextError = null;
      failTo.clear();
      rejectedRecipients.clear();
      refusedNext.clear();
    },
  };
  return sink;
}

/** Binds port 0 so the kernel picks the port atomically: no window for another process to take it. */
async function listen(server: SMTPServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, HOST, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('smtp-sink: could not read its own port');
  return address.port;
}
