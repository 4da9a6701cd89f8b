/**
 * The fostering panel's escalation form sorts every concern as PROCEDURAL or PRACTICE
 * (shared/policies/fostering-panel-escalation.txt, section 4). Cases carry a free-text
 * `Category:`; this reads it against the form's own headings so the quarterly themes report can
 * count the two kinds. Anything that names neither stays unclassified rather than guessed.
 */
export type Concern = 'procedural' | 'practice';

export const CONCERN_LABEL: Record<Concern, string> = {
  procedural: 'Procedural',
  practice: 'Practice',
};

/** The form's procedural headings and the guidance's list ("adherence to regulatory requirements…"). */
const PROCEDURAL = [
  /\bprocedur/,
  /\btimescale/,
  /\btimeliness\b/,
  /\bdelay/,
  /\boverdue\b/,
  /\blate\b/,
  /\bplanning\b/,
  /\bcare plan/,
  /\bchecks?\b/,
  /\breferences?\b/,
  /\bregulat/,
  /\bstatutory\b/,
  /\bminutes\b/,
  /\bpaperwork\b/,
  /\bcomplian/,
];

/** The form's practice headings and the guidance's list ("quality of reports… safeguarding issues"). */
const PRACTICE = [
  /\bpractice\b/,
  /\bquality\b/,
  /\breports?\b/,
  /\bassessments?\b/,
  /\banalysis\b/,
  /\binclusion\b/,
  /\bkey individuals?\b/,
  /\bdecision/,
  /\bintervention/,
  /\bsafeguarding\b/,
];

export function concernOf(category: string | null | undefined): Concern | null {
  if (!category) return null;
  const text = category.toLowerCase();
  // Said outright ("Procedural: …", "Practice – quality of reports") wins over the keywords.
  if (/^\s*procedural\b/.test(text)) return 'procedural';
  if (/^\s*practice\b/.test(text)) return 'practice';
  const procedural = PROCEDURAL.filter((r) => r.test(text)).length;
  const practice = PRACTICE.filter((r) => r.test(text)).length;
  if (procedural === 0 && practice === 0) return null;
  // "Quality of reports" is practice even though "reports" could be paperwork: practice words are
  // about how the work was done, so they win a tie.
  return practice >= procedural ? 'practice' : 'procedural';
}
