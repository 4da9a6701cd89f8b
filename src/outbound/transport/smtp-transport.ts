import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { AccessTokenProvider } from '../../mail-account/oauth/access-token-provider.js';
import type { MailTransport, SendResult } from '../../runtime/mail-transport.js';
import { SendError } from '../../runtime/mail-transport.js';
import { addressKey } from '../../domain/address.js';
import { describeThrown } from '../../lib/error-message.js';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  tlsRejectUnauthorized: boolean;
  auth?: { type: 'password'; user: string; password: string } | { type: 'oauth2'; user: string; tokens: AccessTokenProvider };
  /** Exchange Online allows 3 concurrent connections per mailbox. */
  maxConnections?: number;
}

const TEMPORARY_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPROTOCOL', 'ETLS']);
/**
 * Our own login failing (a wrong or expired secret, a token endpoint that is down, SMTP AUTH
 * disabled for the mailbox) says nothing about the recipients: retry while an administrator fixes it.
 */
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
/** Exchange Online's per-mailbox submission limits answer 5xx, but they pass with time. */
const SUBMISSION_QUOTA = /SubmissionQuotaExceeded|MessageRateLimit|sender thread limit|RecipientRateLimit/i;

/** SMTP through nodemailer's pool, sending our stored raw bytes with an explicit envelope. */
export class SmtpTransport implements MailTransport {
  readonly name = 'smtp';
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

  constructor(settings: SmtpSettings) {
    const auth = settings.auth;
    const options: SMTPPool.Options = {
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTLS,
      ignoreTLS: !settings.secure && !settings.requireTLS,
      pool: true,
      maxConnections: settings.maxConnections ?? 3,
      tls: { rejectUnauthorized: settings.tlsRejectUnauthorized },
      ...(auth?.type === 'password' ? { auth: { user: auth.user, pass: auth.password } } : {}),
      ...(auth?.type === 'oauth2' ? { auth: { type: 'OAuth2', user: auth.user } } : {}),
    };
    this.transporter = nodemailer.createTransport(options);
    if (auth?.type === 'oauth2') {
      // nodemailer asks for a token when it connects, and again with renew=true after a rejection.
      this.transporter.set('oauth2_provision_cb', (_user: string, renew: boolean, callback: (err: Error | null, token?: string) => void) => {
        auth.tokens.getToken(renew).then(
          (token) => {
            callback(null, token);
          },
          (err: unknown) => {
            callback(err instanceof Error ? err : new Error(describeThrown(err)));
          },
        );
      });
    }
  }

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult> {
    try {
      const info = (await this.transporter.sendMail({ envelope, raw })) as {
        accepted?: (string | { address: string })[];
        rejected?: (string | { address: string })[];
        rejectedErrors?: { recipient?: string; responseCode?: number; response?: string }[];
        response?: string;
      };
      const addr = (a: string | { address: string }) => addressKey(typeof a === 'string' ? a : a.address);
      return {
        accepted: (info.accepted ?? []).map(addr),
        rejected: (info.rejected ?? []).map((a) => {
          const address = addr(a);
          const err = info.rejectedErrors?.find((e) => (e.recipient ? addressKey(e.recipient) : undefined) === address);
          return { address, ...(err?.responseCode ? { code: err.responseCode } : {}), ...(err?.response ? { response: err.response } : {}) };
        }),
        response: info.response ?? '',
      };
    } catch (error) {
      throw toSendError(error);
    }
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

export function toSendError(error: unknown): SendError {
  const e = error as {
    message?: string;
    code?: string;
    responseCode?: number;
    response?: string;
    rejected?: (string | { address: string })[];
    rejectedErrors?: { recipient?: string; responseCode?: number; response?: string }[];
  };
  const code = e.responseCode;
  const temporary =
    AUTH_CODES.has(e.code ?? '') ||
    SUBMISSION_QUOTA.test(e.response ?? '') ||
    (code ? code >= 400 && code < 500 : TEMPORARY_CODES.has(e.code ?? '') || !e.code);
  const rejected = (e.rejectedErrors ?? []).map((r) => ({
    address: r.recipient ? addressKey(r.recipient) : '',
    ...(r.responseCode ? { code: r.responseCode } : {}),
    ...(r.response ? { response: r.response } : {}),
  }));
  // Every recipient refused: permanent only if every refusal was a 5xx.
  const allPermanent = rejected.length > 0 && rejected.every((r) => (r.code ?? 0) >= 500);
  return new SendError(e.message ?? String(error), e.code === 'EENVELOPE' && rejected.length ? !allPermanent : temporary, code, e.response, rejected);
}
