import { GraphError, type GraphClient } from './graph-client.js';

/**
 * The Graph mail calls the service makes, and nothing more (Microsoft Learn, v1.0):
 * message-delta, message-get (`$value`), message-update, message-move, mailfolder-list-childfolders,
 * mailfolder-post-childfolders, user-sendmail (MIME), and a `$filter` on internetMessageId.
 */

/** One entry of a delta page: a message created or changed in the folder, or one gone from it. */
export interface DeltaMessage {
  id: string;
  internetMessageId?: string;
  categories?: string[];
  isDraft?: boolean;
  receivedDateTime?: string;
  parentFolderId?: string;
  '@removed'?: { reason: string };
}

export interface DeltaPage {
  messages: DeltaMessage[];
  /** More of this round: ask it next. */
  nextLink?: string;
  /** The round is over: ask it for the changes since. */
  deltaLink?: string;
}

/** What each delta entry carries: enough to tell new from seen without fetching the message. */
export const DELTA_SELECT = 'internetMessageId,categories,isDraft,receivedDateTime,parentFolderId';
/** Messages per delta page (Graph's default is 10). */
export const DELTA_PAGE_SIZE = 50;

/** A delta link Graph no longer knows (410 Gone, or `syncStateNotFound`): start a new round from scratch. */
export function isDeltaReset(error: unknown): boolean {
  if (!(error instanceof GraphError)) return false;
  return error.status === 410 || /^(syncStateNotFound|SyncStateInvalid|resyncRequired)$/i.test(error.code ?? '');
}

/** The first request of a round over a folder (`inbox`, or a folder id), or a link Graph gave. */
export async function deltaPage(client: GraphClient, from: { folderId: string } | { link: string }): Promise<DeltaPage> {
  const path = 'link' in from ? from.link : `mailFolders/${encodeURIComponent(from.folderId)}/messages/delta?$select=${encodeURIComponent(DELTA_SELECT)}`;
  const page = await client.json<{ value?: DeltaMessage[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }>({
    method: 'GET',
    path,
    headers: { prefer: `odata.maxpagesize=${DELTA_PAGE_SIZE}` },
  });
  return {
    messages: page?.value ?? [],
    ...(page?.['@odata.nextLink'] ? { nextLink: page['@odata.nextLink'] } : {}),
    ...(page?.['@odata.deltaLink'] ? { deltaLink: page['@odata.deltaLink'] } : {}),
  };
}

/** The message as MIME (`GET /messages/{id}/$value`); null past `maxBytes`, with its size. */
export async function fetchMime(client: GraphClient, id: string, maxBytes: number): Promise<{ raw: Buffer | null; size: number }> {
  const answer = await client.request({ method: 'GET', path: `messages/${encodeURIComponent(id)}/$value`, maxBytes, headers: { accept: '*/*' } });
  return answer.oversize !== undefined ? { raw: null, size: answer.oversize } : { raw: answer.body, size: answer.body.length };
}

export async function setCategories(client: GraphClient, id: string, categories: string[]): Promise<void> {
  await client.request({ method: 'PATCH', path: `messages/${encodeURIComponent(id)}`, json: { categories } });
}

export async function moveMessage(client: GraphClient, id: string, destinationId: string): Promise<void> {
  await client.request({ method: 'POST', path: `messages/${encodeURIComponent(id)}/move`, json: { destinationId } });
}

interface MailFolder {
  id: string;
  displayName: string;
}

const odataQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The id of a folder path such as `Escalator/Processed`, under the top of the mailbox
 * (`msgfolderroot`), each missing level created. Well-known names (`inbox`, `sentitems`) are used as
 * they are.
 */
export async function folderId(client: GraphClient, path: string, create: boolean): Promise<string> {
  const parts = path.split('/').filter(Boolean);
  const [only] = parts;
  if (parts.length === 1 && only && /^(inbox|sentitems|archive|junkemail|deleteditems|drafts)$/i.test(only)) return only.toLowerCase();
  let parent = 'msgfolderroot';
  for (const name of parts) {
    const found = await client.json<{ value?: MailFolder[] }>({
      method: 'GET',
      path: `mailFolders/${encodeURIComponent(parent)}/childFolders?$filter=${encodeURIComponent(`displayName eq ${odataQuote(name)}`)}&$select=id,displayName`,
    });
    let folder = found?.value?.find((f) => f.displayName.toLowerCase() === name.toLowerCase());
    if (!folder) {
      if (!create) throw new GraphError(`no mail folder "${path}" in ${client.user}`, 404, 'ErrorFolderNotFound');
      folder = await client.json<MailFolder>({ method: 'POST', path: `mailFolders/${encodeURIComponent(parent)}/childFolders`, json: { displayName: name } });
      if (!folder) throw new GraphError(`creating mail folder "${path}" in ${client.user} gave no folder back`, 0, 'EmptyAnswer');
    }
    parent = folder.id;
  }
  return parent;
}

/** How many messages in Sent Items carry this Message-ID (the "did it go?" check after a crash mid-send). */
export async function sentItemsWith(client: GraphClient, internetMessageId: string): Promise<number> {
  const filter = `internetMessageId eq ${odataQuote(internetMessageId)}`;
  const found = await client.json<{ value?: { id: string }[] }>({
    method: 'GET',
    path: `mailFolders/sentitems/messages?$filter=${encodeURIComponent(filter)}&$select=id&$top=25`,
  });
  return found?.value?.length ?? 0;
}

/**
 * Sends the stored message as it is: `POST /users/{id}/sendMail`, the MIME base64-encoded with
 * `Content-Type: text/plain` (the JSON form cannot carry Message-ID, In-Reply-To, References,
 * Thread-Index or Auto-Submitted). Exchange files a copy in Sent Items. 202 Accepted.
 */
export async function sendMime(client: GraphClient, raw: Buffer): Promise<{ status: number; requestId?: string }> {
  const answer = await client.request({ method: 'POST', path: 'sendMail', body: { contentType: 'text/plain', data: raw.toString('base64') } });
  const requestId = answer.headers.get('request-id') ?? undefined;
  return { status: answer.status, ...(requestId ? { requestId } : {}) };
}

/** PidTagDeleteAfterSubmit (0x0E01): Exchange deletes the message once submitted instead of filing it in Sent Items. */
const DELETE_AFTER_SUBMIT = 'Boolean 0x0E01';

/**
 * Sends the stored message without a copy in Sent Items. MIME `sendMail` always files one (Learn:
 * "This method saves the message in the Sent Items folder"); the JSON form's `saveToSentItems`
 * cannot carry our headers. So: a draft from the same MIME (`POST /messages`, text/plain base64),
 * marked delete-after-submit, then sent (`POST /messages/{id}/send`). A crash before the send
 * leaves a draft in Drafts, nothing sent.
 */
export async function sendMimeWithoutCopy(client: GraphClient, raw: Buffer): Promise<{ status: number; requestId?: string }> {
  const draft = await client.json<{ id: string }>({ method: 'POST', path: 'messages', body: { contentType: 'text/plain', data: raw.toString('base64') } });
  if (!draft) throw new GraphError(`creating a draft in ${client.user} gave no message back`, 0, 'EmptyAnswer');
  const id = encodeURIComponent(draft.id);
  await client.request({ method: 'PATCH', path: `messages/${id}`, json: { singleValueExtendedProperties: [{ id: DELETE_AFTER_SUBMIT, value: 'true' }] } });
  const answer = await client.request({ method: 'POST', path: `messages/${id}/send` });
  const requestId = answer.headers.get('request-id') ?? undefined;
  return { status: answer.status, ...(requestId ? { requestId } : {}) };
}
