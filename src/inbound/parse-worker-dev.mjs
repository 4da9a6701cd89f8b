// Runs the parse worker from TypeScript source (tests, `npm run dev`): worker threads do not inherit
// the loader a test runner uses, so register tsx here. The built service runs parse-worker.js.
import { register } from 'tsx/esm/api';

register();
const task = await import('./parse-worker.ts');
export default task.default;
