/** At most this many messages, or this many bytes of them, are fetched and stored together. */
const BATCH_MESSAGES = 50;
const BATCH_BYTES = 16 * 1024 * 1024;

/** Consecutive runs of new messages, bounded in count and in bytes (an oversized one counts as nothing: only its reference is kept). */
export function batches<T extends { size: number }>(items: T[], maxMessageBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const weight = item.size <= maxMessageBytes ? item.size : 0;
    if (current.length > 0 && (current.length >= BATCH_MESSAGES || bytes + weight > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += weight;
  }
  if (current.length > 0) out.push(current);
  return out;
}
