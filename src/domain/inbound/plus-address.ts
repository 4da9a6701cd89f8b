/** The `+detail` of any recipient addressed to the inbox's local part (escalations+x@…), lower-cased, in order, once each. */
export function plusDetails(recipients: string[], inboxAddress: string): string[] {
  const [local, domain] = inboxAddress.trim().toLowerCase().split('@');
  const out: string[] = [];
  for (const r of recipients) {
    const address = r.trim().toLowerCase().replace(/^<|>$/g, '');
    const at = address.lastIndexOf('@');
    if (at < 0) continue;
    const rl = address.slice(0, at);
    const rd = address.slice(at + 1);
    if (!rl || rd !== domain) continue;
    const plus = rl.indexOf('+');
    if (plus < 0 || rl.slice(0, plus) !== local) continue;
    const detail = rl.slice(plus + 1);
    if (detail && !out.includes(detail)) out.push(detail);
  }
  return out;
}

export function plusAddress(inboxAddress: string, detail: string): string {
  const at = inboxAddress.indexOf('@');
  return `${inboxAddress.slice(0, at)}+${detail}${inboxAddress.slice(at)}`;
}

/** Our reply tokens: 20 characters of lower-case base32 (see `newToken`). */
export const TOKEN_PATTERN = /^[a-z2-7]{20}$/;
