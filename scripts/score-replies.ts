/**
 * Scores the service's reply reading against the labelled corpus in test/corpus/replies:
 * `npm run score:replies [-- --verbose] [-- --file resolved.yaml] [-- --id some-id]`.
 */
import { loadCorpus } from '../test/corpus/reply-corpus.js';
import { formatScore, scoreCorpus } from '../test/corpus/score-replies.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
const valueOf = (flag: string) => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const file = valueOf('--file');
const id = valueOf('--id');

const entries = loadCorpus().filter((e) => (!file || e.file === file) && (!id || e.id === id));
if (entries.length === 0) {
  console.error('No corpus entries match.');
  process.exit(1);
}
const score = await scoreCorpus(entries);
console.log(formatScore(score, { verbose }));
