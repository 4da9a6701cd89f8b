import type { Config } from '../config/config-schema.js';
import type { Orm } from '../db/orm.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { SendRateLimiter } from './send-rate-limiter.js';
import type { MailTransport } from './mail-transport.js';
import type { DeliveryEvidence } from './delivery-evidence.js';
import type { JobScheduler } from './job-scheduler.js';
import type { Metrics } from './metrics.js';
import type { Organisations } from './organisations.js';
import type { MessageReader } from './message-reader.js';

/** Everything the running service is built from. Each job or service takes only the parts it uses. */
export interface Deps {
  orm: Orm;
  orgs: Organisations;
  scheduler: JobScheduler;
  clock: Clock;
  logger: Logger;
  secret: string;
  limits: Config['limits'];
  trust: Config['trust'];
  transportFor(orgId: string): MailTransport;
  /** Per-mailbox send limit shared across processes; without it mail is not rate limited. */
  limiter?: SendRateLimiter;
  /**
   * Looks in the server's Sent folder for a mail abandoned mid-send (organisations with
   * `outbound.serverSentFolder`); undefined result: no such record for this organisation. Found
   * means at least `copies` messages with that Message-ID (default 1; more for a follow-up send).
   */
  deliveryEvidence?(orgId: string, messageId: string, copies?: number): Promise<DeliveryEvidence | undefined>;
  /** Parses and analyses inbound messages off the event loop (the service's worker pool); in-process without it. */
  reader?: MessageReader;
  /** Prometheus counters; jobs count what they did when it is there (unit tests leave it out). */
  metrics?: Metrics;
}
