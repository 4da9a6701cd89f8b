import { z } from 'zod';
import { isDuration } from '../calendar/duration.js';
import { COUNTRIES } from '../calendar/nation.js';

/**
 * `working-hours`: the rung goes inside the organisation's send window on a working day (a rung
 * falling due at night waits for the next opening). `always`: it goes when it falls due, at any
 * hour (the policy says "the same day" or "immediately"), to the organisation's own staff; mail
 * with anyone outside the organisation on it still waits for the window unless the ladder or
 * variant sets `outOfHoursOutside`.
 */
const sendWindow = z.enum(['working-hours', 'always']);
export type SendWindowRule = z.infer<typeof sendWindow>;

/**
 * Who is written to when a rung goes out while the send window is closed (at night, at a weekend,
 * on a bank holiday), beside or instead of the rung's own recipients: the role of an out-of-hours
 * address (the organisation's or the authority's Emergency Duty Team, from the directory or a
 * directive). `in-addition`: the out-of-hours address is written to at once and the rung goes to
 * its own recipients as it would anyway (at once to staff on a `sendWindow: always` rung, at the
 * window's opening to anyone outside the organisation). `instead`: only the out-of-hours address
 * is written to at once; the rung's own recipients get it when the window next opens (nobody is
 * woken whom the duty team covers). No address for the role: the rung goes as it would without
 * this, and the RM is told. `authorityOnly`: only the case's own address for the role (a directive)
 * or its authority's (the directory's `authorities[].contacts`), never the organisation's own: a
 * placing authority's duty team is not the home's on-call manager (reg 5).
 */
const outOfHours = z
  .object({
    to: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens (a role, e.g. emergency-duty-team)'),
    mode: z.enum(['in-addition', 'instead']).default('in-addition'),
    authorityOnly: z.boolean().optional(),
  })
  .strict();
export type OutOfHoursRule = z.infer<typeof outOfHours>;

const slug = z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens');
const role = slug;
const duration = z.string().refine(isDuration, { error: 'not a duration (use e.g. 2w, 3wd, 5d or same-day)' });

/**
 * Case flags a rung can depend on (`when`, `ccWhen`). `iro`: the RM said `IRO: yes` (the care plan
 * is not being followed, so the IRO is informed from the first step, not only from the AD's).
 * `carer-informed`: the case says the foster carer is kept informed (`Foster carer informed: yes`),
 * for a ladder whose `keepInformedWhen` names it (FIRO: "Where appropriate").
 */
export const CASE_FLAGS = ['child-protection', 'safeguarding', 'psw', 'iro', 'carer-informed'] as const;
export type CaseFlag = (typeof CASE_FLAGS)[number];

const rungFields = {
  id: slug,
  /** Short title shown in timetables: "Reminder to the team manager". */
  title: z.string().min(1),
  /** When it falls due, counted `from` the opening or the previous rung. */
  after: duration,
  from: z.enum(['opening', 'previous']).optional(),
  to: z.array(role).min(1),
  cc: z.array(role).default([]),
  /** Copied only when a case flag is set, e.g. the PSW when `PSW: yes`. */
  ccWhen: z.partialRecord(z.enum(CASE_FLAGS), z.array(role)).default({}),
  /** The deadline this rung gives its recipient, stated as a date in the mail. */
  deadline: duration.optional(),
  /** Template name under src/templates/rungs (defaults to `<ladder>/<rung>`). */
  template: z.string().optional(),
  approval: z.boolean().default(false),
  /** Only sent when this flag is set on the case (skipped otherwise). */
  when: z.enum(CASE_FLAGS).optional(),
  /** `command`: never falls due by itself; only `ESCALATE` sends it. */
  trigger: z.enum(['time', 'command']).default('time'),
  /** Keys of the ladder's `duties` the RM is reminded of at this step. */
  duties: z.array(slug).default([]),
  /** Where in the policy this rung comes from: "Procedure, 4 weeks". */
  policyRef: z.string().min(1),
  /** One sentence the chaser is built around: what this step asks for. */
  asks: z.string().min(1),
  /** Optional consequence stated in the mail (e.g. the regulator warning). */
  warning: z.string().optional(),
  /** The rung asks for a meeting (FIRO stage 2 and 3, practice disagreement); see `holdForMeetings`. */
  meeting: z.boolean().default(false),
  /** Overrides the variant's and the ladder's `sendWindow` for this rung. */
  sendWindow: sendWindow.optional(),
  /**
   * What the people kept informed (a foster carer) are told was done at this step, in plain words
   * that finish "…so on <date> ": "I asked for a meeting with a more senior manager…". Without it
   * their note names the step's title and who it went to (the foster carer's own concern: "advised
   * of what has been done … and who this has been escalated to").
   */
  carerSays: z.string().min(1).optional(),
};

