import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
 */
export async function htmlToPdf(html: string, opts: PdfOptions = {}): Promise<Buffer> {
  const { path: chromium, tried } = findChromium(opts.env, opts.candidates);
  if (!chromium) throw new ChromiumMissing(tried);
  const dir = await mkdtemp(join(tmpdir(), 'escalator-pdf-'));
  try {
    const page = join(dir, 'evidence.html');
    const out = join(dir, 'evidence.pdf');
    await writeFile(page, html, 'utf8');
    const args = [
      '--headless',
      '--no-sandbox',
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
      execFile(chromium, args, { timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, HOME: dir } }, (error, _stdout, stderr) => {
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
