import { describe, expect, it } from 'vitest';
import { GraphError, retryAfterMs } from '../../../src/mail-account/graph/graph-client.js';
import { TokenRequestError } from '../../../src/mail-account/oauth/access-token-provider.js';
import { graphSendError } from '../../../src/outbound/transport/graph-transport.js';

const graph = (status: number, code?: string, retryAfter?: number) =>
  new GraphError(`POST /v1.0/users/x/sendMail: HTTP ${status}`, status, code, retryAfter, undefined, `HTTP ${status}${code ? ` ${code}` : ''}: reason`);

describe('Graph’s answers to a send, in the send job’s terms', () => {
  it('429, and 503/504 with Retry-After: the server asked to wait; retried then, the attempt not used', () => {
    for (const e of [graph(429, 'ApplicationThrottled', 30_000), graph(503, 'ServiceUnavailable', 5_000), graph(504, undefined, 1_000)]) {
      const s = graphSendError(e);
      expect([s.temporary, s.retryAfterMs]).toEqual([true, e.retryAfterMs]);
    }
  });

  it('400, 403 and 413 refuse this message: permanent, with Graph’s reason for the RM', () => {
    for (const [status, code] of [
      [400, 'ErrorInvalidRecipients'],
      [403, 'ErrorSendAsDenied'],
      [413, 'ErrorMessageSizeExceeded'],
    ] as const) {
      const s = graphSendError(graph(status, code));
      expect([s.temporary, s.code, s.response, s.retryAfterMs]).toEqual([false, 550, `${status} ${code}`, undefined]);
      expect(s.message).toBe(`Microsoft Graph refused the message: HTTP ${status} ${code}: reason`);
    }
  });

  it('our own sign-in, the mailbox, the network, a 5xx without Retry-After: temporary, on the usual backoff', () => {
    for (const e of [graph(401, 'InvalidAuthenticationToken'), graph(404, 'ErrorInvalidUser'), graph(0, 'ECONNRESET'), graph(503), graph(500)]) {
      const s = graphSendError(e);
      expect([s.temporary, s.retryAfterMs]).toEqual([true, undefined]);
    }
    expect(graphSendError(graph(0, 'ECONNRESET')).message).toMatch(/^Microsoft Graph could not be reached/);
    const token = graphSendError(new TokenRequestError('Microsoft 365 tenant t, client c: … AADSTS7000222', 401, 'invalid_client'));
    expect([token.temporary, token.message]).toEqual([true, 'Microsoft Graph sign-in: Microsoft 365 tenant t, client c: … AADSTS7000222']);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    expect(retryAfterMs('17', now)).toBe(17_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
