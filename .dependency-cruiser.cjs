/**
 * Which layer may import which (`npm run deps`, part of `npm test`). Dependencies point one way:
 *
 *   cli → app → web → workflows → inbound | outbound | reports → mail-account → runtime → db → config → domain
 *
 * with `lib` (clock, ids, logger, template store) usable from everything but the domain. See
 * docs/ARCHITECTURE.md. A rule names the layer that broke it; the message says what to do instead.
 */
const layer = (name) => `^src/${name}/`;
const any = (...names) => `^src/(${names.join('|')})/`;

/** Layers below `name`'s own may be imported; these, above it, may not. */
const above = {
  app: ['cli'],
  web: ['cli', 'app'],
  workflows: ['cli', 'app', 'web'],
  inbound: ['cli', 'app', 'web', 'workflows', 'outbound', 'reports'],
  outbound: ['cli', 'app', 'web', 'workflows', 'inbound', 'reports'],
  reports: ['cli', 'app', 'web', 'workflows', 'inbound'],
  'mail-account': ['cli', 'app', 'web', 'workflows', 'inbound', 'outbound', 'reports'],
  runtime: ['cli', 'app', 'web', 'workflows', 'inbound', 'outbound', 'reports', 'mail-account'],
  db: ['cli', 'app', 'web', 'workflows', 'inbound', 'outbound', 'reports', 'mail-account', 'runtime'],
  config: ['cli', 'app', 'web', 'workflows', 'inbound', 'outbound', 'reports', 'mail-account', 'runtime', 'db'],
  lib: ['cli', 'app', 'web', 'workflows', 'inbound', 'outbound', 'reports', 'mail-account', 'runtime', 'db', 'config', 'domain'],
};

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain is the pure core: it imports nothing else of ours (not even lib); pass what it needs in.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { path: '^src/', pathNot: layer('domain') },
    },
    {
      name: 'domain-does-no-io',
      comment: 'src/domain does no I/O: no Node built-in modules (fs, net, crypto …); time and ids are passed in.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'inbound-and-outbound-are-apart',
      comment: 'Reading mail and sending it never import each other; what both need lives in src/mail-account or src/runtime.',
      severity: 'error',
      from: { path: layer('inbound') },
      to: { path: layer('outbound') },
    },
    {
      name: 'outbound-and-inbound-are-apart',
      comment: 'Reading mail and sending it never import each other; what both need lives in src/mail-account or src/runtime.',
      severity: 'error',
      from: { path: layer('outbound') },
      to: { path: layer('inbound') },
    },
    {
      name: 'only-cli-imports-app',
      comment: 'src/app assembles the service; only the CLI (and app itself) may import it. Types and ports go in src/runtime.',
      severity: 'error',
      from: { path: '^src/', pathNot: any('app', 'cli') },
      to: { path: layer('app') },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'src/cli is the top: nothing imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('cli') },
      to: { path: layer('cli') },
    },
    {
      name: 'db-knows-no-workflows',
      comment: 'src/db stores what the layers above decide; it imports none of them.',
      severity: 'error',
      from: { path: layer('db') },
      to: { path: any(...above.db) },
    },
    ...Object.entries(above)
      .filter(([name]) => name !== 'db')
      .map(([name, forbiddenLayers]) => ({
        name: `${name}-imports-only-below`,
        comment: `src/${name} may import only the layers below it (cli → app → workflows → inbound | outbound | reports → mail-account → runtime → db → config → domain).`,
        severity: 'error',
        from: { path: layer(name) },
        to: { path: any(...forbiddenLayers) },
      })),
    {
      name: 'one-imap-login',
      comment: 'IMAP connections are opened by src/mail-account/imap-account.ts only (one login for the watcher, the Sent folder and the delivery check).',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('mail-account') },
      to: { path: 'node_modules/imapflow/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'cli-starts-light',
      comment:
        'The CLI loads a command’s code when that command runs: the command list (main, program, commands/) imports the heavy layers only with import() (or for types), so `escalator --help` starts at once.',
      severity: 'error',
      from: { path: '^src/cli/(main|program|cli-io|load)\\.ts$|^src/cli/commands/' },
      to: {
        path: '^src/(app|web|workflows|db|inbound|outbound|reports|mail-account|runtime|config)/',
        pathNot: '^src/(outbound/render/sample-kinds|config/interpolate)\\.ts$',
        dependencyTypesNot: ['type-only', 'dynamic-import'],
      },
    },
    {
      name: 'no-circular',
      comment: 'A cycle between modules makes the load order (and the lazy CLI) fragile.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
