import { parseDuration, type Duration } from '../calendar/duration.js';
import type { CaseFlag, LadderDefinition, OutOfHoursRule, RungDefinition, SendWindowRule, VariantName } from './ladder-schema.js';

export interface EffectiveRung {
  id: string;
  title: string;
  after: Duration;
  from: 'opening' | 'previous';
  to: string[];
  cc: string[];
  ccWhen: Partial<Record<CaseFlag, string[]>>;
  deadline?: Duration;
  template: string;
  approval: boolean;
  when?: CaseFlag;
  trigger: 'time' | 'command';
  duties: string[];
  policyRef: string;
  asks: string;
  warning?: string;
  /** What the people kept informed are told was done (see the schema's `carerSays`). */
  carerSays?: string;
  meeting: boolean;
  repeat: boolean;
  /** `sendWindow: always`: goes when it falls due, at any hour (to staff; see outOfHoursOutside). */
  anyHour: boolean;
}

/** A ladder with one variant applied: what the engine actually runs. */
export interface EffectiveLadder {
  def: LadderDefinition;
  variant: VariantName;
  clock: 'calendar' | 'working-days';
  /** What the opening request asks, on this variant's timescales. */
  request: { deadline: Duration; policyRef: string };
  rungs: EffectiveRung[];
  repeat?: EffectiveRung & { every: Duration };
  /** An any-hour rung may go out of hours to people outside the organisation too. */
  outOfHoursOutside: boolean;
  /** A rung going out while the send window is closed is also (or only) sent to this out-of-hours address. */
  outOfHours?: OutOfHoursRule;
}

function toRung(ladder: LadderDefinition, rung: RungDefinition, from: 'opening' | 'previous', variantWindow?: SendWindowRule): EffectiveRung {
  return {
    id: rung.id,
    title: rung.title,
    after: parseDuration(rung.after),
    from: rung.from ?? from,
    to: rung.to,
    cc: rung.cc,
    ccWhen: rung.ccWhen,
    ...(rung.deadline ? { deadline: parseDuration(rung.deadline) } : {}),
    template: rung.template ?? `${ladder.id}/${rung.id}`,
    approval: rung.approval,
    ...(rung.when ? { when: rung.when } : {}),
    trigger: rung.trigger,
    duties: rung.duties,
    policyRef: rung.policyRef,
    asks: rung.asks,
    ...(rung.warning ? { warning: rung.warning } : {}),
    ...(rung.carerSays ? { carerSays: rung.carerSays } : {}),
    meeting: rung.meeting,
    repeat: false,
    anyHour: (rung.sendWindow ?? variantWindow ?? ladder.sendWindow) === 'always',
  };
}

// Thousands of cases run on a handful of ladders, and every step, mail and report asked for its
// ladder afresh (~0.3 ms each time). A ladder definition is never changed once loaded, so each
// (definition, variant) is worked out once; the result is frozen so no caller can alter the shared copy.
const memo = new WeakMap<LadderDefinition, Map<VariantName, EffectiveLadder>>();

export function effectiveLadder(ladder: LadderDefinition, variant: VariantName = 'standard'): EffectiveLadder {
  let byVariant = memo.get(ladder);
  if (!byVariant) memo.set(ladder, (byVariant = new Map<VariantName, EffectiveLadder>()));
  let result = byVariant.get(variant);
  if (!result) byVariant.set(variant, (result = deepFreeze(buildEffectiveLadder(ladder, variant))));
  return result;
}

function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) deepFreeze(v, seen);
    Object.freeze(value);
  }
  return value;
}

