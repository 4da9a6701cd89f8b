/**
 * The `message` of whatever was thrown, when it has one. A `catch` receives `unknown`: an Error,
 * a library's plain object with a message, or a bare string; this reads the first two alike.
 */
export function errorMessage(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('message' in error)) return undefined;
  return typeof error.message === 'string' ? error.message : undefined;
}

/** What was thrown, in words: its message, or the thing itself as a string. */
export function describeThrown(error: unknown): string {
  return errorMessage(error) ?? String(error);
}
