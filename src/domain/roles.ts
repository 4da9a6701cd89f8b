/**
 * Roles a case can know addresses for. Ladders may use any kebab-case role; these are the ones
 * with a proper name and the words people use for them in directives ("TM: …", "AD: …").
 */
export const ROLE_LABELS: Record<string, string> = {
  professional: 'the professional',
  originator: 'the person who raised it',
  rm: 'the Registered Manager',
  'team-manager': 'team manager',
  'assistant-director': 'Assistant Director',
  dcs: 'Director of Children’s Services',
  iro: 'Independent Reviewing Officer',
  lscp: 'Local Safeguarding Children Partnership',
  'ofsted-inspector': 'Ofsted inspector',
  psw: 'Principal Social Worker',
  ssw: 'supervising social worker',
  'ssw-manager': 'supervising social worker’s line manager',
  'team-member': 'team member',
  'team-member-manager': 'team member’s manager',
  'operational-lead': 'Operational Lead',
  'strategic-lead': 'Strategic Lead',
  'responsible-manager': 'responsible manager',
  'panel-adviser': 'panel adviser',
  'senior-manager': 'senior manager',
  adm: 'Agency Decision Maker',
  'panel-chair': 'panel chair',
  'service-manager': 'service manager',
  'head-of-service': 'Head of Service',
  'deputy-director': 'Deputy Director',
  director: 'Director',
  'fostering-service-manager': 'Fostering Service Manager',
  'ssw-team-manager': 'supervising social worker’s team manager',
  'firo-team-manager': 'FIRO team manager',
  'safeguarding-reviewing-manager': 'Safeguarding and Reviewing Service Manager',
  'foster-carer': 'foster carer',
  /** An out-of-hours address (a ladder's `outOfHours`): the organisation's or the authority's duty team. */
  'emergency-duty-team': 'Emergency Duty Team',
};

/** Extra spellings accepted in directives, normalised (lower case, single spaces, no punctuation). */
const ROLE_ALIASES: Record<string, string> = {
  tm: 'team-manager',
  'social worker': 'professional',
  sw: 'professional',
  ad: 'assistant-director',
  'director of childrens services': 'dcs',
  'independent reviewing officer': 'iro',
  'local safeguarding children partnership': 'lscp',
  ofsted: 'ofsted-inspector',
  'principal social worker': 'psw',
  'supervising social worker': 'ssw',
  'registered manager': 'rm',
  'agency decision maker': 'adm',
  'panel advisor': 'panel-adviser',
  hos: 'head-of-service',
  fsm: 'fostering-service-manager',
  'foster carer reviewing officer team manager': 'firo-team-manager',
  edt: 'emergency-duty-team',
  'out of hours': 'emergency-duty-team',
  'out of hours team': 'emergency-duty-team',
};

export function normaliseRoleWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Maps what a person typed ("Team manager", "AD", "team-manager") to a role id, or undefined. */
export function roleFromWords(text: string, known: Iterable<string>): string | undefined {
  const words = normaliseRoleWords(text);
  if (!words) return undefined;
  const alias = ROLE_ALIASES[words];
  if (alias) return alias;
  const asId = words.replace(/ /g, '-');
  for (const role of known) if (role === asId) return role;
  for (const [role, label] of Object.entries(ROLE_LABELS)) {
    if (normaliseRoleWords(label) === words || normaliseRoleWords(label).replace(/^the /, '') === words) return role;
  }
  return undefined;
}

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role.replace(/-/g, ' ');
}
