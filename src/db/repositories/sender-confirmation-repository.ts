import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command, CommandLine } from '../../domain/commands/command.js';
import { newId } from '../../lib/ids.js';

/** A one-time confirmation waiting for `CONFIRM <token>` (Migration20261205120000). */
export interface PendingConfirmation {
  id: string;
  caseId: string;
  address: string;
  kind: 'opening' | 'commands';
  commands: CommandLine[];
  allowed: Command['kind'][] | null;
  expiresAt: Date;
  usedAt: Date | null;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token.trim().toLowerCase()).digest('hex');
}

export async function insertConfirmation(
  em: EntityManager,
  row: {
    caseId: string;
    token: string;
    address: string;
    kind: 'opening' | 'commands';
    commands?: CommandLine[];
    allowed?: Command['kind'][];
    messageRowId: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await em.execute(
    `insert into sender_confirmation (id, case_id, token_sha256, address, kind, commands, allowed, message_id, created_at, expires_at)
     values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)`,
    [
      newId(),
      row.caseId,
      tokenHash(row.token),
      row.address,
      row.kind,
      JSON.stringify(row.commands ?? []),
      row.allowed ? JSON.stringify(row.allowed) : null,
      row.messageRowId,
      row.now,
      row.expiresAt,
    ],
  );
}

/** The confirmation this token opens, locked for the transaction that uses it. */
export async function findConfirmation(em: EntityManager, token: string): Promise<PendingConfirmation | undefined> {
  const rows = await em.execute<
    {
      id: string;
      case_id: string;
      address: string;
      kind: 'opening' | 'commands';
      commands: CommandLine[] | string;
      allowed: Command['kind'][] | string | null;
      expires_at: Date;
      used_at: Date | null;
    }[]
  >(`select id, case_id, address, kind, commands, allowed, expires_at, used_at from sender_confirmation where token_sha256 = ? for update`, [tokenHash(token)]);
  const r = rows[0];
  if (!r) return undefined;
  const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  return {
    id: r.id,
    caseId: r.case_id,
    address: r.address,
    kind: r.kind,
    commands: json(r.commands),
    allowed: r.allowed === null ? null : json(r.allowed),
    expiresAt: new Date(r.expires_at),
    usedAt: r.used_at ? new Date(r.used_at) : null,
  };
}

export async function markConfirmationUsed(em: EntityManager, id: string, now: Date): Promise<void> {
  await em.execute(`update sender_confirmation set used_at = ? where id = ? and used_at is null`, [now, id]);
}

/** The one-time sender confirmations, as the other repositories: bound to one unit of work. */
export class SenderConfirmationRepository {
  constructor(private readonly em: EntityManager) {}

  insert(row: Parameters<typeof insertConfirmation>[1]): Promise<void> {
    return insertConfirmation(this.em, row);
  }

  /** The confirmation this token opens, locked for the transaction that uses it. */
  find(token: string): Promise<PendingConfirmation | undefined> {
    return findConfirmation(this.em, token);
  }

  markUsed(id: string, now: Date): Promise<void> {
    return markConfirmationUsed(this.em, id, now);
  }
}
