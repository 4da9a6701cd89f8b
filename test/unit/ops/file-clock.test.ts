import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileClock } from '../../../src/lib/file-clock.js';
import { clockFor } from '../../../src/cli/load.js';
import { systemClock } from '../../../src/lib/clock.js';

function clockFile(offsetMs: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'file-clock-')), 'clock.json');
  writeFileSync(path, JSON.stringify({ offsetMs }));
  return path;
}

describe('FileClock (test-only shared clock)', () => {
  it('is real time plus the offset in the file', () => {
    let real = Date.parse('2026-01-01T00:00:00Z');
    const clock = new FileClock(clockFile(3_600_000), () => real);
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:00.000Z');
    real += 5_000;
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:05.000Z');
  });

  it('rereads the file after 100 ms, not before', () => {
    let real = 1_000_000;
    const path = clockFile(0);
    const clock = new FileClock(path, () => real);
    writeFileSync(`${path}.tmp`, JSON.stringify({ offsetMs: 86_400_000 }));
    renameSync(`${path}.tmp`, path);
    real += 50;
    expect(clock.now().getTime()).toBe(1_000_050);
    real += 50;
    expect(clock.now().getTime()).toBe(1_000_100 + 86_400_000);
  });

  it('keeps the last good offset when the file is being rewritten or is broken', () => {
    let real = 0;
    const path = clockFile(42);
    const clock = new FileClock(path, () => real);
    writeFileSync(path, '{"offs');
    real += 200;
    expect(clock.now().getTime()).toBe(242);
  });

  it('refuses to start on a missing or invalid file', () => {
    expect(() => new FileClock('/nonexistent/clock.json')).toThrow(/ESCALATOR_CLOCK_FILE=\/nonexistent\/clock.json/);
    expect(() => new FileClock(clockFile('soon'))).toThrow(/offsetMs must be a finite number/);
  });

  it('is chosen by the CLI only when ESCALATOR_CLOCK_FILE is set', () => {
    expect(clockFor({})).toBe(systemClock);
    expect(clockFor({ ESCALATOR_CLOCK_FILE: clockFile(0) })).toBeInstanceOf(FileClock);
  });
});
