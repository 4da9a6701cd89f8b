// Issue 13, point 10: child data minimisation. `Child:` takes only the organisation's reference
// format; lines the service does not recognise are never echoed back or kept in events; VIEWS and
// NOTE text stays out of the immutable events and is purged with the case.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, operatorCli, writeHarnessConfig } from '../support/case-mail.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';

const SAM = 'sam.patel@northshire.gov.uk';

describe('10. child data minimisation', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-10', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  async function stored(caseId: string): Promise<string> {
    const rows = await h
      .em()
      .execute<{ t: string }[]>(
        `select (select state::text from escalation_case where id = ?) || coalesce((select string_agg(detail::text, ' ') from case_event where case_id = ?), '') as t`,
        [caseId, caseId],
      );
    return rows[0]!.t;
  }

  it('a Child: value that is a name, or not in the reference format, is refused and the RM told why, without repeating it', async () => {
    h.sink.clear();
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: Polly'] });
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    expect(confirmation.envelope.to).toContain(RM);
    expect(confirmation.parsed.text).toContain("not a child reference in this organisation's format (e.g. AB-1234)");
    expect(confirmation.parsed.text).not.toContain('Polly');
    expect((await h.caseByRef(c.ref))!.state.childRef).toBeUndefined();
    expect(await stored(c.id)).not.toContain('Polly');
  });

  it('a line the service does not recognise is not echoed in the confirmation nor kept in events', async () => {
    h.sink.clear();
    const c = await mail.open({
      professional: `Sam Patel <${SAM}>`,
      directives: ['Child: AB-1010', 'Birth mother: Jane Fictitious of 3 Acacia Road'],
    });
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    expect(confirmation.parsed.text).toContain('One line of your request looked like a directive');
    expect(confirmation.parsed.text).not.toContain('Acacia');
    expect(String(confirmation.parsed.html)).not.toContain('Acacia');
    expect(await stored(c.id)).not.toContain('Acacia');
  });

  it('VIEWS and NOTE text stays out of the immutable events, and escalator purge removes it with the case', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-1011'] });
    await mail.command(c, ['VIEWS: Wants to stay with her foster family at Willow Lane']);
    await mail.command(c, ['NOTE: Spoke to Sam about the Willow Lane placement']);
    const events = await h.em().execute<{ type: string; detail: unknown }[]>(`select type, detail from case_event where case_id = ?`, [c.id]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['views-recorded', 'note-added']));
    expect(JSON.stringify(events)).not.toContain('Willow');
    const state = (await h.caseByRef(c.ref))!.state;
    expect(state.views[0]?.text).toContain('Willow Lane');
    expect(state.notes?.[0]?.text).toContain('Willow Lane');

    await mail.command(c, ['CLOSE']);
    await h.advanceTo('2034-01-10T10:00:00Z');
    const cli = operatorCli(h, writeHarnessConfig(h));
    const run = await cli('purge');
    expect(run.code).toBe(0);
    expect(await stored(c.id)).not.toContain('Willow');
    const after = (await h.caseByRef(c.ref))!.state;
    expect(after.views[0]?.text).toBe('(purged)');
    expect(after.notes?.[0]?.text).toBe('(purged)');
  });
});
