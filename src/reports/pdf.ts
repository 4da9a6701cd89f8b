import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian (and Ubuntu's non-snap builds) put Chromium; CHROMIUM_PATH overrides. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export class ChromiumMissing extends Error {
  override name = 'ChromiumMissing';
  constructor(tried: string[]) {
    super(
      `PDF needs Chromium, which was not found (looked for ${tried.join(', ')}). ` +
        'Install it with `apt-get install chromium` (or set CHROMIUM_PATH to its binary); ' +
        '`--format html` always works and prints to PDF from any browser.',
    );
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = CHROMIUM_CANDIDATES): { path?: string; tried: string[] } {
  const tried = [...(env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : []), ...candidates];
  const found = tried.find((p) => existsSync(p));
  return found ? { path: found, tried } : { tried };
}

/**
 * Chromium's sandbox refuses to run as root, and turning it off (`--no-sandbox`) would leave a
 * renderer that parses the evidence pack — text written by strangers — with root's rights. Where
 * the service runs as root, Chromium runs as an unprivileged account instead: CHROMIUM_USER, or
 * `nobody`, which every Debian system has.
 */
export function chromiumAccount(env: NodeJS.ProcessEnv = process.env): { uid: number; gid: number; name: string } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  // An empty CHROMIUM_USER is as good as unset.
  const name = env.CHROMIUM_USER?.length ? env.CHROMIUM_USER : 'nobody';
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!line || !uid || !gid || uid === '0') {
    throw new Error(`PDF: the service runs as root, and Chromium's sandbox needs an unprivileged account to run as: no account "${name}" (set CHROMIUM_USER)`);
  }
  return { uid: Number(uid), gid: Number(gid), name };
}

export interface PdfOptions {
  env?: NodeJS.ProcessEnv;
  /** Where to look when CHROMIUM_PATH is not set (default: Debian's paths). */
  candidates?: readonly string[];
  timeoutMs?: number;
}

/**
 * Prints self-contained HTML to PDF with headless Chromium: the page is written to a private
 * temporary folder, printed from a file:// URL with a throwaway profile, network features off,
 * and the folder removed afterwards. The page's own CSP forbids scripts and remote loads.
 * Chromium's sandbox stays on (as root, Chromium runs as an unprivileged account: see `chromiumAccount`).
 */
export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const { path: chromium, tried } = findChromium(opts.env, opts.candidates);
  if (!chromium) throw new ChromiumMissing(tried);
  const account = chromiumAccount(opts.env);
  const dir = await mkdtemp(join(tmpdir(), 'escalator-pdf-'));
  try {
    // The folder is private (0700): it becomes the unprivileged account's, so Chromium can write its profile and the PDF.
    if (account) await chown(dir, account.uid, account.gid);
    const page = join(dir, 'evidence.html');
    const out = join(dir, 'evidence.pdf');
    await writeFile(page, html, 'utf8');
    const args = [
      '--headless',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      // Without this Chromium prints the file:// path and the date in every page's margins.
      '--no-pdf-header-footer',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${out}`,
      pathToFileURL(page).href,
    ];
    await new Promise<void>((resolve, reject) => {
      const as = account ? { uid: account.uid, gid: account.gid } : {};
      execFile(chromium, args, { timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, HOME: dir }, ...as }, (error, _stdout, stderr) => {
        if (error) reject(new Error(`Chromium could not print the PDF: ${error.message}${stderr ? `\n${stderr.slice(-2000)}` : ''}`));
        else resolve();
      });
    });
    if (!existsSync(out)) throw new Error('Chromium exited without writing the PDF');
    const pdf = await readFile(out);
    if (pdf.subarray(0, 4).toString('latin1') !== '%PDF') throw new Error('Chromium wrote something that is not a PDF');
    return pdf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