function buildEffectiveLadder(ladder: LadderDefinition, variant: VariantName): EffectiveLadder {
  const v = variant === 'standard' ? undefined : ladder.variants[variant];
  if (variant !== 'standard' && !v) {
    throw new Error(`ladder ${ladder.id} has no ${variant} variant`);
  }
  const from = v?.from ?? ladder.from;
  let rungs: EffectiveRung[];
  if (v?.rungs) {
    rungs = v.rungs.map((r) => toRung(ladder, r, from, v.sendWindow));
  } else {
    rungs = [];
    for (const base of ladder.rungs) {
      const o = v?.overrides?.[base.id];
      if (o?.skip) continue;
      // The variant's send window beats the standard rung's own; the variant's override for the rung beats both.
      const rung = toRung(ladder, { ...base, ...(v?.sendWindow ? { sendWindow: v.sendWindow } : {}) }, from);
      if (o?.title) rung.title = o.title;
      if (o?.policyRef) rung.policyRef = o.policyRef;
      if (o?.asks) rung.asks = o.asks;
      if (o?.after) rung.after = parseDuration(o.after);
      if (o?.from) rung.from = o.from;
      if (o?.to) rung.to = o.to;
      if (o?.cc) rung.cc = o.cc;
      if (o?.deadline) rung.deadline = parseDuration(o.deadline);
      if (o?.approval !== undefined) rung.approval = o.approval;
      if (o?.sendWindow) rung.anyHour = o.sendWindow === 'always';
      rungs.push(rung);
    }
  }
  let repeat: EffectiveLadder['repeat'];
  const baseRepeat = ladder.repeat;
  const ownRepeat = v?.repeat;
  if (baseRepeat && ownRepeat !== false) {
    const merged = { ...baseRepeat, ...ownRepeat };
    repeat = {
      // v is undefined for the standard variant; TypeScript's narrowing of v above loses that.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      ...toRung(ladder, { ...merged, id: 'repeat', after: merged.every, trigger: 'time', meeting: false, from: 'previous' }, 'previous', v?.sendWindow),
      repeat: true,
      every: parseDuration(merged.every),
    };
  }
  const request = v?.request ?? ladder.request;
  return {
    def: ladder,
    variant,
    clock: v?.clock ?? ladder.clock,
    request: { deadline: parseDuration(request.deadline), policyRef: request.policyRef },
    rungs,
    ...(repeat ? { repeat } : {}),
    outOfHoursOutside: v?.outOfHoursOutside ?? ladder.outOfHoursOutside,
    ...outOfHoursOf(ladder, v?.outOfHours),
  };
}

/** The variant's out-of-hours address, else the ladder's (a variant's `false` turns it off). */
function outOfHoursOf(ladder: LadderDefinition, own: OutOfHoursRule | false | undefined): { outOfHours?: OutOfHoursRule } {
  const rule = own === false ? undefined : (own ?? ladder.outOfHours);
  return rule ? { outOfHours: rule } : {};
}

/** The roles a ladder ever writes to or copies (for directive names and `ladders check`). */
export function rolesOf(ladder: LadderDefinition): Set<string> {
  const roles = new Set<string>([ladder.professionalRole, ...ladder.alwaysCc, ...ladder.keepInformed, ...ladder.confirmers]);
  const add = (r: { to?: string[]; cc?: string[]; ccWhen?: Partial<Record<string, string[]>> }) => {
    for (const x of r.to ?? []) roles.add(x);
    for (const x of r.cc ?? []) roles.add(x);
    for (const list of Object.values(r.ccWhen ?? {})) for (const x of list ?? []) roles.add(x);
  };
  ladder.rungs.forEach(add);
  if (ladder.repeat) add(ladder.repeat);
  if (ladder.outOfHours) roles.add(ladder.outOfHours.to);
  for (const v of Object.values(ladder.variants)) {
    if (v.outOfHours) roles.add(v.outOfHours.to);
    v.rungs?.forEach(add);
    for (const o of Object.values(v.overrides ?? {})) add(o);
  }
  return roles;
}

/**
 * The shorter variant a case's flags put it on: `safeguarding` always chooses the urgent one; a
 * variant's `chosenBy` names other flags that do (reg 5: child protection). Imminent risk first.
 */
export function variantChosenBy(ladder: LadderDefinition, flags: Partial<Record<CaseFlag, boolean>>): 'urgent' | 'imminent' | undefined {
  for (const name of ['imminent', 'urgent'] as const) {
    const v = ladder.variants[name];
    if (!v) continue;
    if ((name === 'urgent' && flags.safeguarding) || v.chosenBy.some((f) => flags[f])) return name;
  }
  return undefined;
}
