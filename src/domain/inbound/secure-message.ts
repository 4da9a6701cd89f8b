/**
 * A secure-mail notice: the reply's content sits behind a link (or an attachment only the
 * service's portal opens), so nothing in the words can say whether it is done. The RM is asked
 * to open it. Recognised by the service's own notice wording, not by a sender merely naming it
 * ("I sent the minutes by Egress yesterday" is a statement, read by the other rules).
 */
export interface SecureNotice {
  service: string;
  evidence: string;
}

/** Service names, as they appear in their notices, with the name the RM is told. */
const SERVICES: [RegExp, string][] = [
  [/\begress\b|switch\.egress\.com/i, 'Egress'],
  [/\bcryptshare\b/i, 'Cryptshare'],
  [/\bgalaxkey\b/i, 'Galaxkey'],
  [/\bmimecast\b/i, 'Mimecast'],
  [
    /\bpurview\b|\b(?:office|microsoft) 365 message encryption\b|message encryption by microsoft|email encryption powered by microsoft|outlook\.office365\.com\/encryption/i,
    'Microsoft Purview',
  ],
  [/\bvirtru\b/i, 'Virtru'],
  [/\bzix(?:mail)?\b/i, 'Zix'],
  [/\bproofpoint encrypt/i, 'Proofpoint'],
];

/** The notice's own sentence: "X has sent you a secure email", "You've received an encrypted message". */
const NOTICE =
  /\b(?:(?:has|have) (?:sent|shared|made)(?: you)? (?:a |an |\d+ )?(?:secure|encrypted|protected|confidential)? ?(?:e-?mail|message|files?|file transfer|documents?)(?: (?:available )?(?:to|with) you)?(?: (?:securely|using|via|with|protected by)\b[^.\n]{0,40})?|(?:you(?:'ve| have) )?received (?:a |an )(?:secure|encrypted|protected) (?:e-?mail|message)|(?:this|the) (?:e-?mail|message) (?:has been|was|is) (?:protected|encrypted|secured) (?:with|by|using)|(?:view|read|open|access) (?:the |your )?(?:secure )?(?:message|e-?mail)\b|download (?:the )?files?\b)/i;

/** A secure-mail notice in the text, or undefined. Needs both a known service and the notice's wording. */
export function findSecureNotice(text: string): SecureNotice | undefined {
  const head = text.slice(0, 20_000);
  const service = SERVICES.find(([p]) => p.test(head));
  if (!service) return undefined;
  const m = NOTICE.exec(head);
  if (!m) return undefined;
  const lineStart = head.lastIndexOf('\n', m.index) + 1;
  const lineEnd = head.indexOf('\n', m.index);
  const evidence = head.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
  return { service: service[1], evidence: evidence.slice(0, 200) };
}
