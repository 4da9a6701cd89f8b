declare module 'planer' {
  /**
   * Removes quoted history. `dom` (a DOM implementation such as jsdom's `document`) is only needed
   * for text/html; without one the HTML comes back unchanged, which is why HTML replies are cut at
   * their quote containers by `cutHtmlQuote` instead. Plain text: at most the first 1000 lines are
   * read (and returned); a line longer than 200,000 characters is never taken as a splitter.
   */
  export function extractFrom(body: string, contentType: 'text/plain' | 'text/html', dom?: unknown): string;
  export function extractFromPlain(body: string): string;
  export function extractFromHtml(body: string, dom: unknown): string;
  const planer: { extractFrom: typeof extractFrom; extractFromPlain: typeof extractFromPlain; extractFromHtml: typeof extractFromHtml };
  export default planer;
}
