/**
 * Issue 20.3: a six-working-day case prints in a handful of pages (it printed 35 before the pack had
 * a summary page and a one-line-per-notice chronology). Printed by real Chromium, as the CLI's
 * `case-history --format pdf` and the web view's download do; pages counted in the PDF it writes.
 */
import { describe, expect, it } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildEvidencePack } from '../../../src/reports/evidence-pack.js';
import { findChromium, htmlToPdf } from '../../../src/reports/pdf.js';
import { renderEvidenceHtml } from '../../../src/reports/render.js';
import { sampleEvidence } from '../../../src/workflows/evidence-sample.js';

/** Page objects in the PDF (as scripts/screenshots.ts counts them). */
const pages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;

describe('the evidence pack printed', () => {
  it('a six-working-day case with four steps, an approval and a resolution fits in eight A4 pages', async () => {
    expect(findChromium().path, 'Chromium is installed (.ci/run installs it)').toBeTruthy();
    const store = new TemplateStore();
    const input = sampleEvidence(readLadderDir('config/ladders').ladders.get('practice-disagreement')!, store);
    expect(input.state.steps.filter((s) => s.status === 'sent')).toHaveLength(4);
    const pdf = await htmlToPdf(renderEvidenceHtml(store, buildEvidencePack(input)), { timeoutMs: 120_000 });
    // The summary page, then the chronology: at least two pages, and no more than a handful.
    expect(pages(pdf)).toBeGreaterThanOrEqual(2);
    expect(pages(pdf)).toBeLessThanOrEqual(8);
  }, 180_000);
});
