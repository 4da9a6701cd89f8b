/**
 * The whole service with its web view, signed in against a real OpenID Connect provider on
 * loopback. The test users and their groups stand for an organisation's directory: an RM of
 * Sunrise, a manager over both homes, an auditor of Sunrise, an RM of the other organisation, and
 * someone whose groups give no access at all.
 */
import { EscalatorHarness, OTHER_ORG, RM, type HarnessOptions } from './escalator-harness.js';
import { freePort } from './free-port.js';
import { startOidcProvider, type TestIdentity, type TestProvider } from './oidc-provider.js';

export const WEB_USERS = {
  rm: { login: 'alex', email: RM, name: 'Alex Morgan', groups: ['sunrise-rms'] },
  manager: { login: 'morgan', email: 'morgan.lee@sunrise-homes.org.uk', name: 'Morgan Lee', groups: ['provider-managers', 'all-staff'] },
  auditor: { login: 'pat', email: 'pat.quinn@sunrise-homes.org.uk', name: 'Pat Quinn', groups: ['auditors'] },
  otherRm: { login: 'robin', email: 'robin.hale@northbrook-care.org.uk', name: 'Robin Hale', groups: ['northbrook-rms'] },
  nobody: { login: 'casey', email: 'casey.doe@sunrise-homes.org.uk', name: 'Casey Doe', groups: ['all-staff'] },
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
          oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ['openid', 'email', 'profile', 'groups'] },
          access: [
            { group: 'sunrise-rms', role: 'rm', organisations: ['sunrise-homes'] },
            { group: 'provider-managers', role: 'manager', organisations: ['sunrise-homes', OTHER_ORG] },
            { group: 'auditors', role: 'auditor', organisations: ['sunrise-homes'] },
            { group: 'northbrook-rms', role: 'rm', organisations: [OTHER_ORG] },
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
