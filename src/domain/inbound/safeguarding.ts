import type { MessageAnalysis } from './analyse-message.js';

/**
 * Words that put a message about a child among those the RM must see, whoever wrote it and however
 * many came before it: loop protection may fold such a notice into a summary, never drop it, and
 * the summary names it. Deliberately broad: a false positive costs one line in a summary.
 */
const SAFEGUARDING_WORDS =
  /\b(?:safeguarding|child protection|at risk|significant harm|harm(?:ed|ing)?|abuse[ds]?|neglect(?:ed)?|exploitation|police|missing from (?:care|home|placement)|self[- ]harm|suicid\w*|strategy (?:meeting|discussion)|section 47|s\.?\s?47|LADO|allegation)\b/i;

export function readsAsSafeguarding(text: string): boolean {
  return SAFEGUARDING_WORDS.test(text);
}

/** Marked (SAFEGUARDING, "Safeguarding: yes") or read (its words) as about safeguarding. */
export function aboutSafeguarding(analysis: Pick<MessageAnalysis, 'commands' | 'directives' | 'newText'>, subject: string): boolean {
  const marked =
    analysis.commands.lines.some((l) => l.command.kind === 'safeguarding' || l.command.kind === 'imminent') ||
    analysis.directives.items.some(
      (d) => (d.directive.kind === 'flag' && d.directive.flag === 'safeguarding' && d.directive.value) || d.directive.kind === 'imminent',
    );
  return marked || readsAsSafeguarding(`${subject}\n${analysis.newText}`);
}
