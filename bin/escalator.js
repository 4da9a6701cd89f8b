#!/usr/bin/env node
// The package bin: runs the compiled CLI (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('escalator: not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(compiled.href);
