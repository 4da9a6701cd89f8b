/**
 * Issue 20.3: the evidence pack in the order things happened. A rung held for approval appears as
 * drafted (the approval request), then APPROVE (who, when), then sent at the server's acceptance
 * time — never "sent" at the draft's time before the approval. Every printed page names the case
 * and its page number. The six-working-day sample case (src/workflows/evidence-sample.ts).
 */
import { describe, expect, it } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildEvidencePack } from '../../../src/reports/evidence-pack.js';
import { renderEvidenceHtml } from '../../../src/reports/render.js';
import { sampleEvidence } from '../../../src/workflows/evidence-sample.js';

const store = new TemplateStore();
const def = readLadderDir('config/ladders').ladders.get('practice-disagreement')!;
const input = sampleEvidence(def, store);
const pack = buildEvidencePack(input);

describe('the evidence pack’s chronology', () => {
  it('drafted, approval requested, APPROVE, then sent at the server’s acceptance: in that order', () => {
    const at = (pred: (c: (typeof pack.chronology)[number]) => boolean) => pack.chronology.findIndex(pred);
    const requested = at((c) => c.event?.type === 'approval-requested');
    const approvalMail = at((c) => c.message?.label === 'approval-request');
    const approved = at((c) => c.event?.type === 'approved');
    const director = at((c) => c.message?.label === 'chaser' && c.message.to.includes('claire.dunn@northshire.example'));
    expect(requested).toBeGreaterThan(-1);
    expect(approvalMail).toBeGreaterThan(requested);
    expect(approved).toBeGreaterThan(approvalMail);
    expect(director).toBeGreaterThan(approved);
    // It stands at the moment the server accepted it, after the APPROVE.
    const sentAt = input.messages.find((m) => m.direction === 'out' && m.to.some((t) => t.includes('claire.dunn')) && m.label === 'chaser')!.sentAt!;
    expect(pack.chronology[director]!.atIso).toBe(sentAt.toISOString());
    expect(pack.chronology[director]!.atIso > pack.chronology[approved]!.atIso).toBe(true);
  });

  it('every entry is in time order', () => {
    const times = pack.chronology.map((c) => c.atIso);
    expect([...times].sort()).toEqual(times);
  });

  it('every printed page carries the case reference and its page number', () => {
    const html = renderEvidenceHtml(store, pack);
    expect(html).toContain('@bottom-left { content: "Evidence pack ESC-2026-0042"');
    expect(html).toContain('content: "Page " counter(page) " of " counter(pages)');
  });
});
