import { z } from 'zod';

/**
 * Microsoft's clouds: where tokens come from and where Graph answers. UK councils are on `global`;
 * the others are the national clouds Microsoft lists for Graph (their hosts from "National cloud
 * deployments" on Microsoft Learn). `loginUrl` and `graphUrl` override a cloud's hosts.
 */
export const GRAPH_CLOUDS = {
  global: { loginUrl: 'https://login.microsoftonline.com', graphUrl: 'https://graph.microsoft.com' },
  'us-gov': { loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' },
  'us-gov-dod': { loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://dod-graph.microsoft.us' },
  china: { loginUrl: 'https://login.chinacloudapi.cn', graphUrl: 'https://microsoftgraph.chinacloudapi.cn' },
} as const;

export type GraphCloud = keyof typeof GRAPH_CLOUDS;

const httpsOrigin = z
  .url()
  .refine((u) => u.startsWith('https://'), 'use an https:// URL (Microsoft’s token library refuses any other)')
  .transform((u) => u.replace(/\/+$/, ''));

/**
 * `mailbox.transport: graph`: the organisation's mailbox read and sent through Microsoft Graph
 * with an app registration's client credentials (a certificate, or a secret).
 */
export const graphSchema = z
  .object({
    /** The directory (tenant) ID, or the tenant's `….onmicrosoft.com` domain. */
    tenantId: z.string().min(1),
    /** The app registration's Application (client) ID. */
    clientId: z.string().min(1),
    /** A PEM file with the certificate uploaded to the app registration (and its private key, unless `privateKeyPath` is given). */
    certificatePath: z.string().min(1).optional(),
    /** The certificate's private key, when it is in a file of its own (PEM). */
    privateKeyPath: z.string().min(1).optional(),
    /** For an encrypted private key. */
    privateKeyPassphrase: z.string().optional(),
    /** A client secret instead of a certificate (many tenants block secrets; prefer a certificate). */
    clientSecret: z.string().min(1).optional(),
    /** The mailbox to read and send as; defaults to `mailbox.address`. */
    user: z.email().optional(),
    cloud: z.enum(Object.keys(GRAPH_CLOUDS) as [GraphCloud, ...GraphCloud[]]).default('global'),
    /** Overrides the cloud's sign-in host (e.g. a national cloud not listed, or a test server). */
    loginUrl: httpsOrigin.optional(),
    /** Overrides the cloud's Graph host. */
    graphUrl: httpsOrigin.optional(),
    /** Extra CA certificates (PEM) to trust for those hosts besides the system's: a TLS-inspecting proxy's. */
    caFile: z.string().min(1).optional(),
    /** Mail folders read by delta query (well-known names such as `inbox`, or display names under the top of the mailbox). */
    folders: z.array(z.string().min(1)).min(1).default(['inbox']),
    /** How often each folder is asked for changes: new mail is seen within this many seconds. */
    pollSeconds: z.number().int().min(5).max(3600).default(15),
    /** What happens to a message once stored: a category added (it stays where it is), or moved to a folder. */
    processed: z
      .object({
        action: z.enum(['categorise', 'move']).default('categorise'),
        category: z.string().min(1).default('Escalator'),
        folder: z.string().min(1).default('Escalator/Processed'),
      })
      .strict()
      .default({ action: 'categorise', category: 'Escalator', folder: 'Escalator/Processed' }),
    /**
     * Keep the copy Exchange files in Sent Items (default). It is what answers "did it go?" after a
     * worker died mid-send; without it such a mail may be sent twice.
     */
    saveToSentItems: z.boolean().default(true),
    /** Sends per minute for this mailbox across all workers (Exchange Online allows 30). 0 = no limit. */
    rateLimitPerMinute: z.number().int().min(0).default(30),
    /** Requests at once to this mailbox from one process (Graph allows 4 per app per mailbox). */
    maxConcurrentRequests: z.number().int().min(1).max(4).default(4),
    /** Seconds before a Graph or token request is given up (and retried later). */
    timeoutSeconds: z.number().int().min(1).max(300).default(60),
  })
  .strict()
  .superRefine((g, ctx) => {
    const credentials = [g.certificatePath ? 'certificatePath' : '', g.clientSecret ? 'clientSecret' : ''].filter(Boolean);
    if (credentials.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['certificatePath'], message: 'give certificatePath (recommended) or clientSecret: the app needs a credential' });
    }
    if (credentials.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'give certificatePath or clientSecret, not both' });
    }
    if (g.privateKeyPath && !g.certificatePath) {
      ctx.addIssue({
        code: 'custom',
        path: ['privateKeyPath'],
        message: 'privateKeyPath needs certificatePath (the certificate uploaded to the app registration)',
      });
    }
    if (g.cloud === 'china') {
      ctx.addIssue({
        code: 'custom',
        path: ['cloud'],
        message: 'Microsoft Graph has no message delta query in the cloud operated by 21Vianet; use IMAP and SMTP there',
      });
    }
  });

export type GraphConfig = z.infer<typeof graphSchema>;

/** The sign-in and Graph origins for a Graph mailbox: its cloud's, unless overridden. */
export function graphEndpoints(g: Pick<GraphConfig, 'cloud' | 'loginUrl' | 'graphUrl'>): { loginUrl: string; graphUrl: string } {
  const cloud = GRAPH_CLOUDS[g.cloud];
  return { loginUrl: g.loginUrl ?? cloud.loginUrl, graphUrl: g.graphUrl ?? cloud.graphUrl };
}
