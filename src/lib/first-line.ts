/** Text up to its first line break (all of it when there is none): error descriptions put the point first. */
export function firstLine(text: string): string {
  const at = text.search(/\r?\n/);
  return at < 0 ? text : text.slice(0, at);
}
