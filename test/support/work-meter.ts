/**
 * Counts the work text code does, so a test can guard against super-linear behaviour without a
 * clock: run the code at size n and 4n and compare the counts (linear work grows 4×, quadratic 16×).
 * Timings belong in the benchmark (`npm run bench -- --only hostile`), where load is reported with them.
 *
 * What is counted: the characters every regular-expression execution and every `indexOf` /
 * `lastIndexOf` scan passes over. Patching `RegExp.prototype.exec` sends `test`, `replace`, `split`,
 * `match` and `matchAll` through it too (the language looks `exec` up on each call), so library
 * code (planer, mailparser) is counted as well as ours. Backtracking inside one execution is not
 * visible from JavaScript: bound the input each expression sees (and test that bound) for that.
 */
export interface Work {
  /** Characters scanned by regular expressions and indexOf/lastIndexOf. */
  chars: number;
  /** Regular-expression executions. */
  execs: number;
}

type Exec = (this: RegExp, s: string) => RegExpExecArray | null;
type IndexOf = (this: string, search: string, position?: number) => number;

export async function measureWork(fn: () => unknown): Promise<Work> {
  const work: Work = { chars: 0, execs: 0 };
  // The originals, taken off the prototypes to be put back afterwards and only ever run with .call(this):
  // typed with their `this` so nothing can call them unbound.
  const exec: Exec = Reflect.get(RegExp.prototype, 'exec');
  const indexOf: IndexOf = Reflect.get(String.prototype, 'indexOf');
  const lastIndexOf: IndexOf = Reflect.get(String.prototype, 'lastIndexOf');
  // `input` as the engine may pass it (exec(undefined) reads "undefined"), hence String().
  RegExp.prototype.exec = function (this: RegExp, input: unknown) {
    const s = String(input);
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const m = exec.call(this, s);
    work.execs++;
    // A sticky expression looks at one place; any other scans from `from` to where it matched.
    if (m) work.chars += m.index + m[0].length - from + 1;
    else work.chars += this.sticky ? 1 : Math.max(1, s.length - from);
    return m;
  };
  String.prototype.indexOf = function (this: string, search: string, position?: number) {
    const at = indexOf.call(this, search, position);
    const from = Math.max(0, position ?? 0);
    work.chars += (at === -1 ? this.length : at + search.length) - from + 1;
    return at;
  };
  String.prototype.lastIndexOf = function (this: string, search: string, position?: number) {
    const at = lastIndexOf.call(this, search, position);
    const from = Math.min(this.length, position ?? this.length);
    work.chars += (at === -1 ? from : from - at) + 1;
    return at;
  };
  try {
    await fn();
  } finally {
    RegExp.prototype.exec = exec;
    String.prototype.indexOf = indexOf;
    String.prototype.lastIndexOf = lastIndexOf;
  }
  return work;
}

/**
 * The work at `n` and at `4n` of `make(n)`: the ratio stays near 4 for linear code and reaches 16
 * for quadratic. Returns both counts so a failure shows them.
 */
export async function growth(make: (n: number) => () => unknown, n: number): Promise<{ small: Work; large: Work; ratio: number }> {
  // One warm-up run: lazily built tables (regular expressions compiled on first use) are not work.
  await make(n)();
  const small = await measureWork(make(n));
  const large = await measureWork(make(4 * n));
  return { small, large, ratio: large.chars / small.chars };
}
