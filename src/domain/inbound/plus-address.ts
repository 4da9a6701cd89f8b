/** The `+detail` of any recipient addressed to the inbox's local part (escalations+x@…). */
export function plusDetails(recipients: string[], inboxAddress: string): string[] {
  const [local, domain] = inboxAddress.toLowerCase().split('@');
  const out: string[] = [];
  for (const r of recipients) {
    const [rl, rd] = r.toLowerCase().split('@');
    if (!rl || rd !== domain) continue;
    const plus = rl.indexOf('+');
    if (plus < 0 || rl.slice(0, plus) !== local) continue;
    const detail = rl.slice(plus + 1);
    if (detail) out.push(detail);
  }
  return out;
}

export function plusAddress(inboxAddress: string, detail: string): string {
  const at = inboxAddress.indexOf('@');
  return `${inboxAddress.slice(0, at)}+${detail}${inboxAddress.slice(at)}`;
}
