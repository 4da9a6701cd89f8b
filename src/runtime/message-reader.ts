import type { CalendarSettings } from '../domain/calendar/work-calendar.js';
import type { MessageAnalysis } from '../domain/inbound/analyse-message.js';
import type { InboundMail } from '../domain/inbound/inbound-mail.js';
import type { TrustSetting } from '../domain/inbound/sender-verification.js';

/** What reading one message needs: plain data only, so it can cross to a worker thread. */
export interface ReadTask {
  /** `head`: the header section only (the cheap first look); `full`: the whole message. */
  mode: 'head' | 'full';
  raw: Uint8Array;
  receivedAt: Date;
  internalDate?: Date;
  envelopeTo?: string[];
  maxHtmlLength: number;
  maxDateAgeDays: number;
  analysis: {
    inboxAddress: string;
    calendar: CalendarSettings;
    roles: string[];
    ladderIds: string[];
    trustedAuthservIds: string[];
    trust: TrustSetting;
    childReference: { pattern: RegExp; example: string };
  };
}

export interface ReadResult {
  mail: InboundMail;
  analysis: MessageAnalysis;
}

/** Why a message could not be read within the limits (time, memory): it is then treated like an oversized one. */
export class ReadLimitExceeded extends Error {
  override name = 'ReadLimitExceeded';
}

/**
 * Parses and analyses messages. The service's is a pool of worker threads with a time and memory
 * limit per message (src/inbound/parse-pool.ts), so one large or hostile message cannot stall the
 * event loop; without one (the CLI, unit tests) the work runs in-process.
 */
export interface MessageReader {
  read(task: ReadTask): Promise<ReadResult>;
  close(): Promise<void>;
}
