import { z } from 'zod';
import { COUNTRIES, NATIONS, countryInNation } from '../domain/calendar/nation.js';
import { graphSchema } from './graph-schema.js';

/** The send window of an organisation that names none (and of `simulate` without --org): 09:00–17:00, the end exclusive. */
export const DEFAULT_SEND_WINDOW = { start: '09:00', end: '17:00' };

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');
const email = z.email();
const contact = z.object({ name: z.string().optional(), email }).strict();

const passwordAuth = z.object({ type: z.literal('password'), user: z.string().min(1), password: z.string().min(1) }).strict();
const oauth2Auth = z
  .object({
    type: z.literal('oauth2'),
    /** The mailbox to act as. */
    user: z.string().min(1),
    provider: z.enum(['microsoft', 'google', 'static']),
    tenantId: z.string().optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    /** Google: the service account's private key (PEM) and e-mail. */
    serviceAccountEmail: z.string().optional(),
    privateKey: z.string().optional(),
    /** Overrides the token endpoint (for sovereign clouds, or tests on loopback). */
    tokenUrl: z.url().optional(),
    scope: z.string().optional(),
    /** `static`: a token supplied by the environment (testing, or a sidecar that refreshes it). */
    accessToken: z.string().optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const need = (key: keyof typeof a) => {
      if (!a[key]) ctx.addIssue({ code: 'custom', path: [key], message: `required for provider ${a.provider}` });
    };
    if (a.provider === 'microsoft') for (const k of ['tenantId', 'clientId', 'clientSecret'] as const) need(k);
    if (a.provider === 'google') for (const k of ['serviceAccountEmail', 'privateKey'] as const) need(k);
    if (a.provider === 'static') need('accessToken');
  });
const mailAuth = z.discriminatedUnion('type', [passwordAuth, oauth2Auth]);

const imapInbound = z
  .object({
    type: z.literal('imap'),
    host: z.string().min(1),
    port: z.number().int().positive().default(993),
    secure: z.boolean().default(true),
    auth: mailAuth,
    mailbox: z.string().default('INBOX'),
    /** What happens to a message once stored: flagged \Seen, or moved to a folder. */
    processed: z
      .object({ action: z.enum(['flag', 'move']).default('flag'), folder: z.string().default('Escalator/Processed') })
      .strict()
      .default({ action: 'flag', folder: 'Escalator/Processed' }),
    /** Safety-net re-sync when IDLE misses something. */
    resyncSeconds: z.number().int().min(5).default(60),
    tlsRejectUnauthorized: z.boolean().default(true),
  })
  .strict();

const smtpListenerInbound = z
  .object({
    type: z.literal('smtp-listener'),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).default(2525),
  })
  .strict();

const smtpOutbound = z
  .object({
    type: z.literal('smtp'),
    host: z.string().min(1),
    port: z.number().int().positive().default(587),
    secure: z.boolean().default(false),
    requireTLS: z.boolean().default(true),
    auth: mailAuth.optional(),
    /** Per-mailbox sends per minute across all workers (Exchange Online allows 30). 0 = no limit. */
    rateLimitPerMinute: z.number().int().min(0).default(30),
    /**
     * The IMAP folder where the SMTP server itself files every message it accepts from this
     * mailbox (Exchange Online: `Sent Items`; Gmail: `[Gmail]/Sent Mail`). When set (with
     * `inbound.type: imap` on the same account), a mail whose worker died mid-send is looked for
     * there before it is sent again. Not for `appendToSent` folders: our own copy comes too late.
     */
    serverSentFolder: z.string().optional(),
    /** Append each sent message to this IMAP folder (needs `inbound.type: imap`). */
    appendToSent: z.string().optional(),
    tlsRejectUnauthorized: z.boolean().default(true),
  })
  .strict();

const fileOutbound = z.object({ type: z.literal('file'), dir: z.string().default('var/outbox') }).strict();

