import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../test/support/repo-root.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return full.endsWith('.ts') && !full.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * The scale scenario's worker runs as production runs it, compiled JavaScript on plain node (tsx
 * keeps a TypeScript compiler and source maps in every process it runs). esbuild (tsx's own
 * transpiler) turns src/ and the worker script into JavaScript file for file under
 * var/bench-build/ — inside the repository so that node_modules resolves — with the templates
 * beside them as `npm run build` puts them. Returns the compiled worker script.
 */
export async function compileWorker(): Promise<string> {
  const out = path.join(REPO_ROOT, 'var', 'bench-build');
  if (existsSync(out)) rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: [...tsFiles(path.join(REPO_ROOT, 'src')), path.join(REPO_ROOT, 'bench', 'scale-worker.ts')],
    outdir: out,
    outbase: REPO_ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: false,
    logLevel: 'error',
  });
  cpSync(path.join(REPO_ROOT, 'src', 'templates'), path.join(out, 'src', 'templates'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  return path.join(out, 'bench', 'scale-worker.js');
}
