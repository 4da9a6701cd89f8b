import type { Directory } from '../../../src/domain/directory.js';

/** The NHS trust the partner-agency template tests write to. */
export const TRUST = 'Northshire NHS Foundation Trust';

/** The sample people are at northshire.example: with this directory, that is an NHS trust with its own roles. */
export const trustDirectory: Directory = {
  authorities: [
    {
      id: 'trust',
      name: TRUST,
      kind: 'health',
      domains: ['northshire.example'],
      contacts: {},
      ladder: [
        { title: 'named nurse' },
        { title: 'designated nurse', contact: { email: 'dn@northshire.example' } },
        { title: 'head of service', contact: { email: 'hos@northshire.example' } },
      ],
    },
  ],
  organisations: {},
};

/** Words a mail to a partner agency must not use: they assume a council. */
export const COUNCIL_WORDS = [
  'local authority',
  'placing authority has',
  'Assistant Director',
  'Director of Children',
  'care plan',
  'team manager',
  'allocated worker',
];
