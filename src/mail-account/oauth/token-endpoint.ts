import type { IssuedToken } from './refreshing-token-provider.js';
import { TokenRequestError } from './access-token-provider.js';
import { firstLine } from '../../lib/first-line.js';

export type FetchLike = typeof fetch;

export interface TokenEndpointRequest {
  url: string;
  form: Record<string, string>;
  /** Names the requester in errors, e.g. `Microsoft 365 tenant contoso.onmicrosoft.com, client 1234…`. */
  who: string;
  /** Values that must never appear in an error message (client secret, signed assertion). */
  secrets: string[];
  fetch: FetchLike;
  timeoutMs: number;
}

/** Lifetime assumed when an issuer leaves out `expires_in` (both ours always send it). */
const DEFAULT_EXPIRES_IN = 600;

/** POSTs an OAuth2 token request (form-encoded) and reads `access_token` and `expires_in`. */
export async function requestToken(req: TokenEndpointRequest): Promise<IssuedToken> {
  const scrub = (text: string): string => req.secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('[redacted]') : t), text);
  const fail = (detail: string, status?: number, code?: string): TokenRequestError =>
    new TokenRequestError(scrub(`${req.who}: token request to ${req.url} failed: ${detail}`), status, code);

  let response: Response;
  try {
    response = await req.fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(req.form).toString(),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (error) {
    const e = error as Error & { cause?: { message?: string; code?: string } };
    throw fail(`${e.name === 'TimeoutError' ? `no answer within ${req.timeoutMs} ms` : e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`);
  }

  const text = await response.text().catch(() => '');
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }

  if (!response.ok) {
    if (!body) throw fail(`HTTP ${response.status}${text ? `: ${oneLine(text).slice(0, 200)}` : ''}`, response.status);
    const code = typeof body.error === 'string' ? body.error : undefined;
    // Entra ID puts "AADSTS7000215: Invalid client secret provided. …" first, then trace lines.
    const description = typeof body.error_description === 'string' ? firstLine(body.error_description).slice(0, 500) : undefined;
    const ids = [
      typeof body.trace_id === 'string' ? `trace id ${body.trace_id}` : '',
      typeof body.correlation_id === 'string' ? `correlation id ${body.correlation_id}` : '',
    ].filter(Boolean);
    throw fail(
      `HTTP ${response.status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}${ids.length ? ` (${ids.join(', ')})` : ''}`,
      response.status,
      code,
    );
  }

  const accessToken = body?.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw fail(`HTTP ${response.status} but the answer has no access_token`, response.status);
  }
  const expiresIn = Number(body?.expires_in ?? DEFAULT_EXPIRES_IN);
  return { accessToken, expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
