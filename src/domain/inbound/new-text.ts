import planer from 'planer';

/** Signature separators and sign-offs after which nothing is the sender's new words. */
const SIGNATURE = /^(--\s*|__+|Sent from my (iPhone|iPad|Android|mobile).*|Get Outlook for (iOS|Android).*)$/i;

/**
 * The sender's new words: quoted history and the signature removed. planer (a port of Mailgun's
 * talon) recognises Outlook's "From: Name / Sent:" block without an address, Gmail's
 * "On … wrote:" and `>` quoting.
 */
export function extractNewText(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n');
  let reply: string;
  try {
    reply = planer.extractFrom(normalised, 'text/plain');
  } catch {
    reply = normalised;
  }
  const lines = reply.split('\n');
  const cut = lines.findIndex((l) => SIGNATURE.test(l.trim()));
  const kept = cut >= 0 ? lines.slice(0, cut) : lines;
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