/**
 * Where the organisation's proof of who sent a message comes from (README, Trust). Without it, or
 * with `none`, every state-changing command is confirmed by a one-time round trip to the claimed
 * sender's mailbox. Each source is named on purpose: none is ever on by accident.
 */
const orgTrust = z
  .object({
    source: z.enum(['none', 'exchange-online', 'google-workspace', 'authserv-id']),
    /** exchange-online: the Directory (tenant) ID; a message stamped for another tenant is not believed. */
    tenantId: z.uuid().optional(),
    /** exchange-online: the tenant's accepted domains that staff send from (default: the staff domains). */
    acceptedDomains: z.array(z.string().min(1)).optional(),
    /**
     * authserv-id: the receiving servers whose Authentication-Results are believed (a DMARC pass, or
     * an aligned DKIM pass, is required). With exchange-online: a gateway of your own in front of it.
     */
    authservIds: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.source === 'exchange-online' && !t.tenantId) ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'required for source exchange-online' });
    if (t.source === 'authserv-id' && !t.authservIds?.length)
      ctx.addIssue({ code: 'custom', path: ['authservIds'], message: 'list at least one authserv-id for source authserv-id' });
    if (t.source !== 'exchange-online' && (t.tenantId || t.acceptedDomains))
      ctx.addIssue({ code: 'custom', path: ['source'], message: 'tenantId and acceptedDomains are for source exchange-online' });
  });

/** Letters and digits (with - / . between them) and at least two digits: `AB-1234`, `LAC/2026/17`. Never a name. */
export const DEFAULT_CHILD_REFERENCE_PATTERN = '^(?=(?:[^0-9]*[0-9]){2})[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)*$';
const mailboxCommon = {
  address: email,
  name: z.string().optional(),
  plusAddressing: z.boolean().default(true),
};

/** IMAP (or an SMTP listener) in, SMTP (or files) out: each side configured on its own. */
const imapSmtpMailbox = z
  .object({
    ...mailboxCommon,
    transport: z.literal('imap-smtp'),
    inbound: z.discriminatedUnion('type', [imapInbound, smtpListenerInbound]),
    outbound: z.discriminatedUnion('type', [smtpOutbound, fileOutbound]),
  })
  .strict();

const graphOnly = (side: string) =>
  z.undefined({ error: `with transport: graph, reading and sending are set under mailbox.graph; remove mailbox.${side}` }).optional();

/** Microsoft Graph both ways, one app registration (docs/microsoft-graph.md). */
const graphMailbox = z
  .object({ ...mailboxCommon, transport: z.literal('graph'), graph: graphSchema, inbound: graphOnly('inbound'), outbound: graphOnly('outbound') })
  .strict();

/**
 * `transport` defaults to `imap-smtp` (configs written before Graph). A Graph mailbox gets
 * `inbound` and `outbound` of type `graph` in the parsed config, so code that picks a reader or a
 * sender by type sees every mailbox the same way.
 */
const mailbox = z
  .preprocess(
    (v) => (v && typeof v === 'object' && !Array.isArray(v) && !('transport' in v) ? { ...v, transport: 'imap-smtp' } : v),
    z.discriminatedUnion('transport', [imapSmtpMailbox, graphMailbox]),
  )
  .transform((m) => (m.transport === 'graph' ? { ...m, inbound: { type: 'graph' as const }, outbound: { type: 'graph' as const } } : m));

