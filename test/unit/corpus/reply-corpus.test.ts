import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/inbound/parse-message.js';
import { CORPUS_LABELS, CORPUS_TIMEZONE, composeEntry, corpusEntrySchema, loadCorpus, renderHtml } from '../../corpus/reply-corpus.js';
import { formatScore, summarise, type EntryResult } from '../../corpus/score-replies.js';

// Issue 14, point 5: at least 300 replies, 60 that sound done but are not, every class well represented.
const MIN_ENTRIES = 300;
const MIN_SOUNDS_DONE = 60;
const MIN_PER_LABEL = 25;

const corpus = loadCorpus();

describe('reply corpus', () => {
  it('has enough replies, "sounds done" cases and replies of every class', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(MIN_ENTRIES);
    expect(corpus.filter((e) => e.soundsDone).length).toBeGreaterThanOrEqual(MIN_SOUNDS_DONE);
    for (const label of CORPUS_LABELS) {
      expect(corpus.filter((e) => e.label === label).length, label).toBeGreaterThanOrEqual(MIN_PER_LABEL);
    }
  });

  it('gives every reply a unique id', () => {
    const seen = new Set<string>();
    const duplicates = corpus.filter((e) => (seen.has(e.id) ? true : (seen.add(e.id), false))).map((e) => `${e.file}: ${e.id}`);
    expect(duplicates).toEqual([]);
  });

  it('dates every promise, no later than the day it was written, and nothing else', () => {
    for (const e of corpus) {
      if (e.label !== 'promise') {
        expect(e.promiseDate, e.id).toBeUndefined();
        continue;
      }
      expect(e.promiseDate, e.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const day = DateTime.fromISO(e.promiseDate!, { zone: CORPUS_TIMEZONE });
      expect(day.isValid, e.id).toBe(true);
      expect(e.promiseDate! >= DateTime.fromISO(e.receivedAt, { zone: CORPUS_TIMEZONE }).toISODate()!, e.id).toBe(true);
    }
  });

  it('refuses a malformed entry, naming the field', () => {
    const good = corpus[0]!;
    const { file: _file, ...entry } = good;
    expect(corpusEntrySchema.safeParse(entry).success).toBe(true);
    const noDate = corpusEntrySchema.safeParse({ ...entry, label: 'promise', promiseDate: undefined });
    expect(noDate.success).toBe(false);
    expect(noDate.error?.issues.map((i) => i.path.join('.'))).toContain('promiseDate');
    expect(corpusEntrySchema.safeParse({ ...entry, label: 'resolved', soundsDone: true }).success).toBe(false);
    expect(corpusEntrySchema.safeParse({ ...entry, label: 'done' }).success).toBe(false);
    expect(corpusEntrySchema.safeParse({ ...entry, receivedAt: '2026-12-01 10:00' }).success).toBe(false);
    expect(corpusEntrySchema.safeParse({ ...entry, from: 'sam.patel@northshire.gov.uk' }).success).toBe(false);
  });

  it('composes every reply into MIME that the service parses back: sender, date, subject, body and attachments', async () => {
    for (const e of corpus) {
      const raw = await composeEntry(e);
      const mail = await parseMessage(raw, { receivedAt: new Date(e.receivedAt), maxHtmlLength: 2 * 1024 * 1024 });
      expect(mail.parseProblems, e.id).toEqual([]);
      expect(mail.from?.address, e.id).toBe(/<([^>]+)>$/.exec(e.from)![1]!.toLowerCase());
      expect(mail.date.toISOString(), e.id).toBe(new Date(e.receivedAt).toISOString());
      expect(mail.subject, e.id).toBe(e.subject);
      if (e.html) {
        expect(mail.html, e.id).toBeDefined();
        expect(mail.textFromHtml ?? '', e.id).not.toBe('');
      } else {
        expect(mail.html, e.id).toBeUndefined();
        expect(mail.text.replace(/\r\n/g, '\n').trim(), e.id).toBe(e.body.trim());
      }
      expect(
        mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
        e.id,
      ).toEqual(e.attachments);
    }
  });

  it('renders a quoted Outlook block and a Gmail quote as those clients mark them up', () => {
    const outlook = renderHtml(
      'Minutes attached.\n\n________________________________\nFrom: A <a@x.example>\nSent: 1 December 2026 10:00\nTo: B <b@x.example>\nSubject: Minutes\n\nPlease send the minutes.',
    );
    expect(outlook).toContain('<div>Minutes attached.</div>');
    expect(outlook).toMatch(/<div id="divRplyFwdMsg"[^>]*>.*<b>From:<\/b> A &lt;a@x.example&gt;/s);
    expect(outlook.indexOf('Please send the minutes.')).toBeGreaterThan(outlook.indexOf('divRplyFwdMsg'));
    const gmail = renderHtml('Thanks\n\nOn Tue, 1 Dec 2026 at 10:02, A <\na@x.example> wrote:\n\n> Please send the minutes.');
    expect(gmail).toContain('<div dir="ltr" class="gmail_attr">On Tue, 1 Dec 2026 at 10:02, A &lt; a@x.example&gt; wrote:<br></div>');
    expect(gmail).toMatch(/<blockquote class="gmail_quote"[^>]*>\n<div><br><\/div>\n<div>Please send the minutes.<\/div>/);
  });
});

describe('corpus score', () => {
  const result = (id: string, label: EntryResult['label'], predicted: string, extra: Partial<EntryResult> = {}): EntryResult => ({
    id,
    file: 't.yaml',
    label,
    soundsDone: false,
    predicted,
    newText: '',
    attachments: [],
    ...extra,
  });

  it('counts the confusion matrix, resolved precision and recall, false-resolved and promise dates', () => {
    const score = summarise([
      result('a', 'resolved', 'resolved'),
      result('b', 'resolved', 'acknowledged'),
      result('c', 'acknowledged', 'resolved', { soundsDone: true }),
      result('d', 'other', 'other', { soundsDone: true }),
      result('e', 'promise', 'promise', { expectedDate: '2026-12-04', predictedDate: '2026-12-04' }),
      result('f', 'promise', 'promise', { expectedDate: '2026-12-04', predictedDate: '2026-12-11' }),
      result('g', 'promise', 'other', { expectedDate: '2026-12-04' }),
      result('h', 'secure-message', 'automatic'),
    ]);
    expect(score.total).toBe(8);
    expect(score.correct).toBe(4);
    expect(score.matrix.resolved).toMatchObject({ resolved: 1, acknowledged: 1 });
    expect(score.matrix['secure-message'].automatic).toBe(1);
    expect(score.columns).toContain('automatic');
    expect(score.resolved).toEqual({ truePositive: 1, falsePositive: 1, falseNegative: 1, precision: 0.5, recall: 0.5 });
    expect(score.falseResolved).toEqual({ count: 1, rate: 1 / 8, soundsDone: { count: 1, of: 2, rate: 0.5 } });
    expect(score.promiseDates).toEqual({ labelled: 3, predictedPromise: 2, correct: 1, rate: 1 / 3 });
    expect(score.misclassified.map((m) => m.id)).toEqual(['b', 'c', 'g', 'h']);
    expect(score.wrongDates.map((w) => w.id)).toEqual(['f']);
    const report = formatScore(score);
    expect(report).toContain('Accuracy: 4/8 = 50.0 %');
    expect(report).toContain('false-resolved: 1 = 12.5 % of the corpus; among "sounds done": 1/2 = 50.0 %');
    expect(report).toMatch(/^promise dates: 1\/3 /m);
  });
});
