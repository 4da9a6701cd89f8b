import { TokenRequestError } from '../../mail-account/oauth/access-token-provider.js';
import { GraphError, type GraphClient } from '../../mail-account/graph/graph-client.js';
import { sendMime, sendMimeWithoutCopy } from '../../mail-account/graph/graph-mail.js';
import { SendError, type MailTransport, type SendResult } from '../../runtime/mail-transport.js';
import { describeThrown } from '../../lib/error-message.js';

/**
 * Microsoft Graph's answers in SMTP's terms, for the send job's rules: 429, and 503/504 with
 * Retry-After, are the server asking us to wait (retried then, no attempt used); 400 and 403 are
 * refusals of this message (ErrorInvalidRecipients, ErrorSendAsDenied, ErrorAccessDenied: permanent,
 * the RM told the reason); 413 the message too big (permanent). Our own sign-in failing, a 401
 * after a fresh token, the mailbox not found (404) or Graph unreachable say nothing about the
 * message: temporary, retried while an administrator fixes it, as SMTP's EAUTH is.
 */
export function graphSendError(error: unknown): SendError {
  if (error instanceof GraphError) {
    const reason = `Microsoft Graph ${error.status === 0 ? 'could not be reached' : 'refused the message'}: ${error.detail}`;
    if (error.throttled) return new SendError(reason, true, error.status, error.code, [], error.retryAfterMs);
    const permanent = error.status === 400 || error.status === 403 || error.status === 413;
    // SMTP-like codes so the outbox's records read the same for both transports.
    return new SendError(reason, !permanent, permanent ? 550 : 451, `${error.status}${error.code ? ` ${error.code}` : ''}`);
  }
  if (error instanceof TokenRequestError) return new SendError(`Microsoft Graph sign-in: ${error.message}`, true, undefined, error.errorCode);
  return new SendError(describeThrown(error), true);
}

const headerBlock = (raw: Buffer): string => {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  return raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 64 * 1024)).toString('latin1');
};

/** Addresses in the To, Cc and Bcc headers (where Graph's MIME send takes its recipients from). */
export function headerRecipients(raw: Buffer): Set<string> {
  const unfolded = headerBlock(raw).replace(/\r?\n[ \t]+/g, ' ');
  const out = new Set<string>();
  for (const [, list = ''] of unfolded.matchAll(/^(?:to|cc|bcc):(.*)$/gim)) {
    for (const a of list.matchAll(/[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+/g)) out.add(a[0].toLowerCase());
  }
  return out;
}

/**
 * Sends the outbox's stored bytes through `POST /users/{mailbox}/sendMail` in MIME form, so every
 * header goes out as composed. Graph takes the recipients from the message's headers, not from an
 * envelope: an envelope address the headers do not name (a blind copy) is added as a `Bcc:` line
 * in front of the message (Exchange delivers it and strips the line), the rest byte for byte. An
 * envelope narrower than the headers (a follow-up to some recipients only, left by SMTP) cannot be
 * sent without sending again to the others: it is refused, permanently, with that reason. Graph
 * answers 202 (accepted for delivery) or an error; per-recipient refusals come back later as
 * bounces, so `rejected` is always empty.
 */
export class GraphTransport implements MailTransport {
  readonly name = 'graph';

  constructor(
    private readonly client: GraphClient,
    private readonly o: { saveToSentItems: boolean },
  ) {}

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SendResult> {
    const named = headerRecipients(raw);
    const to = envelope.to.map((a) => a.toLowerCase());
    const blind = to.filter((a) => !named.has(a));
    const wanted = new Set(to);
    const extra = [...named].filter((a) => !wanted.has(a));
    if (extra.length > 0) {
      throw new SendError(
        `Microsoft Graph sends to every recipient in the message's headers; this send is for ${to.length} of them only, and would reach ${extra.length} again`,
        false,
        550,
      );
    }
    const message = blind.length > 0 ? Buffer.concat([Buffer.from(`Bcc: ${blind.join(', ')}\r\n`, 'latin1'), raw]) : raw;
    try {
      const answer = this.o.saveToSentItems ? await sendMime(this.client, message) : await sendMimeWithoutCopy(this.client, message);
      return {
        accepted: to,
        rejected: [],
        response: `${answer.status} Accepted by Microsoft Graph${answer.requestId ? ` (request-id ${answer.requestId})` : ''}`,
      };
    } catch (error) {
      throw graphSendError(error);
    }
  }

  close(): Promise<void> {
    // Each send is its own HTTP request: nothing is held open.
    return Promise.resolve();
  }
}
