/**
 * Drives cases the way people do: a tagged request, the RM's commands and recipients' replies,
 * each appended to the real Dovecot inbox and ingested by the running service.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { runCli } from '../../src/cli/program.js';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { EscalatorHarness, INBOX, REPO_ROOT, RM, SECRET, rfc822, type TestAttachment } from './escalator-harness.js';
import { waitFor } from './wait.js';

export interface OpenedCase {
  ref: string;
  id: string;
  requestId: string;
  subject: string;
}

export class CaseMail {
  private n = 0;

  constructor(
    private readonly h: EscalatorHarness,
    private readonly domain = 'sunrise-homes.org.uk',
  ) {}

  private nextId(kind: string): string {
    return `<${kind}-${++this.n}-${randomBytes(3).toString('hex')}@${this.domain}>`;
  }

  /** Appends a raw message and waits until the service has ingested it and sent what it decided. */
  async deliver(raw: string | Buffer, messageId: string): Promise<string | null> {
    await this.h.append(raw);
    const row = await waitFor(
      async () => {
        const rows = await this.h
          .em()
          .execute<{ status: string; case_id: string | null }[]>(`select status, case_id from message where message_id = ?`, [messageId]);
        return rows[0] && rows[0].status !== 'pending' ? rows[0] : null;
      },
      { what: `message ${messageId} to be ingested` },
    );
    await this.h.settle();
    return row.case_id;
  }

  /** A tagged request from the RM to a professional, with directives; returns the case it opened. */
  async open(opts: { professional: string; subject?: string; directives?: string[]; cc?: string; body?: string }): Promise<OpenedCase> {
    const requestId = this.nextId('request');
    const subject = opts.subject ?? `LAC review minutes [escalate]`;
    const body = [
      opts.body ?? 'Could you send the minutes of the Looked After Review, please?',
      '',
      ...(opts.directives ?? []),
      '',
      'Many thanks,',
      'Alex',
    ].join('\r\n');
    const caseId = await this.deliver(
      rfc822({ from: `Alex Morgan <${RM}>`, to: opts.professional, cc: opts.cc ?? INBOX, subject, messageId: requestId, date: this.h.clock.now(), body }),
      requestId,
    );
    if (!caseId) throw new Error(`the request ${requestId} opened no case`);
    const rows = await this.h.em().execute<{ ref: string; subject: string }[]>(`select ref, subject from escalation_case where id = ?`, [caseId]);
    return { ref: rows[0]!.ref, id: caseId, requestId, subject: rows[0]!.subject };
  }

  /** The RM's reply to the case with commands on its first lines. */
  async command(c: OpenedCase, lines: string[]): Promise<void> {
    const id = this.nextId('command');
    await this.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: ${c.subject} [${c.ref}]`,
        messageId: id,
        date: this.h.clock.now(),
        inReplyTo: c.requestId,
        references: c.requestId,
        body: `${lines.join('\r\n')}\r\n\r\nAlex`,
      }),
      id,
    );
  }

  /** The Message-ID of the chaser the case sent at step n. */
  chaserId(c: OpenedCase, step: number): string {
    return messageIdFor(SECRET, c.id, c.ref, `s${step}-chaser`, INBOX);
  }

  /** A chased recipient's reply to the step-n chaser (or to the request when step is 0). */
  async reply(
    c: OpenedCase,
    from: string,
    body: string,
    opts: {
      step?: number;
      attachment?: TestAttachment;
      attachments?: TestAttachment[];
    } = {},
  ): Promise<string> {
    const id = this.nextId('reply');
    const parent = opts.step ? this.chaserId(c, opts.step) : c.requestId;
    const headers = {
      from,
      to: INBOX,
      subject: `RE: ${c.subject} [${c.ref}]`,
      messageId: id,
      date: this.h.clock.now(),
      inReplyTo: parent,
      references: `${c.requestId} ${parent}`,
    };
    const files = [...(opts.attachment ? [opts.attachment] : []), ...(opts.attachments ?? [])];
    const raw = rfc822({ ...headers, body, attachments: files });
    await this.deliver(raw, id);
    return id;
  }
}

/** The harness's config as a YAML file, for running the CLI against the same services. */
export function writeHarnessConfig(h: EscalatorHarness): string {
  const dir = join(tmpdir(), `escalator-cli-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const config = {
    ...h.loaded.config,
    laddersDir: resolve(REPO_ROOT, h.loaded.config.laddersDir),
    directory: resolve(REPO_ROOT, h.loaded.config.directory),
    logging: { level: 'silent' },
  };
  const path = join(dir, 'escalator.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

/** A CliIo that keeps what a user would see. */
export function captureIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, ESCALATOR_LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.ESCALATOR_CONFIG;
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env, cwd }, out, err };
}

/**
 * The CLI run as an operator would, against the harness's services and on the harness's clock
 * (shared through the test-only clock file, rewritten before each run).
 */
export function operatorCli(h: EscalatorHarness, config: string): (...args: string[]) => Promise<{ code: number; out: string; err: string }> {
  const clockFile = join(mkdtempSync(join(tmpdir(), 'cli-clock-')), 'clock.json');
  return async (...args) => {
    writeFileSync(clockFile, JSON.stringify({ offsetMs: h.clock.now().getTime() - Date.now() }));
    const run = captureIo(h.loaded.baseDir);
    run.io.env.ESCALATOR_CLOCK_FILE = clockFile;
    const code = await runCli(['--config', config, ...args], run.io);
    return { code, out: run.out.join('\n'), err: run.err.join('\n') };
  };
}

/**
 * Whether a subject is a chaser's on the case whose subject (with its tag) is `tagged`: what it is
 * ("Reminder 2", "Escalation to the Assistant Director", urgent first), then the case's subject.
 */
export function isChaserSubject(subject: string | undefined, tagged: string): boolean {
  if (!subject?.endsWith(`: ${tagged}`)) return false;
  const lead = subject.slice(0, -`: ${tagged}`.length);
  return /^(URGENT — safeguarding — )?(Reminder \d+|Escalation to [^:]+)$/.test(lead);
}
