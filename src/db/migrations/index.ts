import { Migration20261123000000 } from './Migration20261123000000.js';
import { Migration20261201000000 } from './Migration20261201000000.js';
import { Migration20261202000000 } from './Migration20261202000000.js';
import { Migration20261204000000 } from './Migration20261204000000.js';
import { Migration20261205110000 } from './Migration20261205110000.js';
import { Migration20261205120000 } from './Migration20261205120000.js';
import { Migration20261205130000 } from './Migration20261205130000.js';
import { Migration20261206100000 } from './Migration20261206100000.js';
import { Migration20261206110000 } from './Migration20261206110000.js';
import { Migration20261206130000 } from './Migration20261206130000.js';
import { Migration20261206140000 } from './Migration20261206140000.js';

/** Listed explicitly so the migrator works the same from src (tsx, vitest) and dist. */
export const MIGRATIONS = [
  { name: 'Migration20261123000000', class: Migration20261123000000 },
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261202000000', class: Migration20261202000000 },
  { name: 'Migration20261204000000', class: Migration20261204000000 },
  { name: 'Migration20261205110000', class: Migration20261205110000 },
  { name: 'Migration20261205120000', class: Migration20261205120000 },
  { name: 'Migration20261205130000', class: Migration20261205130000 },
  { name: 'Migration20261206100000', class: Migration20261206100000 },
  { name: 'Migration20261206110000', class: Migration20261206110000 },
  { name: 'Migration20261206130000', class: Migration20261206130000 },
  { name: 'Migration20261206140000', class: Migration20261206140000 },
];
