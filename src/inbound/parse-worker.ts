import type { ReadResult, ReadTask } from '../runtime/message-reader.js';
import { readMessage } from './read-message.js';

/** A parse worker thread's task (piscina calls the default export). */
export default function parseTask(task: ReadTask): Promise<ReadResult> {
  return readMessage(task);
}
