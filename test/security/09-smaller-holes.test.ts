// Issue 13, point 9 (the parts other than address comparison and multi-address From): hostile mail
// leaves none of its own text in a log line; the shipped configs keep HTTP off the network;
// /metrics reads the database at most once per 15 s whatever the scrape rate; Chromium prints the
// evidence pack with its sandbox on (as an unprivileged account where the service runs as root).
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CaseMail, operatorCli, writeHarnessConfig } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, REPO_ROOT, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';

const MARK = 'ZQXHOSTILE';

describe('point 9: logs, HTTP binding, /metrics, Chromium sandbox', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-09', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  const verdict = (messageId: string) =>
    waitFor(
      async () => {
        const rows = await h.em().execute<{ status: string; reason: string | null }[]>(`select status, reason from message where message_id = ?`, [messageId]);
        return rows[0] && rows[0].status !== 'pending' ? rows[0] : undefined;
      },
      { what: `a verdict on ${messageId}` },
    );

  it('hostile mail: no boundary, subject, name, header or Date text of the sender reaches a log line', async () => {
    const c = await mail.open({ professional: 'Sam Patel <sam.patel@northshire.gov.uk>', directives: ['Child: AB-9001'] });
    const hostile: { id: string; raw: string }[] = [];
    // A multipart message whose declared boundary never appears: unreadable, and the boundary is the sender's text.
    hostile.push({
      id: `<b1-${MARK}@evil.example>`,
      raw: [
        `From: "${MARK}-name" <mallory@evil.example>`,
        `To: ${INBOX}`,
        `Subject: ${MARK}-subject [${c.ref}]`,
        `Message-ID: <b1-${MARK}@evil.example>`,
        `Date: ${MARK}-date`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${MARK}-boundary"`,
        `X-${MARK}: ${MARK}-header`,
        '',
        `no part here ${MARK}-body`,
        '',
      ].join('\r\n'),
    });
    // The same, with the boundary unquoted and a stray quote in it.
    hostile.push({
      id: `<b2-${MARK}@evil.example>`,
      raw: [
        `From: mallory@evil.example`,
        `To: ${INBOX}`,
        `Subject: hello [escalate]`,
        `Message-ID: <b2-${MARK}@evil.example>`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/alternative; boundary=${MARK}"unquoted`,
        '',
        `body ${MARK}-body2`,
        '',
      ].join('\r\n'),
    });
    // A stranger's tagged request and a stranger's reply in the thread, with text everywhere.
    hostile.push({
      id: `<b3-${MARK}@evil.example>`,
      raw: rfc822({
        from: `"${MARK} <admin@sunrise-homes.org.uk>" <mallory@evil.example>`,
        to: `"${MARK}" <sam.patel@northshire.gov.uk>`,
        cc: INBOX,
        subject: `${MARK} [escalate]`,
        messageId: `<b3-${MARK}@evil.example>`,
        date: h.clock.now(),
        headers: { 'Content-Language': `${MARK}-lang` },
        body: `Ladder: ${MARK}\r\nChild: ${MARK}\r\n`,
      }),
    });
    hostile.push({
      id: `<b4-${MARK}@evil.example>`,
      raw: rfc822({
        from: `${MARK} <mallory@evil.example>`,
        to: INBOX,
        subject: `RE: ${MARK}`,
        messageId: `<b4-${MARK}@evil.example>`,
        date: h.clock.now(),
        inReplyTo: c.requestId,
        body: `RESOLVED ${MARK}`,
      }),
    });
    for (const m of hostile) await h.append(m.raw);
    const verdicts = [];
    for (const m of hostile) verdicts.push(await verdict(m.id));
    await h.settle();
    // They really were judged, and the full reason (boundary included, where it matters) stays on the row.
    expect(verdicts[0]!.status).toBe('rejected');
    expect(verdicts[0]!.reason).toContain('boundary');
    const logs = h.logs.raw.join('\n');
    expect(h.logs.lines.filter((l) => l.msg === 'message ingested' || l.msg === 'message not ingested').length).toBeGreaterThanOrEqual(5);
    expect(logs).not.toContain(MARK);
    expect(logs).not.toContain('evil.example');
    // A log line still says why, in the service's own words.
    expect(h.logs.lines.some((l) => typeof l.reason === 'string' && l.reason.includes('boundary'))).toBe(true);
  });

  it('the example config binds HTTP to 127.0.0.1; docker publishes it on the host’s loopback only', () => {
    const example = parse(readFileSync(join(REPO_ROOT, 'config/escalator.example.yaml'), 'utf8')) as { http: { host: string } };
    expect(example.http.host).toBe('127.0.0.1');
    // Inside a container 127.0.0.1 would be unreachable through the port mapping: the container
    // binds its own interfaces and the compose file publishes the port on the host's loopback.
    const docker = parse(readFileSync(join(REPO_ROOT, 'config/escalator.docker.yaml'), 'utf8')) as { http: { host: string; port: number } };
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { ports?: string[] }> };
    expect(compose.services.escalator!.ports).toEqual([`127.0.0.1:${docker.http.port}:${docker.http.port}`]);
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const p of svc.ports ?? []) expect(p, `${name} publishes ${p}`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('/metrics reads PostgreSQL once per 15 s of the service’s clock, however often it is scraped', async () => {
    const knex = h.service.orm.em.getConnection().getKnex();
    const gaugeQueries: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/min\(next_action_at\)|min\(not_before\)/.test(q.sql)) gaugeQueries.push(q.sql);
    };
    knex.on('query', onQuery);
    try {
      const scrape = async () => {
        const res = await fetch(`http://127.0.0.1:${h.service.httpPort}/metrics`);
        expect(res.status).toBe(200);
        return res.text();
      };
      h.clock.advance(60_000);
      const first = await scrape();
      expect(first).toContain('escalator_oldest_overdue_case_seconds');
      const afterFirst = gaugeQueries.length;
      expect(afterFirst).toBe(2);
      await Promise.all(Array.from({ length: 20 }, () => scrape()));
      for (let i = 0; i < 10; i++) {
        h.clock.advance(1_000);
        await scrape();
      }
      expect(gaugeQueries.length).toBe(afterFirst);
      h.clock.advance(5_000);
      await scrape();
      expect(gaugeQueries.length).toBe(afterFirst + 2);
    } finally {
      knex.off('query', onQuery);
    }
  });

  it('prints the evidence pack with Chromium’s sandbox on, as an unprivileged account when run as root', async () => {
    const real = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => {
      try {
        readFileSync(p);
        return true;
      } catch {
        return false;
      }
    });
    expect(real, 'Chromium is installed (.ci/run installs it)').toBeTruthy();
    // A wrapper that records how it was started, then runs the real Chromium.
    const dir = mkdtempSync(join(tmpdir(), 'sec-09-chromium-'));
    chmodSync(dir, 0o777);
    const record = join(dir, 'calls.log');
    writeFileSync(record, '');
    chmodSync(record, 0o666);
    const wrapper = join(dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\necho "uid=$(id -u) args=$*" >> ${record}\nexec ${real} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const c = await mail.open({ professional: 'Sam Patel <sam.patel@northshire.gov.uk>', directives: ['Child: AB-9002'] });
    const cli = operatorCli(h, writeHarnessConfig(h));
    const out = join(dir, 'pack.pdf');
    process.env.CHROMIUM_PATH = wrapper;
    let run: { code: number; out: string; err: string };
    try {
      run = await cli('case-history', c.ref, '--format', 'pdf', '--out', out);
    } finally {
      delete process.env.CHROMIUM_PATH;
    }
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const calls = readFileSync(record, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(1);
    expect(calls[0]).not.toContain('--no-sandbox');
    const uid = Number(/uid=(\d+)/.exec(calls[0]!)![1]);
    if (process.getuid?.() === 0) expect(uid).not.toBe(0);
    // It opens only the page written for it, a local file, with its background networking off.
    expect(calls[0]).toContain('--disable-background-networking');
    expect(calls[0]).toMatch(/ --print-to-pdf=\S+\/evidence\.pdf file:\/\/\S+\/evidence\.html$/);
  });
});
