import { WorkCalendar } from '../../src/domain/calendar/work-calendar.js';
import { analyseMessage, type AnalysisOptions, type MessageAnalysis } from '../../src/domain/inbound/analyse-message.js';
import { parseMessage } from '../../src/inbound/parse-message.js';
import { CORPUS_INBOX, CORPUS_LABELS, CORPUS_TIMEZONE, composeEntry, type CorpusEntry, type CorpusLabel, type LoadedEntry } from './reply-corpus.js';

/** What the service made of a reply, in the corpus's terms. */
export type Predicted = CorpusLabel | 'automatic' | (string & {});

export interface EntryResult {
  id: string;
  file: string;
  label: CorpusLabel;
  soundsDone: boolean;
  predicted: Predicted;
  expectedDate?: string;
  predictedDate?: string;
  evidence?: string;
  newText: string;
  attachments: string[];
}

export interface CorpusScore {
  total: number;
  correct: number;
  accuracy: number;
  /** Rows are labels, columns what the service predicted. */
  columns: Predicted[];
  matrix: Record<CorpusLabel, Record<string, number>>;
  resolved: { truePositive: number; falsePositive: number; falseNegative: number; precision: number; recall: number };
  /** Predicted resolved, labelled otherwise: the mistake that closes a case on words alone. */
  falseResolved: { count: number; rate: number; soundsDone: { count: number; of: number; rate: number } };
  /** Promise entries whose date the service read as the label's date. */
  promiseDates: { labelled: number; predictedPromise: number; correct: number; rate: number };
  misclassified: EntryResult[];
  /** Promises read as promises, but with another date. */
  wrongDates: EntryResult[];
  results: EntryResult[];
}

/** The organisation's calendar the corpus is dated against: England & Wales bank holidays, London time. */
export function corpusCalendar(): WorkCalendar {
  return new WorkCalendar({ nation: 'england-and-wales', timezone: CORPUS_TIMEZONE, window: { start: '09:00', end: '17:00' } });
}

const ROLES = [
  'professional',
  'originator',
  'rm',
  'team-manager',
  'iro',
  'assistant-director',
  'dcs',
  'lscp',
  'ofsted-inspector',
  'psw',
  'foster-carer',
  'ssw',
];
const LADDERS = ['childrens-home-reg5', 'foster-carer-concern', 'fostering-panel', 'firo-dispute-resolution', 'practice-disagreement'];
const MAX_HTML = 2 * 1024 * 1024;

/**
 * The service's verdict in the corpus's labels. Automatic mail (the service would record it and
 * read nothing) is its own column; a class the corpus does not know is kept as it is, so it
 * shows as a miss rather than being folded into a label.
 */
export function predictedLabel(analysis: Pick<MessageAnalysis, 'automatic' | 'classification'>): Predicted {
  if (analysis.automatic.kind !== 'none') return 'automatic';
  return analysis.classification.class;
}

/** One entry through the path a real reply takes: composed MIME, the service's parser, its analysis. */
export async function scoreEntry(entry: CorpusEntry & { file?: string }, calendar: WorkCalendar = corpusCalendar()): Promise<EntryResult> {
  const raw = await composeEntry(entry);
  const receivedAt = new Date(entry.receivedAt);
  const mail = await parseMessage(raw, { receivedAt, internalDate: receivedAt, maxHtmlLength: MAX_HTML });
  if (mail.parseProblems.length) throw new Error(`${entry.id}: the composed message did not parse: ${mail.parseProblems.join('; ')}`);
  // The case's category goes in as well, where the analysis takes it: it tells a done statement
  // about another item from one about the thing the case asks for.
  const options: AnalysisOptions & { category?: string } = {
    inboxAddress: CORPUS_INBOX,
    timezone: calendar.timezone,
    workingDays: calendar,
    roles: ROLES,
    ladderIds: LADDERS,
    trustedAuthservIds: [],
    category: entry.category,
  };
  const analysis = analyseMessage(mail, options);
  const c = analysis.classification;
  return {
    id: entry.id,
    file: entry.file ?? '',
    label: entry.label,
    soundsDone: entry.soundsDone,
    predicted: predictedLabel(analysis),
    ...(entry.promiseDate ? { expectedDate: entry.promiseDate } : {}),
    ...(c.promiseDate ? { predictedDate: c.promiseDate } : {}),
    ...(c.evidence ? { evidence: c.evidence } : analysis.automatic.kind !== 'none' ? { evidence: `automatic: ${analysis.automatic.kind}` } : {}),
    newText: analysis.newText,
    attachments: mail.attachments.map((a) => `${a.filename ?? '(unnamed)'} (${a.contentType}, ${a.size} B)`),
  };
}

const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

