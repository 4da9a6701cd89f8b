/**
 * How long a test waits for real asynchronous I/O (a row in Postgres, a mail at the sink, a job
 * settling) before it gives up. Waits end as soon as the condition holds, so a long limit costs a
 * passing test nothing; a short one fails a correct test on a busy CI machine (two cores shared
 * with other suites). Tests that prove a timeout fires pass their own short value.
 */
export const PATIENCE_MS = 60_000;
