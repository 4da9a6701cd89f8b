import { describe, expect, it } from 'vitest';
import { batches } from '../../../src/inbound/fetch-batches.js';

const msgs = (...sizes: number[]) => sizes.map((size, i) => ({ uid: i + 1, size }));
const uids = (bs: { uid: number }[][]) => bs.map((b) => b.map((m) => m.uid));

describe('the watcher fetches and stores new mail in batches', () => {
  it('keeps every message, in order, at most 50 to a batch', () => {
    const out = batches(msgs(...Array.from({ length: 120 }, () => 1000)), 25_000_000);
    expect(out.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(out.flat().map((m) => m.uid)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('starts a new batch before the bytes fetched together would pass 16 MiB', () => {
    const mb = 1024 * 1024;
    expect(uids(batches(msgs(10 * mb, 5 * mb, 2 * mb, 1), 25 * mb))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('gives a message bigger than the batch its own batch rather than losing it', () => {
    const mb = 1024 * 1024;
    expect(uids(batches(msgs(1, 20 * mb, 1), 25 * mb))).toEqual([[1], [2], [3]]);
  });

  it('counts an oversized message (kept as a reference only) as no bytes', () => {
    const mb = 1024 * 1024;
    expect(uids(batches(msgs(15 * mb, 40 * mb, 2 * mb), 25 * mb))).toEqual([[1, 2], [3]]);
  });

  it('has nothing to do for no messages', () => {
    expect(batches([], 1000)).toEqual([]);
  });
});
