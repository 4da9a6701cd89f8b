import type { Route } from './route.js';

/**
 * What a stored message was taken for (`message.route`), by name. `rejected` is also written
 * for a message that could not be parsed or stored, `quarantined` for one no organisation owns
 * or a request a limit refused, `not-read` for one over a limit (size, HTML, parse time or
 * memory) whose headers, size and SHA-256 are recorded. The database holds the column to these
 * (Migration20261205110000, Migration20261205130000).
 */
export const ROUTE_NAMES = [
  'new-case',
  'reply',
  'command',
  'staff-message',
  'automatic',
  'bounce',
  'ignored',
  'quarantined',
  'flagged',
  'rejected',
  /** Commands from an unverified sender, waiting for `CONFIRM` (README, Trust). */
  'confirm-commands',
  /** The `CONFIRM <code>` answer itself. */
  'confirm-token',
  /** A reply read and passed to the RM that changed nothing. */
  'reply-notice',
  'not-read',
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

/** A stored message waits as `pending` until ingest has taken it (`processed`) or turned it away (`rejected`). */
export const MESSAGE_STATUSES = ['pending', 'processed', 'rejected'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export function routeName(route: Route): RouteName {
  switch (route.kind) {
    case 'open-case':
      return 'new-case';
    case 'recipient-reply':
      return 'reply';
    case 'quarantine':
      return 'quarantined';
    case 'ignore':
      return 'ignored';
    case 'flag':
      return 'flagged';
    case 'reject':
      return 'rejected';
    case 'case-commands':
      // Commands, for the cases the message names (the message row names no one case).
      return 'command';
    case 'command':
    case 'confirm-commands':
    case 'confirm-token':
    case 'reply-notice':
    case 'staff-message':
    case 'automatic':
    case 'bounce':
      return route.kind;
  }
}