export const rungSchema = z.object(rungFields).strict();

const repeatSchema = z
  .object({
    every: duration,
    title: z.string().min(1),
    to: z.array(role).min(1),
    cc: z.array(role).default([]),
    ccWhen: z.partialRecord(z.enum(CASE_FLAGS), z.array(role)).default({}),
    deadline: duration.optional(),
    template: z.string().optional(),
    approval: z.boolean().default(false),
    duties: z.array(slug).default([]),
    policyRef: z.string().min(1),
    asks: z.string().min(1),
    warning: z.string().optional(),
    carerSays: z.string().min(1).optional(),
  })
  .strict();

/**
 * A variant's changes to the repeat: `every` plus any of the repeat's own keys, none defaulted.
 * (Was `repeatSchema.partial()`, but zod keeps the inner `.default([])`/`.default(false)` under
 * `.partial()`, so a variant giving only `every` silently replaced the base repeat's cc, ccWhen,
 * duties and approval with empty values when the two were merged in `effectiveLadder`.)
 */
const repeatOverride = z
  .object({
    every: duration,
    title: z.string().min(1).optional(),
    to: z.array(role).min(1).optional(),
    cc: z.array(role).optional(),
    ccWhen: z.partialRecord(z.enum(CASE_FLAGS), z.array(role)).optional(),
    deadline: duration.optional(),
    template: z.string().optional(),
    approval: z.boolean().optional(),
    duties: z.array(slug).optional(),
    policyRef: z.string().min(1).optional(),
    asks: z.string().min(1).optional(),
    warning: z.string().optional(),
  })
  .strict();

const rungOverride = z
  .object({
    /** The variant's own title and policy reference (urgent reg 5 cites Limitations, not "2 weeks"). */
    title: z.string().min(1).optional(),
    policyRef: z.string().min(1).optional(),
    /** What the rung asks, where it names the standard timescale ("within a two-week window"). */
    asks: z.string().min(1).optional(),
    after: duration.optional(),
    from: z.enum(['opening', 'previous']).optional(),
    to: z.array(role).min(1).optional(),
    cc: z.array(role).optional(),
    deadline: duration.optional(),
    approval: z.boolean().optional(),
    skip: z.boolean().optional(),
    sendWindow: sendWindow.optional(),
  })
  .strict();

const variantSchema = z
  .object({
    label: z.string().min(1),
    /** Why this variant exists, quoted from the policy. */
    description: z.string().min(1),
    policyRef: z.string().min(1),
    clock: z.enum(['calendar', 'working-days']).optional(),
    from: z.enum(['opening', 'previous']).optional(),
    /**
     * What the opening request asks on this variant's timescales: its chasers never restate the
     * standard deadline ("within 2 weeks") that the variant has overtaken.
     */
    request: z
      .object({ deadline: duration, policyRef: z.string().min(1) })
      .strict()
      .optional(),
    /** Replaces the rungs wholesale… */
    rungs: z.array(rungSchema).min(1).optional(),
    /** …or adjusts the standard ones by id. */
    overrides: z.record(slug, rungOverride).optional(),
    repeat: z.union([repeatOverride, z.literal(false)]).optional(),
    /** When this variant's rungs may go (each rung's own `sendWindow` wins). */
    sendWindow: sendWindow.optional(),
    /** Out-of-hours mail may go to people outside the organisation too (default: the ladder's). */
    outOfHoursOutside: z.boolean().optional(),
    /** A rung going out of hours is also (or only) sent to this out-of-hours address; `false` turns the ladder's off. */
    outOfHours: z.union([outOfHours, z.literal(false)]).optional(),
    /** Flags switching this variant sets on the case (e.g. psw for imminent risk). */
    setsFlags: z.array(z.enum(CASE_FLAGS)).default([]),
    /**
     * Flags that put a case on this variant, as `Safeguarding: yes` puts it on the urgent one
     * (reg 5: a child protection issue is a safeguarding concern, so `Child protection: yes` runs
     * on the safeguarding timescales).
     */
    chosenBy: z.array(z.enum(CASE_FLAGS)).default([]),
  })
  .strict();