/** The figures for a set of results. Pure. */
export function summarise(results: EntryResult[]): CorpusScore {
  const extra = [...new Set(results.map((r) => r.predicted).filter((p) => !(CORPUS_LABELS as readonly string[]).includes(p)))].sort();
  const columns: Predicted[] = [...CORPUS_LABELS, ...extra];
  const matrix = Object.fromEntries(CORPUS_LABELS.map((l) => [l, Object.fromEntries(columns.map((c) => [c, 0]))])) as CorpusScore['matrix'];
  for (const r of results) matrix[r.label][r.predicted] = (matrix[r.label][r.predicted] ?? 0) + 1;

  const correct = results.filter((r) => r.predicted === r.label).length;
  const tp = results.filter((r) => r.label === 'resolved' && r.predicted === 'resolved').length;
  const fp = results.filter((r) => r.label !== 'resolved' && r.predicted === 'resolved').length;
  const fn = results.filter((r) => r.label === 'resolved' && r.predicted !== 'resolved').length;
  const soundsDone = results.filter((r) => r.soundsDone);
  const soundsDoneFalse = soundsDone.filter((r) => r.predicted === 'resolved').length;
  const promises = results.filter((r) => r.label === 'promise');
  const readAsPromise = promises.filter((r) => r.predicted === 'promise');
  const datesRight = readAsPromise.filter((r) => r.predictedDate === r.expectedDate);
  return {
    total: results.length,
    correct,
    accuracy: ratio(correct, results.length),
    columns,
    matrix,
    resolved: { truePositive: tp, falsePositive: fp, falseNegative: fn, precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn) },
    falseResolved: {
      count: fp,
      rate: ratio(fp, results.length),
      soundsDone: { count: soundsDoneFalse, of: soundsDone.length, rate: ratio(soundsDoneFalse, soundsDone.length) },
    },
    promiseDates: {
      labelled: promises.length,
      predictedPromise: readAsPromise.length,
      correct: datesRight.length,
      rate: ratio(datesRight.length, promises.length),
    },
    misclassified: results.filter((r) => r.predicted !== r.label),
    wrongDates: readAsPromise.filter((r) => r.predictedDate !== r.expectedDate),
    results,
  };
}

/** Every entry scored, in corpus order. */
export async function scoreCorpus(entries: LoadedEntry[]): Promise<CorpusScore> {
  const calendar = corpusCalendar();
  const results: EntryResult[] = [];
  for (const entry of entries) results.push(await scoreEntry(entry, calendar));
  return summarise(results);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}

/** The report `npm run score:replies` prints. With `verbose`, each miss with its evidence and new text. */
export function formatScore(score: CorpusScore, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Reply corpus: ${score.total} replies`);
  out.push(`Accuracy: ${score.correct}/${score.total} = ${pct(score.accuracy)}`);
  out.push('');
  out.push('Confusion matrix (rows = label, columns = predicted):');
  const header = ['label \\ predicted', ...score.columns, 'total'];
  const rows = CORPUS_LABELS.map((l) => {
    const row = score.matrix[l];
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    return [l, ...score.columns.map((c) => String(row[c] ?? 0)), String(total)];
  });
  out.push(table([header, ...rows]));
  out.push('');
  const r = score.resolved;
  out.push(
    `resolved: precision ${pct(r.precision)} (${r.truePositive}/${r.truePositive + r.falsePositive}), recall ${pct(r.recall)} (${r.truePositive}/${r.truePositive + r.falseNegative})`,
  );
  const f = score.falseResolved;
  out.push(
    `false-resolved: ${f.count} = ${pct(f.rate)} of the corpus; among "sounds done": ${f.soundsDone.count}/${f.soundsDone.of} = ${pct(f.soundsDone.rate)}`,
  );
  const p = score.promiseDates;
  out.push(`promise dates: ${p.correct}/${p.labelled} promises read with the right date = ${pct(p.rate)} (${p.predictedPromise} read as promises)`);
  out.push('');
  out.push(`Misclassified (${score.misclassified.length}):`);
  for (const m of score.misclassified) {
    out.push(`  ${m.id}: ${m.label} → ${m.predicted}${m.soundsDone ? ' (sounds done)' : ''}`);
    if (opts.verbose) {
      out.push(`      file: ${m.file}; evidence: ${m.evidence ? JSON.stringify(m.evidence) : '(none)'}${m.predictedDate ? `; date ${m.predictedDate}` : ''}`);
      out.push(`      attachments: ${m.attachments.length ? m.attachments.join(', ') : '(none)'}`);
      out.push(`      new text: ${JSON.stringify(m.newText.length > 400 ? `${m.newText.slice(0, 400)}…` : m.newText)}`);
    }
  }
  if (score.wrongDates.length) {
    out.push('');
    out.push(`Promises with the wrong date (${score.wrongDates.length}):`);
    for (const w of score.wrongDates) {
      out.push(`  ${w.id}: expected ${w.expectedDate}, read ${w.predictedDate ?? '(no date)'}`);
      if (opts.verbose) out.push(`      evidence: ${w.evidence ? JSON.stringify(w.evidence) : '(none)'}`);
    }
  }
  return out.join('\n');
}
