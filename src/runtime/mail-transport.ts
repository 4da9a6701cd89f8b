/**
 * How a stored, composed message leaves: SMTP in production, files on a developer's machine, and
 * (next) Microsoft Graph. A transport sends the stored raw MIME bytes to the envelope's
 * recipients as they are, and says who was accepted and who refused; it never decides about
 * retries, windows or the case (src/workflows/send/decide-send.ts does).
 */
export interface MailTransport {
  readonly name: string;
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}

/** A recipient the server refused (SMTP at RCPT; Graph per recipient) while it accepted the message for others. */
export interface RecipientRefusal {
  address: string;
  /** SMTP-style code: 5xx is permanent (the address is undeliverable), 4xx or none is tried again. */
  code?: number;
  response?: string;
}

export interface SendResult {
  accepted: string[];
  /** Recipients the server refused while accepting others. */
  rejected: RecipientRefusal[];
  response: string;
}

/**
 * A failed send: `temporary` (4xx, connection trouble) is retried; permanent (5xx) is not.
 * `retryAfterMs`: the server asked to be left alone for that long (HTTP 429/503 with Retry-After,
 * an SMTP server's throttle): the mail waits that long and the attempt does not count.
 */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly temporary: boolean,
    readonly code?: number,
    readonly response?: string,
    readonly rejected: RecipientRefusal[] = [],
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
