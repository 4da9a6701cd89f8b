import { must } from './must.js';
/**
 * A small seeded PRNG (mulberry32): the same seed gives the same corpus on every machine, so two
 * runs of the benchmark parse, store and answer exactly the same bytes.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return must(items[Math.floor(this.next() * items.length)], 'item to pick from an empty list');
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Lower-case hex of n characters. */
  hex(n: number): string {
    let out = '';
    while (out.length < n)
      out += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, n);
  }

  /** n pseudo-random bytes (attachment content that does not compress). */
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) out.writeUInt32LE(Math.floor(this.next() * 0x100000000) >>> 0, i <= n - 4 ? i : n - 4);
    return out;
  }
}
