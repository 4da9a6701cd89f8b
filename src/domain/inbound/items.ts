/**
 * The things a case asks for, as words people use for them. A done statement that names only
 * things of another kind than the case's category ("the CAMHS referral has been completed" on a
 * minutes case) is about something else: it is shown to the RM, never read as done. A statement
 * that names nothing ("Attached.", "Done") or a kind nobody knows is not judged here.
 *
 * Order matters: the more specific names come first and the words they used are blanked before
 * the general ones are tried ("health assessment report" is a health assessment, not a report).
 */
interface Item {
  kind: string;
  pattern: RegExp;
  /** A kind that is an action on a care plan rather than a document (a referral made, an appointment booked). */
  action?: boolean;
}

const ITEMS: Item[] = [
  { kind: 'delegated-authority', pattern: /\bdelegated authority\b/i },
  { kind: 'consent', pattern: /\bconsent(?: form)?s?\b/i },
  {
    kind: 'panel-form',
    pattern: /\bfr1s?\b|\b(?:fostering )?panel (?:form|report|paperwork)s?\b|\bannual (?:foster(?:ing|er)? )?review (?:report|form)\b|\bform f\b/i,
  },
  { kind: 'ehcp', pattern: /\behcp\b|\beducation,? health and care plan\b/i },
  { kind: 'pep', pattern: /\bpeps?\b|\bpersonal education plans?\b/i },
  { kind: 'pathway-plan', pattern: /\bpathway plans?\b/i },
  { kind: 'placement-plan', pattern: /\bplacement plans?\b|\bplacement (?:information|agreement) (?:record|form)\b/i },
  { kind: 'health-action-plan', pattern: /\bhealth action plans?\b/i },
  { kind: 'safety-plan', pattern: /\bsafety plans?\b|\brisk assessments?\b/i },
  { kind: 'care-plan', pattern: /\bcare plans?\b/i },
  { kind: 'health-assessment', pattern: /\b(?:review |initial )?health assessments?\b|\brha\b|\biha\b|\bhealth (?:report|assessment report)s?\b/i },
  { kind: 'visit-record', pattern: /\b(?:statutory )?visit (?:record|report|note)s?\b|\brecord of (?:my|the|her|his) (?:statutory )?visit\b/i },
  { kind: 'return-home-interview', pattern: /\breturn home interviews?\b|\brhis?\b/i },
  { kind: 'placement-referral', pattern: /\bplacement (?:referral|request)s?\b/i },
  { kind: 'minutes', pattern: /\bminutes\b|\breview record\b|\brecord of (?:the|his|her|their) review\b|\bnotes of the (?:meeting|review)\b/i },
  // Things no case here asks for, but people send: named so that they are recognised as other.
  { kind: 'camhs-referral', pattern: /\bcamhs\b/i, action: true },
  { kind: 'referral', pattern: /\breferrals?\b/i, action: true },
  { kind: 'application', pattern: /\bapplications?\b/i, action: true },
  { kind: 'dbs', pattern: /\bdbs\b/i, action: true },
  { kind: 'sdq', pattern: /\bsdqs?\b|\bstrengths and difficulties\b/i },
  { kind: 'funding-form', pattern: /\bpupil premium\b|\bfunding (?:form|request|application)\b/i },
  { kind: 'midway-note', pattern: /\bmidway (?:review )?(?:note|report)s?\b/i },
  { kind: 'invite', pattern: /\binvit(?:e|ation)s?\b|\bagenda\b|\bmeeting request\b/i },
  { kind: 'policy', pattern: /\bpolic(?:y|ies)\b|\bprotocol\b|\bprocedures?\b|\bguidance\b|\bleaflet\b|\bdata sharing agreement\b|\btemplate\b/i },
  { kind: 'psychology-report', pattern: /\b(?:educational )?psycholog(?:y|ist'?s?) reports?\b/i },
];

/** Kinds a case category stands for. A care-plan action case accepts an action (a referral made); a minutes category every kind of minutes. */
export function categoryKinds(category: string): { kinds: Set<string>; actions: boolean } {
  const named = itemKinds(category);
  const actions = /\bactions?\b|\btasks?\b/i.test(category);
  return { kinds: named, actions };
}

/** The known kinds of thing a piece of text names. */
export function itemKinds(text: string): Set<string> {
  let rest = text;
  const kinds = new Set<string>();
  for (const item of ITEMS) {
    const all = new RegExp(item.pattern.source, 'gi');
    if (all.test(rest)) {
      kinds.add(item.kind);
      rest = rest.replace(all, ' ');
    }
  }
  return kinds;
}

const ACTION_KINDS = new Set(ITEMS.filter((i) => i.action).map((i) => i.kind));

/**
 * Whether text about a done thing is about something other than the case's category: it names
 * at least one known kind, and none that the category stands for. Unknown categories judge nothing.
 */
export function aboutOtherItem(text: string, category: string | undefined): boolean {
  if (!category) return false;
  const cat = categoryKinds(category);
  if (cat.kinds.size === 0 && !cat.actions) return false;
  const named = itemKinds(text);
  if (named.size === 0) return false;
  for (const k of named) {
    // "the referral" on a placement-referral case: the general name of the category's kind.
    if (cat.kinds.has(k) || [...cat.kinds].some((c) => c.endsWith(`-${k}`))) return false;
    if (cat.actions && ACTION_KINDS.has(k)) return false;
  }
  return true;
}
