/**
 * Issue 15.4 (reg 5) and h15reg5 point 2, on the real services: a children's home in Wales
 * (organisation `country: wales`). Its confirmation and first reminder, received through the SMTP
 * sink, name Care Inspectorate Wales and the Welsh regulations; `cases show` and the evidence pack
 * say the same. Nothing says Ofsted or cites the Children's Homes (England) Regulations 2015.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, operatorCli, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const CIW = 'Care Inspectorate Wales';
const WELSH = 'the Regulated Services (Service Providers and Responsible Individuals) (Wales) Regulations 2017';

const to = (m: CapturedMessage) => ((m.parsed.to as { value: { address: string }[] } | undefined)?.value ?? []).map((a) => a.address);

/**
 * Nothing of England's regulator or regulation. The test directory's inspector is "Casey Ofsted"
 * at ofsted.gov.uk: the fixture's name and address, not the service's words.
 */
function notEnglish(raw: string, what: string): void {
  const text = raw.replaceAll('Casey Ofsted', 'Casey').replaceAll('@ofsted.gov.uk', '@inspector.example');
  expect(text, what).not.toContain('Ofsted');
  expect(text, what).not.toContain('(England) Regulations');
  expect(text, what).not.toContain('Regulation 5(c)');
}

describe('reg 5 for a home in Wales, through the real services', () => {
  let h: EscalatorHarness;
  let c: OpenedCase;
  let cli: ReturnType<typeof operatorCli>;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reg5_wales', start: '2026-11-23T10:00:00Z', org: { country: 'wales' } });
    cli = operatorCli(h, writeHarnessConfig(h));
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('the confirmation names Care Inspectorate Wales, never Ofsted or the English regulation', async () => {
    c = await new CaseMail(h).open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-5001', `Team manager: Jo Bennett <${JO}>`] });
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    await h.settle();
    const text = confirmation.parsed.text ?? '';
    expect(text).toContain(`Seek the support of the home’s ${CIW} inspector`);
    expect(text).toContain(`${CIW} inspector: Casey Ofsted`);
    notEnglish(text, 'confirmation text');
    notEnglish(String(confirmation.parsed.html), 'confirmation html');
  });

  it('the first reminder writes as a home registered with Care Inspectorate Wales, in keeping with the Welsh regulations', async () => {
    h.sink.clear();
    await h.advanceTo('2026-12-07T10:00:00Z');
    const m = await h.sink.waitFor((x) => to(x).includes(SAM) && (x.parsed.subject?.startsWith('Reminder 1:') ?? false));
    await h.settle();
    expect(m.parsed.text).toContain(`registered with ${CIW}, in keeping with ${WELSH}`);
    notEnglish(m.parsed.text ?? '', 'reminder text');
    notEnglish(String(m.parsed.html), 'reminder html');
  });

  it('cases show gives the Welsh policy line, regulator and rung title', async () => {
    const shown = await cli('cases', 'show', c.ref);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`in keeping with ${WELSH} (regulator: ${CIW})`);
    expect(shown.out).toContain(`Seek the support of the home’s ${CIW} inspector`);
    notEnglish(shown.out, 'cases show');
    const json = JSON.parse((await cli('cases', 'show', c.ref, '--json')).out) as { regulator: string; policy: string };
    expect(json.regulator).toBe(CIW);
  });

  it('the evidence pack cites the Welsh regulations and names Care Inspectorate Wales', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'escalator-wales-'));
    const out = join(dir, 'pack.html');
    try {
      const run = await cli('case-history', c.ref, '--format', 'html', '--out', out);
      expect(run.err).toBe('');
      expect(run.code).toBe(0);
      const html = readFileSync(out, 'utf8');
      expect(html).toContain(`In keeping with ${WELSH} (regulator: ${CIW})`);
      expect(html).toContain(`following the Escalation Policy for Children’s Homes (Regulation 5 template), in keeping with ${WELSH}`);
      expect(html).toContain(`${CIW} inspector`);
      notEnglish(html, 'evidence pack');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