const organisation = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens'),
    name: z.string().min(1),
    nation: z.enum(NATIONS),
    /**
     * Whose regulator and regulations the chasers cite (README, Reg 5 in each country). Default:
     * the nation's, England for england-and-wales; a home in Wales says `country: wales`.
     */
    country: z.enum(COUNTRIES).optional(),
    timezone: z.string().default('Europe/London'),
    sendWindow: z.object({ start: hhmm, end: hhmm }).strict().default(DEFAULT_SEND_WINDOW),
    /** The Registered Manager (or equivalent): approves high rungs, gets the digest. */
    manager: contact,
    /** How the chasers sign the manager's role ("Registered Manager"); without it, no role line. */
    managerRole: z.string().min(1).optional(),
    /** The organisation's telephone number, under the chasers' signature. */
    phone: z.string().min(1).optional(),
    staff: z
      .object({ domains: z.array(z.string().min(1)).default([]), addresses: z.array(email).default([]) })
      .strict()
      .refine((s) => s.domains.length + s.addresses.length > 0, 'list at least one staff domain or address'),
    defaultLadder: z.string().default('childrens-home-reg5'),
    /** Extra or overriding ladder files for this organisation. */
    laddersDir: z.string().optional(),
    /** Overrides for any template, same layout as src/templates. */
    templatesDir: z.string().optional(),
    digest: z
      .object({
        enabled: z.boolean().default(true),
        day: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).default('monday'),
        time: hhmm.default('08:00'),
      })
      .strict()
      .superRefine((d, ctx) => {
        // UK clocks change at 01:00 GMT: in March 01:00–02:00 never happens, in October it happens twice.
        if (d.time >= '01:00' && d.time < '02:00') {
          ctx.addIssue({
            code: 'custom',
            path: ['time'],
            message: `digest.time ${d.time} is in the 01:00–02:00 hour when the clocks change (the digest would be skipped or sent twice); choose another time, e.g. 08:00`,
          });
        }
      })
      .default({ enabled: true, day: 'monday', time: '08:00' }),
    /** How senders are proven (README, Trust). Default: the top-level `trust.authservIds` if any, else the round trip only. */
    trust: orgTrust.optional(),
    /** The organisation's child reference format: `Child:` values must match it in full (case-insensitive). */
    childReference: z
      .object({
        pattern: z
          .string()
          .default(DEFAULT_CHILD_REFERENCE_PATTERN)
          .refine((p) => {
            try {
              new RegExp(p, 'iu');
              return true;
            } catch {
              return false;
            }
          }, 'not a valid regular expression'),
        /** Shown to the RM when a value does not match, e.g. "AB-1234". */
        example: z.string().default('AB-1234'),
      })
      .strict()
      .default({ pattern: DEFAULT_CHILD_REFERENCE_PATTERN, example: 'AB-1234' }),
    /** Several chasers to one person on one day go as one mail (each case still records its own). */
    bundleChasers: z.boolean().default(false),
    /**
     * What a chased person attached to a reply goes to the RM (and the confirmers) with the notice,
     * up to this many bytes together; beyond it the notice names each file and its size, and
     * `escalator mail attachments <ref>` fetches them.
     */
    attachments: z
      .object({
        forwardMaxBytes: z
          .number()
          .int()
          .min(0)
          .default(20 * 1024 * 1024),
        /**
         * The request's own documents, forwarded with a chaser to someone new up the ladder ("What
         * this is about"), up to this many bytes together; beyond it they are named and the RM holds them.
         */
        requestMaxBytes: z
          .number()
          .int()
          .min(0)
          .default(10 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /**
     * Step notices to the RM and the originator: `hourly` (at most one mail an hour per person; a
     * notice due sooner is folded into one summary that goes when the hour is up), or `immediate`
     * (one mail per step). Notices of replies, bounces and approvals, and every notice on a
     * safeguarding (urgent) case, always go at once.
     */
    notices: z.enum(['hourly', 'immediate']).default('hourly'),
    mailbox,
  })
  .strict()
  .refine((o) => !o.country || countryInNation(o.country, o.nation), {
    path: ['country'],
    error: 'country must lie in the nation whose calendar the organisation keeps (wales and england: england-and-wales)',
  });

/** What a group of the identity provider may do in the web view (README, Web case view). */
export const WEB_ROLES = ['rm', 'manager', 'auditor'] as const;

/**
 * The web case view (issue 17): served when this key is present. Sign-in is the organisation's own
 * OpenID Connect provider (authorization code + PKCE); there are no local passwords. Each group the
 * provider puts in the ID token's groups claim maps to a role over named organisations.
 */
const webSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).default(8080),
    /** The address people open (behind the reverse proxy that terminates TLS): the sign-in callback is `<publicUrl>/auth/callback`. */
    publicUrl: z.url(),
    /** How long a sign-in lasts. */
    sessionHours: z.number().min(0.25).max(24).default(8),
    /** Sign-in attempts one address may start per minute. */
    signInPerMinute: z.number().int().min(1).default(20),
    oidc: z
      .object({
        /** The provider's issuer: Entra ID `https://login.microsoftonline.com/<tenant>/v2.0`, Google `https://accounts.google.com`. */
        issuer: z.url(),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        /** The ID token claim that lists the user's groups (Entra ID: `groups`; Google through a custom claim or Cloud Identity). */
        groupsClaim: z.string().default('groups'),
        scopes: z.array(z.string()).default(['openid', 'email', 'profile']),
      })
      .strict(),
    /**
     * Who gets which role: `rm` acts on its organisations' cases, `manager` the same over several,
     * `auditor` reads only. Each grant names one of: a `group` from the groups claim (Entra ID, a
     * broker); a verified `email` address; or a Google Workspace `domain`, matched against the ID
     * token's `hd` claim (Google's ID token carries no groups: docs/single-sign-on.md).
     */
    access: z
      .array(
        z
          .object({
            group: z.string().min(1).optional(),
            email: z.email().optional(),
            domain: z
              .string()
              .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a domain such as sunrise-homes.org.uk')
              .optional(),
            role: z.enum(WEB_ROLES),
            organisations: z.array(z.string().min(1)).min(1),
          })
          .strict()
          .refine((g) => [g.group, g.email, g.domain].filter((v) => v !== undefined).length === 1, {
            error: 'name exactly one of group, email or domain',
          }),
      )
      .min(1),
  })
  .strict();

