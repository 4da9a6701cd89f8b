import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A statement whose values go to PostgreSQL as bind parameters, in the entity manager's
 * transaction when it has one. MikroORM's `execute` writes every value into the SQL text, a
 * Buffer as a hex literal: for a 25 MB message a 50 MB string built and encoded on the event loop
 * and held on the heap. node-postgres sends a Buffer parameter as binary, byte for byte. `?`
 * marks a value, as with `execute`.
 */
export async function boundQuery<T>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const query = em.getKnex().raw(sql, params as never[]);
  const trx = em.getTransactionContext<Parameters<typeof query.transacting>[0]>();
  if (trx) void query.transacting(trx);
  const result = (await query) as { rows: T[] };
  return result.rows;
}
