import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

/** The PostgreSQL driver's ORM (its EntityManager is PostgreSQL's by default), so `orm.em.fork()` is one (raw SQL, query builder) without a cast. */
export type Orm = MikroORM;

export function ormOptions(url: string, overrides: Partial<Options> = {}): Options {
  return {
    clientUrl: url,
    entities: ENTITIES,
    extensions: [Migrator],
    // Entities are defined with defineEntity: no decorator metadata or discovery from files.
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      tableName: 'mikro_orm_migrations',
      // The service logs what it applied itself (pino); the migrator's own console lines would bypass that.
      silent: true,
    },
    pool: { min: 0, max: 10 },
    // The global EntityManager must never be used by accident: jobs fork their own.
    allowGlobalContext: false,
    debug: false,
    ...overrides,
  };
}

export async function openOrm(url: string, overrides: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(url, overrides));
}
