/** Nearest-rank percentile of already collected samples (p in 0–100). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Milliseconds spent in `fn`, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** CPU time of this process between two readings, in ms. */
export function cpuSince(start: NodeJS.CpuUsage): { userMs: number; systemMs: number } {
  const d = process.cpuUsage(start);
  return { userMs: round(d.user / 1000, 0), systemMs: round(d.system / 1000, 0) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whole-machine CPU counters from /proc/stat (jiffies): to tell "CPU-bound" from "waiting". */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const { readFile } = await import('node:fs/promises');
  const [line = ''] = (await readFile('/proc/stat', 'utf8')).split('\n');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy between two readings (0–1). */
export function busyShare(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  const total = b.total - a.total;
  return total > 0 ? round((b.busy - a.busy) / total, 2) : 0;
}
