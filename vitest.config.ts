import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // unit: pure logic; repository: each repository on PostgreSQL alone; integration and security: the whole service on real servers.
    include: ['test/unit/**/*.test.ts', 'test/repository/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/security/**/*.test.ts'],
    // Integration tests start real servers; two cores, so at most two files at once.
    maxWorkers: 2,
    // Node 20's require(esm) can abort a whole test process ("v8::Module::IsGraphAsync must be used
    // on an instantiated module") when piscina require()s the TypeScript parse worker's .mjs shim,
    // which uses top-level await: it happened once in a full run. Without require(esm), that
    // require fails cleanly and piscina imports the file instead, as it was built to. Worker threads
    // inherit the flag.
    execArgv: ['--no-experimental-require-module'],
    // Generous: a test waits only as long as its I/O takes; limits this high only fail a test that hangs.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // A test that is skipped or focused by accident fails the run instead of passing quietly.
    allowOnly: false,
    passWithNoTests: false,
  },
});
