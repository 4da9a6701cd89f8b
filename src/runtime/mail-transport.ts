/** How a stored, composed message leaves: SMTP in production, files on a developer's machine. */
export interface MailTransport {
  readonly name: string;
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendResult {
  accepted: string[];
  /** Recipients the server refused at RCPT while accepting others. */
  rejected: Array<{ address: string; code?: number; response?: string }>;
  response: string;
}

/** A failed send: `temporary` (4xx, connection trouble) is retried; permanent (5xx) is not. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly temporary: boolean,
    readonly code?: number,
    readonly response?: string,
    readonly rejected: Array<{ address: string; code?: number; response?: string }> = [],
  ) {
    super(message);
  }
}