export const ladderSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    summary: z.string().min(1),
    policy: z
      .object({
        file: z.string().min(1),
        title: z.string().min(1),
        /** The legal duty behind it, cited in mails when there is one. */
        citation: z.string().optional(),
        /** The regulator of the service in the policy's own country ("Ofsted"). */
        regulator: z.string().min(1).optional(),
        /**
         * Elsewhere in the UK: the regulator named instead, and what is cited instead of `citation`
         * (nothing when a citation is not certain: the regulator alone is named).
         */
        countries: z.partialRecord(z.enum(COUNTRIES), z.object({ regulator: z.string().min(1), citation: z.string().min(1).optional() }).strict()).default({}),
      })
      .strict(),
    clock: z.enum(['calendar', 'working-days']),
    /** Default for rungs without their own `from`. */
    from: z.enum(['opening', 'previous']).default('previous'),
    /** What the opening request asked of the professional ("within the next 2 weeks"). */
    request: z.object({ deadline: duration, policyRef: z.string().min(1) }).strict(),
    /**
     * What a chased recipient's "done" reply does. `confirm` (the default): the case waits for the
     * confirmers' RESOLVED or NOT DONE, holding the ladder for `confirmationHold`, then a reminder,
     * then a second hold, after which a reply that came with a document resolves the case and
     * anything else lets the ladder go on. `auto`: the reply resolves the case at once.
     */
    resolution: z.enum(['confirm', 'auto']).optional(),
    /** The older name: `resolve` is `resolution: auto`, `await-confirmation` is `confirm`. */
    onRecipientDone: z.enum(['resolve', 'await-confirmation']).optional(),
    /** How long each of the two holds of an awaiting-confirmation case lasts. */
    confirmationHold: duration.default('2wd'),
    /** Who confirms a "done" reply (they reply RESOLVED, NOT DONE or ESCALATE); the RM is always copied. */
    confirmers: z.array(role).default(['originator']),
    /** How long after a promised date the ladder waits before going on. */
    promiseGrace: duration.default('1wd'),
    /**
     * A chased recipient's reply confirming the date of the meeting a `meeting` rung asked for
     * holds the ladder until that date plus `promiseGrace` (FIRO: the next stage follows only if the
     * meeting brings no resolution). Otherwise the date is only noted.
     */
    holdForMeetings: z.boolean().default(false),
    /** When the ladder's rungs may go: inside the send window (default) or at any hour to staff. */
    sendWindow: sendWindow.default('working-hours'),
    /** An `always` rung may go out of hours to people outside the organisation too (default: it waits for the window). */
    outOfHoursOutside: z.boolean().default(false),
    /** A rung going out of hours is also (or only) sent to this out-of-hours address (default: none). */
    outOfHours: outOfHours.optional(),
    /** Roles copied on every chaser (the RM sees everything sent in their name). */
    alwaysCc: z.array(role).default(['originator']),
    /** Roles told, at every step, what was sent and to whom (e.g. the foster carer). */
    keepInformed: z.array(role).default([]),
    /**
     * The `keepInformed` roles are told only on a case with this flag set (FIRO: "Where appropriate
     * the foster carer should be informed", so the FIRO says so on the case); without it, on every case.
     */
    keepInformedWhen: z.enum(CASE_FLAGS).optional(),
    /**
     * Besides each step, the `keepInformed` roles are told when the case opens (`opening`: it is
     * being taken up on their behalf) and when it ends (`end`: resolved, or closed), in plain words.
     */
    keepInformedAt: z.array(z.enum(['opening', 'end'])).default([]),
    /**
     * Whom the people kept informed are pointed to with their questions. `supervising-social-worker`:
     * the foster carer's own concern, raised through their SSW. `originator`: FIRO, where the dispute
     * is with the SSW and their team manager, so the FIRO who writes is the one to ask.
     */
    keepInformedAsk: z.enum(['supervising-social-worker', 'originator']).default('supervising-social-worker'),
    /** The policy's "at each step" duties, by key, in the RM's words. */
    duties: z.record(slug, z.string().min(1)).default({}),
    /**
     * A `Due:` date before the policy's dates draws the planned steps in, so that every one is
     * taken before it (reg 5: "all the steps may need to be taken prior to the time of the visit").
     * Without it a due date is only recorded and shown.
     */
    neededBy: z
      .object({ policyRef: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * The fostering panel escalation form is kept as case data (`Panel date:`, `Panel action:`,
     * section D's dates, `Remaining concerns:`), and the rung `before` waits on the standard
     * timescales until the further form saying which aspects still concern the ADM or panel chair
     * has been recorded (policy, Formal Process, step 6).
     */
    panelForm: z
      .object({ before: slug, policyRef: z.string().min(1) })
      .strict()
      .optional(),
    /** Roles the opening request is addressed to (the "professional"), for the timetable. */
    professionalRole: role.default('professional'),
    /**
     * A partner agency (reg 5: "health and education services, …, the police and youth offending
     * teams") whose directory entry gives its own ladder of roles: its roles above the professional
     * stand in for `replaces`, lowest first, the top one taking any left over (partner-ladder.ts);
     * the rungs listed in `templates` are written with those templates, which name the agency, not
     * a council.
     */
    partnerAgencies: z
      .object({
        replaces: z.array(role).min(1),
        policyRef: z.string().min(1),
        templates: z.record(slug, z.string().min(1)).default({}),
      })
      .strict()
      .optional(),
    /** What the mails call a role on this ladder, where not its usual name (a partner agency's ladder sets them). */
    roleTitles: z.record(role, z.string().min(1)).optional(),
    rungs: z.array(rungSchema).min(1),
    repeat: repeatSchema.optional(),
    variants: z.object({ urgent: variantSchema.optional(), imminent: variantSchema.optional() }).strict().default({}),
  })
  .strict()
  .superRefine((ladder, ctx) => {
    const ids = new Set<string>();
    const checkDuties = (duties: string[], path: (string | number)[]) => {
      duties.forEach((duty, j) => {
        if (!(duty in ladder.duties)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'duties', j],
            message: `unknown duty "${duty}" (the ladder's duties are: ${Object.keys(ladder.duties).join(', ') || 'none'})`,
          });
        }
      });
    };
    const checkRungs = (rungs: z.infer<typeof rungSchema>[], path: (string | number)[]) => {
      const seen = new Set<string>();
      rungs.forEach((rung, i) => {
        if (seen.has(rung.id)) {
          ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: `duplicate rung id "${rung.id}"` });
        }
        seen.add(rung.id);
        checkDuties(rung.duties, [...path, i]);
      });
      return seen;
    };
    for (const id of checkRungs(ladder.rungs, ['rungs'])) ids.add(id);
    // The repeat's duties are reminded at every fortnightly step too: a typo there was not reported.
    if (ladder.repeat) checkDuties(ladder.repeat.duties, ['repeat']);
    for (const key of Object.keys(ladder.partnerAgencies?.templates ?? {})) {
      if (key !== 'repeat' && !ids.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['partnerAgencies', 'templates', key], message: `no rung "${key}" in this ladder` });
      }
    }
    if ((ladder.keepInformedWhen || ladder.keepInformedAt.length > 0) && ladder.keepInformed.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['keepInformed'], message: 'keepInformedWhen and keepInformedAt need the roles kept informed (keepInformed)' });
    }
    if (ladder.panelForm && !ids.has(ladder.panelForm.before)) {
      ctx.addIssue({ code: 'custom', path: ['panelForm', 'before'], message: `no rung "${ladder.panelForm.before}" in this ladder` });
    }
    for (const name of ['urgent', 'imminent'] as const) {
      const variant = ladder.variants[name];
      if (!variant) continue;
      if (variant.rungs && variant.overrides) {
        ctx.addIssue({ code: 'custom', path: ['variants', name], message: 'give either rungs or overrides, not both' });
      }
      if (variant.rungs) checkRungs(variant.rungs, ['variants', name, 'rungs']);
      if (variant.repeat && variant.repeat.duties) checkDuties(variant.repeat.duties, ['variants', name, 'repeat']);
      for (const key of Object.keys(variant.overrides ?? {})) {
        if (!ids.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', name, 'overrides', key],
            message: `no rung "${key}" in this ladder`,
          });
        }
      }
    }
  });

