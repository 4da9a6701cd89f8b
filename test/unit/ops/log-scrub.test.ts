import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubErrorMessage } from '../../../src/lib/logger.js';

describe('log scrubbing', () => {
  it('keeps only the reason of a failed query whose SQL carries the values', () => {
    const knex = `insert into "message" ("new_text", "subject") values ('Please send the minutes for AB-1234', 'LAC review AB-1234') - duplicate key value violates unique constraint "message_pkey"`;
    expect(scrubErrorMessage(knex)).toBe('[query] - duplicate key value violates unique constraint "message_pkey"');
    expect(scrubErrorMessage('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(scrubErrorMessage('x'.repeat(2000))).toHaveLength(501);
  });

  it('applies to err.message and reason of every line, and redacts known secret and body keys', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('info', out);
    logger.error({ err: { message: `update "escalation_case" set "state" = '{"childRef":"AB-1234"}' - terminating connection` } }, 'job failed');
    logger.warn({ reason: `select * from x where subject = 'AB-1234' - canceling statement`, text: 'the body', password: 'hunter2' }, 'x');
    const all = lines.join('');
    expect(all).not.toContain('AB-1234');
    expect(all).not.toContain('the body');
    expect(all).not.toContain('hunter2');
    expect(all).toContain('[query] - terminating connection');
  });

  it('logs an error through the err serializer with its type, stack and cause, and no message body', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    class DriverError extends Error {
      code = '23505';
      detail = 'Key (child_ref)=(AB-1234) already exists.';
    }
    function storeMessage(): never {
      const cause = new Error(`insert into "message" ("new_text") values ('Minutes for AB-1234 attached') - connection reset`);
      throw new DriverError(`insert into "message" ("new_text") values ('Minutes for AB-1234 attached') - duplicate key value violates unique constraint`, {
        cause,
      });
    }
    let thrown: unknown;
    try {
      storeMessage();
    } catch (error) {
      thrown = error;
    }
    createLogger('info', out).error({ err: thrown, job: 'j1' }, 'job failed');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { err: { type: string; message: string; stack: string; code: string; cause: { message: string; stack: string } } };
    expect(line.err.type).toBe('DriverError');
    expect(line.err.message).toBe('[query] - duplicate key value violates unique constraint');
    expect(line.err.code).toBe('23505');
    const stack = line.err.stack.split('\n');
    expect(stack[0]).toBe('Error: [query] - duplicate key value violates unique constraint');
    expect(stack[1]).toMatch(/^\s+at storeMessage \(.*log-scrub\.test\.ts:\d+:\d+\)$/);
    expect(line.err.cause.message).toBe('[query] - connection reset');
    expect(line.err.cause.stack).toMatch(/^Error: \[query\] - connection reset\n\s+at storeMessage /);
    expect(lines[0]).not.toContain('AB-1234');
    expect(lines[0]).not.toContain('Minutes');
    // The caller's error is left as it was.
    expect((thrown as Error).message).toContain('AB-1234');
  });
});
