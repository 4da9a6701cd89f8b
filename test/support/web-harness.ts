/**
 * The whole service with its web view, signed in against a real OpenID Connect provider on
 * loopback. The test users and their groups stand for an organisation's directory: an RM of
 * Sunrise, a manager over both homes, an auditor of Sunrise, an RM of the other organisation, and
 * someone whose groups give no access at all.
 */
import { CaseMail, type OpenedCase } from './case-mail.js';
import { EscalatorHarness, OTHER_ORG, RM, type HarnessOptions } from './escalator-harness.js';
import { freePort } from './free-port.js';
import { startOidcProvider, type TestIdentity, type TestProvider } from './oidc-provider.js';

export const WEB_USERS = {
  rm: { login: 'alex', email: RM, name: 'Alex Morgan', groups: ['sunrise-rms'] },
  manager: { login: 'morgan', email: 'morgan.lee@sunrise-homes.org.uk', name: 'Morgan Lee', groups: ['provider-managers', 'all-staff'] },
  auditor: { login: 'pat', email: 'pat.quinn@sunrise-homes.org.uk', name: 'Pat Quinn', groups: ['auditors'] },
  otherRm: { login: 'robin', email: 'robin.hale@northbrook-care.org.uk', name: 'Robin Hale', groups: ['northbrook-rms'] },
  nobody: { login: 'casey', email: 'casey.doe@sunrise-homes.org.uk', name: 'Casey Doe', groups: ['all-staff'] },
  // Google-like accounts: no groups claim; a grant names the verified address or the Workspace domain (hd).
  byEmail: { login: 'jordan', email: 'jordan.price@sunrise-homes.org.uk', name: 'Jordan Price', groups: [] },
  unverified: { login: 'jordan-unverified', email: 'jordan.price@sunrise-homes.org.uk', name: 'Not Jordan', groups: [], emailVerified: false },
  byDomain: { login: 'gwen', email: 'gwen.ellis@northbrook-care.org.uk', name: 'Gwen Ellis', groups: [], hd: 'northbrook-care.org.uk' },
  consumer: { login: 'gwen-personal', email: 'gwen.ellis@northbrook-care.org.uk', name: 'Gwen (personal account)', groups: [] },
} satisfies Record<string, TestIdentity>;

export interface WebHarness {
  h: EscalatorHarness;
  idp: TestProvider;
  base: string;
  close(): Promise<void>;
}

export async function startWebHarness(opts: Omit<HarnessOptions, 'config' | 'secondOrganisation'>): Promise<WebHarness> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider(Object.values(WEB_USERS), `${base}/auth/callback`);
  let h: EscalatorHarness;
  try {
    h = await EscalatorHarness.start({
      ...opts,
      secondOrganisation: true,
      config: {
        web: {
          host: '127.0.0.1',
          port,
          publicUrl: base,
          signInPerMinute: 40,
          oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ['openid', 'email', 'profile', 'groups'] },
          access: [
            { group: 'sunrise-rms', role: 'rm', organisations: ['sunrise-homes'] },
            { group: 'provider-managers', role: 'manager', organisations: ['sunrise-homes', OTHER_ORG] },
            { group: 'auditors', role: 'auditor', organisations: ['sunrise-homes'] },
            { group: 'northbrook-rms', role: 'rm', organisations: [OTHER_ORG] },
            { email: 'jordan.price@sunrise-homes.org.uk', role: 'rm', organisations: ['sunrise-homes'] },
            { domain: 'northbrook-care.org.uk', role: 'auditor', organisations: [OTHER_ORG] },
          ],
        },
      },
    });
  } catch (error) {
    await idp.stop();
    throw error;
  }
  return {
    h,
    idp,
    base,
    close: async () => {
      await h.close();
      await idp.stop();
    },
  };
}

export const NORTH = (who: string) => `${who}@northshire.gov.uk`;
const TM = 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>';

export interface SeededCases {
  /** The DCS letter drafted, waiting for the RM's approval. */
  approval: OpenedCase;
  /** A plain open case at its first rung. */
  plain: OpenedCase;
  /** A case held for a missing address (no directory entry for its authority, no team manager). */
  missing: OpenedCase;
  /** A case whose professional replied and was forwarded to the RM. */
  replied: OpenedCase;
  /** A case whose professional said it is done, with the document: it waits for the RM's RESOLVED or NOT DONE. */
  done: OpenedCase;
}

const MINUTES_PDF = Buffer.from('%PDF-1.4\n% the review minutes\n'.padEnd(4000, '.'));

/** Cases in the states the board groups, made through real mail on the harness's Monday morning. */
export async function seedWebCases(h: EscalatorHarness): Promise<SeededCases> {
  const mail = new CaseMail(h);
  const approval = await mail.open({
    professional: `Dana Price <${NORTH('dana.price')}>`,
    subject: 'LAC review minutes for AB-2001 [escalate]',
    directives: ['Child: AB-2001', TM],
  });
  const plain = await mail.open({
    professional: `Sam Patel <${NORTH('sam.patel')}>`,
    subject: 'Care plan actions for AB-2002 [escalate]',
    directives: ['Child: AB-2002', TM],
  });
  const missing = await mail.open({
    professional: 'Lee Ward <lee.ward@eastshire.gov.uk>',
    subject: 'Health assessment for AB-2003 [escalate]',
    directives: ['Child: AB-2003'],
  });
  const replied = await mail.open({
    professional: `Kim Lowe <${NORTH('kim.lowe')}>`,
    subject: 'Pathway plan review for AB-2004 [escalate]',
    directives: ['Child: AB-2004', TM],
  });
  const done = await mail.open({
    professional: `Ola Reid <${NORTH('ola.reid')}>`,
    subject: 'Review minutes for AB-2005 [escalate]',
    directives: ['Child: AB-2005', TM],
  });
  // Four rungs at once: professional, team manager, Assistant Director, then the DCS letter, which waits for approval.
  await mail.command(approval, ['ESCALATE', 'ESCALATE', 'ESCALATE', 'ESCALATE']);
  await mail.command(missing, ['ESCALATE', 'ESCALATE']);
  await mail.reply(replied, `Kim Lowe <${NORTH('kim.lowe')}>`, 'Thanks for the reminder. I will send the pathway plan by Friday 4 December.');
  await mail.reply(done, `Ola Reid <${NORTH('ola.reid')}>`, 'Please find the review minutes for AB attached.\r\n\r\nOla', {
    attachment: { filename: 'review-minutes.pdf', content: MINUTES_PDF },
  });
  await h.settle();
  return { approval, plain, missing, replied, done };
}
