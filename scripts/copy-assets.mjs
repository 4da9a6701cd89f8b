// tsc compiles only TypeScript; the Handlebars templates ship beside the compiled code.
import { cpSync, existsSync, rmSync } from 'node:fs';

const from = new URL('../src/templates/', import.meta.url);
const to = new URL('../dist/templates/', import.meta.url);
if (existsSync(to)) rmSync(to, { recursive: true });
cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.ts') });
