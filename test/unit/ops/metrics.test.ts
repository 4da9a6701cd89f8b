import { describe, expect, it } from 'vitest';
import { PromMetrics as Metrics } from '../../../src/app/metrics.js';

describe('Metrics', () => {
  it('counts ingests, sends by rung and failures, and reads gauges at scrape time', async () => {
    const m = new Metrics();
    m.messageIngested('reply', 'resolved');
    m.messageIngested('reply', 'resolved');
    m.mailSent('chaser', { ladder: 'childrens-home-reg5', rung: 'professional-reminder' });
    m.mailSent('confirmation');
    m.sendFailed('chaser', true);
    m.sendFailed('chaser', false);
    let depth = 3;
    m.setSources({
      queueDepths: () => Promise.resolve([{ queue: 'outbox', state: 'waiting', count: depth }]),
      oldestOverdueCaseSeconds: () => Promise.resolve(120),
      imapWatchers: () => [{ mailbox: 'inbox@x.uk/INBOX', state: 'idle' }],
    });
    let text = await m.registry.metrics();
    expect(text).toContain('escalator_messages_ingested_total{route="reply",class="resolved"} 2');
    expect(text).toContain('escalator_chasers_sent_total{ladder="childrens-home-reg5",rung="professional-reminder"} 1');
    expect(text).toContain('escalator_mails_sent_total{kind="confirmation"} 1');
    expect(text).toContain('escalator_send_failures_total{kind="chaser",type="temporary"} 1');
    expect(text).toContain('escalator_send_failures_total{kind="chaser",type="permanent"} 1');
    expect(text).toContain('escalator_queue_jobs{queue="outbox",state="waiting"} 3');
    expect(text).toContain('escalator_oldest_overdue_case_seconds 120');
    expect(text).toContain('escalator_imap_connected{mailbox="inbox@x.uk/INBOX"} 1');
    expect(text).toContain('escalator_imap_state{mailbox="inbox@x.uk/INBOX",state="idle"} 1');
    depth = 0;
    text = await m.registry.metrics();
    expect(text).toContain('escalator_queue_jobs{queue="outbox",state="waiting"} 0');
  });

  it('keeps two services’ registries apart', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.mailSent('confirmation');
    expect(await b.registry.metrics()).not.toContain('escalator_mails_sent_total{kind="confirmation"}');
  });
});
