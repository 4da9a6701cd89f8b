import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../corpus/reply-corpus.js';
import { formatScore, scoreCorpus } from '../../corpus/score-replies.js';

/**
 * Issue 14, point 5: `npm test` fails if the service reads more than 1 % of the labelled corpus as
 * resolved when it is not (a case closed on words alone), or finds fewer than 90 % of the replies
 * that are resolved. The whole corpus goes the way a real reply does (composed MIME, the parser,
 * the analysis): `npm run score:replies -- --verbose` shows each miss.
 */
const MAX_FALSE_RESOLVED = 0.01;
const MIN_RESOLVED_RECALL = 0.9;

describe('the reply corpus scored', () => {
  it(`reads at most ${MAX_FALSE_RESOLVED * 100} % of the corpus as falsely resolved, and at least ${MIN_RESOLVED_RECALL * 100} % of resolved replies as resolved`, async () => {
    const score = await scoreCorpus(loadCorpus());
    const report = formatScore(score);
    const falselyResolved = score.misclassified.filter((m) => m.predicted === 'resolved').map((m) => `${m.id} (${m.label})`);
    expect(score.falseResolved.rate, `falsely resolved: ${falselyResolved.join(', ')}\n${report}`).toBeLessThanOrEqual(MAX_FALSE_RESOLVED);
    const missed = score.misclassified.filter((m) => m.label === 'resolved').map((m) => `${m.id} → ${m.predicted}`);
    expect(score.resolved.recall, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(MIN_RESOLVED_RECALL);
  });
});