export type LadderDefinition = z.infer<typeof ladderSchema>;

/** Whether a "done" reply waits for confirmation (the default) or resolves the case at once. */
export function resolutionOf(ladder: Pick<LadderDefinition, 'resolution' | 'onRecipientDone'>): 'confirm' | 'auto' {
  return ladder.resolution ?? (ladder.onRecipientDone === 'resolve' ? 'auto' : 'confirm');
}
export type RungDefinition = z.infer<typeof rungSchema>;
export type RepeatDefinition = z.infer<typeof repeatSchema>;
export const VARIANT_NAMES = ['standard', 'urgent', 'imminent'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

/**
 * Turns a schema failure into lines that name the file, the rung (by index and id) and the key,
 * e.g. `config/ladders/x.yaml: rungs[2] (ad-email).after: not a duration`.
 */
export function describeLadderIssues(file: string, raw: unknown, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const parts: string[] = [];
    let node: unknown = raw;
    for (const key of issue.path) {
      const next = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key as string] : undefined;
      if (typeof key === 'number') {
        const id = next && typeof next === 'object' ? (next as { id?: unknown }).id : undefined;
        parts.push(`${parts.pop() ?? ''}[${key}]${typeof id === 'string' ? ` (${id})` : ''}`);
      } else {
        parts.push(String(key));
      }
      node = next;
    }
    return `${file}: ${parts.join('.') || '(top level)'}: ${issue.message}`;
  });
}
