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
});
