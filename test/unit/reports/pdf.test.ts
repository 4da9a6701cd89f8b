import { describe, expect, it } from 'vitest';
import { ChromiumMissing, findChromium, htmlToPdf } from '../../../src/reports/pdf.js';

const PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><h1>Evidence</h1><p>Children’s home</p></body></html>';

describe('PDF through headless Chromium', () => {
  it('says how to install Chromium, and that HTML always works, when there is none', async () => {
    const error = await htmlToPdf(PAGE, { env: { CHROMIUM_PATH: '/nonexistent/chrome' }, candidates: ['/nonexistent/chromium'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChromiumMissing);
    expect((error as Error).message).toContain('apt-get install chromium');
    expect((error as Error).message).toContain('--format html');
    expect((error as Error).message).toContain('/nonexistent/chrome, /nonexistent/chromium');
  });

  // Runs for real where Chromium is installed; where it is not, the same call must fail clearly.
  it('prints a real PDF where Chromium is installed, else fails with the clear error', async () => {
    if (findChromium(process.env).path) {
      const pdf = await htmlToPdf(PAGE);
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } else {
      await expect(htmlToPdf(PAGE)).rejects.toBeInstanceOf(ChromiumMissing);
    }
  }, 60_000);
});
