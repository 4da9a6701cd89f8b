declare module 'planer' {
  /** Removes quoted history; `dom` is only needed for text/html. */
  export function extractFrom(body: string, contentType: 'text/plain' | 'text/html', dom?: unknown): string;
  export function extractFromPlain(body: string): string;
  const planer: { extractFrom: typeof extractFrom; extractFromPlain: typeof extractFromPlain };
  export default planer;
}
