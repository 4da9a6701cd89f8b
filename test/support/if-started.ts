/**
 * Stops a fixture in an afterAll when its beforeAll got far enough to create it. The variable is
 * typed as always set for the tests' sake, but a beforeAll that failed leaves it unset, and the
 * afterAll must then not hide the real failure behind a TypeError.
 */
export async function ifStarted<T>(value: T | undefined, stop: (value: T) => unknown): Promise<void> {
  if (value !== undefined) await stop(value);
}
