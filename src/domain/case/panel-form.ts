/**
 * The fostering panel escalation form as case data (shared/policies/fostering-panel-escalation.txt,
 * section 4): the date of the panel and the chair's 5 working days for the form (section A), the
 * manager's actions with who and by when (section C), the panel adviser's dates (section D), and
 * the further form of step 6 saying which aspects still concern the ADM or panel chair. Captured
 * by directive lines (`Panel date: …`), kept on the case, shown in the evidence pack and exported.
 */

/**
 * How a timetable says the step before which the further form is due waits for it (step 6: the
 * senior manager is written to only once the form is recorded): the confirmation, `cases show`,
 * the web case page, the evidence pack and `escalator simulate` give the date with this beside it,
 * so nobody reads the date as a promise the step goes then whatever happens.
 */
export const AWAITS_FURTHER_FORM = 'once the ADM or panel chair has recorded the further form (Remaining concerns: …)';

/** Section A's and section D's dates, by the directive that sets them. */
export const PANEL_DATE_FIELDS = ['panel-date', 'form-due', 'received', 'sent-to-chair', 'sent-to-adm', 'feedback-to-panel'] as const;
export type PanelDateField = (typeof PANEL_DATE_FIELDS)[number];

/** What each date is called on the form. */
export const PANEL_DATE_LABEL: Record<PanelDateField, string> = {
  'panel-date': 'Date of fostering panel',
  'form-due': 'Escalation form due (5 working days after the panel)',
  received: 'Date response received',
  'sent-to-chair': 'Date sent to panel chair',
  'sent-to-adm': 'Date sent to ADM',
  'feedback-to-panel': 'Date for feedback to fostering panel',
};

export interface PanelAction {
  action: string;
  who: string;
  /** YYYY-MM-DD, when the line gave a date we could read. */
  by?: string;
  /** The words after the last separator when they were no date. */
  byText?: string;
}

export interface PanelForm {
  /** Local dates, YYYY-MM-DD. */
  dates: Partial<Record<PanelDateField, string>>;
  /** Section C: actions and learning. */
  actions: PanelAction[];
  /**
   * Step 6: the further form of the ADM or panel chair, saying which aspects still concern them.
   * Kept here (not in the immutable events) so that purge reaches the text.
   */
  remainingConcerns?: { at: string; by: string; text: string };
}

export function emptyPanelForm(): PanelForm {
  return { dates: {}, actions: [] };
}

/** Whether the case has any of the form's data (the evidence pack and export show nothing otherwise). */
export function hasPanelForm(form: PanelForm | undefined): form is PanelForm {
  return !!form && (Object.keys(form.dates).length > 0 || form.actions.length > 0 || !!form.remainingConcerns);
}

/**
 * `Panel action: review the assessment; Jo Bloggs; 15 January 2027` → what, by whom, by when.
 * Separators: `;`, `|` or ` / `; "by" before the name or the date is dropped. Undefined without
 * at least the action and who.
 */
export function splitPanelAction(value: string): { action: string; who: string; when?: string } | undefined {
  const parts = value
    .split(/\s*[;|]\s*|\s+\/\s+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length < 2) return undefined;
  const [action, whoRaw, ...rest] = parts as [string, string, ...string[]];
  const who = whoRaw.replace(/^(?:by whom|who|by)\s*:?\s+/i, '').trim();
  const when = rest
    .join(' ')
    .replace(/^(?:by when|when|by)\s*:?\s+/i, '')
    .trim();
  if (action === '' || who === '') return undefined;
  return { action: action.slice(0, 300), who: who.slice(0, 120), ...(when ? { when: when.slice(0, 80) } : {}) };
}

/** The directives that fill the form. */
export type PanelDirective =
  { kind: 'panel-date'; field: PanelDateField; date: string } | { kind: 'panel-action'; action: PanelAction } | { kind: 'remaining-concerns'; text: string };

/** The form's own timescale: the chair completes it "within 5 working days of the meeting" (Formal Process, step 1). */
export const FORM_WORKING_DAYS = 5;

/**
 * Records one form line on the form (a copy: the caller's is not changed). The date of the panel
 * also sets the chair's 5 working days for the form, unless a `Form due:` line gave that date.
 * Returns what to say back to the sender.
 */
export function applyPanelDirective(
  form: PanelForm | undefined,
  d: PanelDirective,
  cal: { addWorkingDays(instant: Date, n: number): Date; openingOf(localDate: string): Date; localDate(instant: Date): string },
  at: Date,
  by: string,
): { form: PanelForm; said: string } {
  const next: PanelForm = form
    ? { dates: { ...form.dates }, actions: [...form.actions], ...(form.remainingConcerns ? { remainingConcerns: form.remainingConcerns } : {}) }
    : emptyPanelForm();
  switch (d.kind) {
    case 'panel-date': {
      next.dates[d.field] = d.date;
      let said = `${PANEL_DATE_LABEL[d.field]}: ${d.date}.`;
      // A form-due date given on its own line stands; one we worked out follows a corrected panel date.
      const own = form?.dates['form-due'] !== undefined && form.dates['form-due'] !== formDueAfter(form.dates['panel-date'], cal);
      if (d.field === 'panel-date' && !own) {
        const due = cal.localDate(cal.addWorkingDays(cal.openingOf(d.date), FORM_WORKING_DAYS));
        next.dates['form-due'] = due;
        said += ` The escalation form is due by ${due} (5 working days after the panel).`;
      }
      return { form: next, said };
    }
    case 'panel-action':
      next.actions.push(d.action);
      return { form: next, said: `Section C action recorded (${next.actions.length} in all).` };
    case 'remaining-concerns':
      next.remainingConcerns = { at: at.toISOString(), by, text: d.text };
      return { form: next, said: 'Recorded the further form: the aspects that still concern the ADM or panel chair.' };
  }
}

function formDueAfter(panelDate: string | undefined, cal: Parameters<typeof applyPanelDirective>[2]): string | undefined {
  return panelDate ? cal.localDate(cal.addWorkingDays(cal.openingOf(panelDate), FORM_WORKING_DAYS)) : undefined;
}

export function isPanelDirective(d: { kind: string }): d is PanelDirective {
  return d.kind === 'panel-date' || d.kind === 'panel-action' || d.kind === 'remaining-concerns';
}
