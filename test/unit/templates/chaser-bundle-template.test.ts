import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src/lib/template-store.js';

describe('the combined chaser template', () => {
  const store = new TemplateStore();
  const context = {
    org: { name: 'Sunrise Children’s Homes', mailbox: 'escalations@sunrise-homes.org.uk' },
    count: 2,
    refsText: '[ESC-2026-0001] [ESC-2026-0002]',
    items: [
      { ref: 'ESC-2026-0001', subject: 'Re: Minutes for AB-1 [ESC-2026-0001]', text: 'First chaser <b>text</b>' },
      { ref: 'ESC-2026-0002', subject: 'Re: <script>alert(1)</script> [ESC-2026-0002]', text: 'Second chaser' },
    ],
  };

  it('lists every case with its reference and its own chaser', () => {
    expect(store.render('mails/chaser-bundle', 'subject', context)).toContain(
      'Still outstanding: 2 requests from Sunrise Children’s Homes [ESC-2026-0001] [ESC-2026-0002]',
    );
    const text = store.render('mails/chaser-bundle', 'text', context);
    expect(text).toContain('==================== ESC-2026-0001 ====================');
    expect(text).toContain('Second chaser');
  });

  it('escapes what came from mail in the HTML part', () => {
    const html = store.render('mails/chaser-bundle', 'html', context);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('First chaser &lt;b&gt;text&lt;/b&gt;');
    expect(html).not.toContain('<script>');
  });

  it('fails the render when a field is missing', () => {
    expect(() => store.render('mails/chaser-bundle', 'text', { ...context, items: [{ ref: 'ESC-2026-0001', text: 'x' }] })).toThrow(/subject/);
  });
});
