import { parseCommands, type CommandParse } from './commands.js';
import type { DirectiveOptions } from './directives.js';
import { plainForMatching } from './new-text.js';

/** The commands written for one case in a message about several (a reply to the weekly digest). */
export interface CaseCommandGroup {
  /** The case reference as we write it: ESC-2026-0012. */
  ref: string;
  commands: CommandParse;
}

export interface CaseCommands {
  /** In the order the message names them; a case named twice has its lines together. */
  groups: CaseCommandGroup[];
  /** What was written but cannot be applied to a case, each saying why (never silently dropped). */
  problems: string[];
}

/** A line that opens with a case reference: `ESC-2026-0012 PAUSE until 4 Jan`, `[ESC-2026-0012]:`, `- ESC-2026-0012 –`. */
const REF_LINE = /^\s*(?:[-•*]\s+)?\[?\s*ESC\s*-\s*(\d{4})\s*-\s*(\d{4,6})\s*\]?(?!\d)\s*[:,.-]?\s*(.*)$/i;

/** An example of a line naming its case (no fixed date: it would soon be in the past). */
export function caseLineExample(ref: string): string {
  return `${ref} PAUSE until <date>`;
}

function isCommandish(line: string, opts: DirectiveOptions): boolean {
  const p = parseCommands(line, opts);
  return p.lines.length + p.errors.length > 0;
}

/**
 * Reads a message written about several cases (a reply to the digest, or to any notice that names
 * no one case): each command line names its case first ("ESC-2026-0012 PAUSE until 4 January"),
 * or a line with the reference alone opens a block of command lines for it, up to a blank line,
 * prose or the next reference. A line after a reference-and-command line names no case. Commands that name no case, and lines after a reference that are not
 * commands, are problems to answer: with several cases in view, a command must say which it is for.
 * With `home` (the reference of the case whose thread the message is in), lines naming no case are
 * that case's, and lines naming another case go to it (issue 20.6).
 */
export function readCaseCommands(newText: string, opts: DirectiveOptions, home?: string): CaseCommands {
  const lines = plainForMatching(newText).split('\n').slice(0, 400);
  const blocks = new Map<string, string[]>();
  const unnamed: string[] = [];
  let current: string[] | undefined;
  for (const raw of lines) {
    const m = REF_LINE.exec(raw);
    if (m) {
      const ref = `ESC-${m[1] ?? ''}-${m[2] ?? ''}`;
      current = blocks.get(ref) ?? [];
      blocks.set(ref, current);
      const rest = (m[3] ?? '').trim();
      // "ESC-… PAUSE until …" is that line alone; a reference on its own opens a block under it.
      if (rest) {
        current.push(rest);
        current = undefined;
      }
      continue;
    }
    if (raw.trim() === '') {
      current = undefined;
      unnamed.push('');
      continue;
    }
    // A line under a reference that is no command ("Thanks, Alex") ends its block.
    if (current && isCommandish(raw.trim(), opts)) current.push(raw.trim());
    else {
      current = undefined;
      unnamed.push(raw.trim());
    }
  }
  const example = caseLineExample(blocks.keys().next().value ?? `ESC-${opts.reference.getUTCFullYear()}-0012`);

  const problems: string[] = [];
  const groups: CaseCommandGroup[] = [];
  for (const [ref, block] of blocks) {
    if (block.length === 0) {
      if (ref === home) continue;
      problems.push(`${ref}: no command followed the reference. Write it on the same line, e.g. ${caseLineExample(ref)}.`);
      continue;
    }
    // Each line is read on its own, so a remark on one line does not end the block for the next.
    const commands: CommandParse = { lines: [], errors: [] };
    for (const line of block) {
      const parsed = parseCommands(line, opts);
      commands.lines.push(...parsed.lines);
      commands.errors.push(...parsed.errors);
      if (parsed.lines.length === 0 && parsed.errors.length === 0) commands.errors.push(`"${line.slice(0, 200)}": not a command or directive I know.`);
    }
    groups.push({ ref, commands });
  }

  const loose = parseCommands(unnamed.join('\n'), opts);
  if (home) {
    // In a case's own thread a line naming no case is for that case, read as any message there is
    // (prose around it is no error); it goes first, with any line that names the case itself.
    const own = groups.find((g) => g.ref === home);
    const commands: CommandParse = { lines: [...loose.lines, ...(own?.commands.lines ?? [])], errors: [...loose.errors, ...(own?.commands.errors ?? [])] };
    const others = groups.filter((g) => g.ref !== home);
    return { groups: commands.lines.length + commands.errors.length > 0 ? [{ ref: home, commands }, ...others] : others, problems };
  }
  for (const l of loose.lines) {
    problems.push(`"${l.line}": it does not say which case it is for. Put the case's reference first, e.g. ${example}.`);
  }
  problems.push(...loose.errors);
  return { groups, problems };
}