export const configSchema = z
  .object({
    database: z.object({ url: z.string().min(1) }).strict(),
    redis: z
      .object({
        url: z.string().min(1),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default('escalator'),
      })
      .strict(),
    http: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).default(8025) })
      .strict()
      .default({ host: '127.0.0.1', port: 8025 }),
    logging: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .default({ level: 'info' }),
    laddersDir: z.string().default('config/ladders'),
    directory: z.string().default('config/directory.yaml'),
    /** What one message, one sender or one stranger may cost the service (README, Limits). */
    limits: z
      .object({
        /** Bigger messages are not read: headers, size and SHA-256 are kept, and the sender (staff) or the RM (a participant) is told. */
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 * 1024),
        /** An HTML part longer than this is not converted to text; a message whose only body it is is not read (same answer). */
        maxHtmlLength: z
          .number()
          .int()
          .positive()
          .default(2 * 1024 * 1024),
        /** Cases one staff sender may open in an hour; beyond it the request is refused, with the reason. 0 = no limit. */
        openingsPerSenderPerHour: z.number().int().min(0).default(30),
        /** Addresses (To and Cc, the inbox aside) one request may name; more is refused, with the reason. 0 = no limit. */
        recipientsPerOpening: z.number().int().min(0).default(25),
        /** Notices to the RM about strangers quoting case references, per organisation per hour; the rest are folded into one summary. */
        strangerNoticesPerHour: z.number().int().min(0).default(1),
        /** A Date header more than this many days before receipt (or any time after it) is replaced by the received time. */
        dateHeaderMaxAgeDays: z.number().int().min(1).default(7),
        /** A promised date never holds the ladder beyond this many months without the RM's say-so. */
        promiseHorizonMonths: z.number().int().min(1).default(6),
        /** Parsing and analysis of one message run on a worker thread: at most this long… */
        parseTimeoutMs: z.number().int().min(1000).default(60_000),
        /** …and this much heap (MB) per thread. */
        parseMemoryMb: z.number().int().min(64).default(512),
        /**
         * Worker threads that parse messages over 1 MB (per process); smaller ones have a thread of
         * their own. One by default: a thread parsing a 25 MB message grows to about 200 MB of RSS,
         * and large messages are rare enough to take turns (bench/README.md, "Memory by default").
         */
        parseThreads: z.number().int().min(1).max(16).default(1),
      })
      .strict()
      .prefault({}),
    trust: z
      .object({
        /**
         * authserv-ids whose Authentication-Results headers we believe (our receiving server's), for
         * every organisation without a `trust` of its own (README, Trust).
         */
        authservIds: z.array(z.string()).default([]),
      })
      .strict()
      .default({ authservIds: [] }),
    /** Data protection: how long raw message copies are kept (`escalator purge`). Events, hashes and metadata stay. */
    retention: z
      .object({
        /** Raw messages in and out of cases resolved or closed this many years ago are purged. 0 = never. */
        rawMessagesAfterClosedYears: z.number().min(0).default(7),
        /** Raw messages that never belonged to a case (quarantined, ignored, rejected) are purged after this many years. 0 = never. */
        unmatchedMessagesAfterYears: z.number().min(0).default(1),
      })
      .strict()
      .default({ rawMessagesAfterClosedYears: 7, unmatchedMessagesAfterYears: 1 }),
    /** The web case view behind single sign-on; off unless set. */
    web: webSchema.optional(),
    /** Secret for deterministic but unguessable Message-IDs and tokens. */
    secret: z.string().min(16, 'use at least 16 characters'),
    organisations: z.array(organisation).min(1),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    const mailboxes = new Set<string>();
    cfg.web?.access.forEach((grant, i) => {
      grant.organisations.forEach((id, j) => {
        if (!cfg.organisations.some((o) => o.id === id))
          ctx.addIssue({ code: 'custom', path: ['web', 'access', i, 'organisations', j], message: `no organisation "${id}" in organisations` });
      });
    });
    cfg.organisations.forEach((org, i) => {
      if (ids.has(org.id)) ctx.addIssue({ code: 'custom', path: ['organisations', i, 'id'], message: `duplicate organisation id "${org.id}"` });
      ids.add(org.id);
      const box = org.mailbox.address.toLowerCase();
      if (mailboxes.has(box)) ctx.addIssue({ code: 'custom', path: ['organisations', i, 'mailbox', 'address'], message: `mailbox ${box} is used twice` });
      mailboxes.add(box);
      if (org.trust?.source === 'exchange-online' && org.mailbox.inbound.type !== 'imap') {
        // Exchange's organisation headers prove something only on mail Exchange delivered to the
        // mailbox; anything reaching our own SMTP listener could carry forged ones.
        ctx.addIssue({
          code: 'custom',
          path: ['organisations', i, 'trust', 'source'],
          message: 'exchange-online trust needs inbound.type imap on the Exchange Online mailbox itself',
        });
      }
      if (org.sendWindow.start >= org.sendWindow.end) {
        ctx.addIssue({ code: 'custom', path: ['organisations', i, 'sendWindow'], message: 'the window closes before it opens' });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type WebConfig = z.infer<typeof webSchema>;
export type WebRole = (typeof WEB_ROLES)[number];
export type OrganisationConfig = Config['organisations'][number];
export type MailAuthConfig = z.infer<typeof mailAuth>;
export type ImapInboundConfig = z.infer<typeof imapInbound>;
export type SmtpOutboundConfig = z.infer<typeof smtpOutbound>;
export type OrgTrustConfig = z.infer<typeof orgTrust>;
export type MailboxConfig = OrganisationConfig['mailbox'];
export type GraphMailboxConfig = Extract<MailboxConfig, { transport: 'graph' }>;
export type { GraphConfig } from './graph-schema.js';
