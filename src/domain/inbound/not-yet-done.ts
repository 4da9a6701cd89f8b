/**
 * "Not yet" is never "done" (issue 14, point 2): what defeats a done phrase the reply rules found.
 * Each check looks at the phrase's own sentence and the one after it, because people write the
 * qualification straight after ("The PEP is complete. It will go out once the head has signed it.").
 * Each returns why the phrase does not count, which also decides what the reply is read as instead.
 */

/** Why a done phrase was set aside. `pending` and `wrong-item` read as an acknowledgement; `other-item` as other. */
export type Defeat = 'hedge' | 'pending' | 'wrong-item' | 'no-attachment' | 'other-item';

/** Before the phrase, in its sentence: the sender is not sure it happened ("I thought these had been sent"). */
export const HEDGE =
  /\b(?:i|we) (?:think|thought|believe|believed|assume|assumed|understood|understand|presume|presumed|suspect)\b|\b(?:fairly|pretty|quite|reasonably) (?:sure|certain|confident)\b|\bas far as (?:i|we) (?:know|can tell|am aware)\b|\bafaik\b|\b(?:should|may|might|must|could) (?:have|'ve)\b|\bshould've\b|\bapparently\b|\bsupposedly\b|\bi'm told\b|\bi was told\b|\bin theory\b|\bnot sure (?:whether|if)\b|\b(?:it's|it is|it was) possible\b|\b(?:possibly|perhaps|maybe|probably|presumably)\b/i;

/** In the phrase's sentence or the next: the wrong thing went, or it is to be replaced. */
export const WRONG_ITEM =
  /\b(?:wrong|incorrect|out-?of-?date|outdated|superseded) (?:version|document|doc|file|attachment|one|ones|copy|plan|minutes|report|form|child|young person|pathway plan|placement plan|care plan|pep)\b|\bthe old (?:one|version|copy|plan|form)\b|\bprevious (?:review|version|meeting|plan)'?s?\b|\bplease (?:disregard|delete|ignore|destroy)\b|\bnot the (?:right|correct|latest|final|current|signed|updated|most recent) (?:one|ones|version|copy|document|minutes|plan|form|report)\b|\bchecking (?:whether|if|that)\b/i;

/** The phrase's own sentence delivers the corrected thing: a wrong item mentioned next is the one it replaces. */
export const CORRECTED = /\b(?:final|correct|corrected|right|updated|amended|revised|new|proper) (?:version|copy|one|ones|minutes|plan|report|form)\b/i;

/** A resend, which replaces what went (unless only in case it did not arrive: see CONDITIONAL). */
export const RESEND = /\b(?:will|'ll|shall|going to|to|need to) re-?send\b|\bre-?send(?:ing)? the (?:correct|right|updated|final)\b/i;

/**
 * After the phrase, in its sentence or the next: it is done but not with the requester yet
 * ("completed and is waiting for the head's sign-off", "It will be sent out once it has been typed").
 */
export const PENDING_AFTER =
  /\b(?:waiting for|awaiting|pending|being (?:reviewed|checked|typed|proofread|proof-read|signed|approved|amended|finalised|finalized)|still (?:needs?|to be|has to)|needs? (?:to be )?(?:signed|approved|checked|typed|proofread|countersigned|authorised|authorized)|to be (?:signed|approved|checked|typed|proofread|countersigned|authorised|authorized|quality assured)|for (?:sign[- ]off|approval|signature|signing|checking|proof-?reading|countersignature|qa|quality assurance))\b/i;

/** In the next sentence: it goes out later ("It will be released to the home after that."). */
export const LATER_RELEASE =
  /\b(?:will|'ll|shall|is going to|are going to) (?:then )?(?:be )?(?:sent|send|released|release|go out|go to you|going out|forwarded|shared|circulated|issued|distributed|uploaded|finalised|finalized)\b|\b(?:will|'ll) follow\b|\bto follow\b/i;

/**
 * What is still to come after an attachment: the thing itself, not an extra ("the full report will
 * follow", "the appendices will follow", "the correct minutes will follow"), as against "the
 * signed copy by Friday".
 */
export const REST_TO_COME =
  /\b(?:the )?(?:full|complete|completed|rest|remaining|remainder|outstanding|appendix|appendices|other sections?|correct|right|updated|final|proper|actual|whole)\b[^.?!]{0,60}?\b(?:will|'ll|to|should|is to|are to)\b[^.?!]{0,25}?\b(?:follow|come|be (?:sent|uploaded|completed|done|shared|provided|forwarded|finished|finalised|finalized|with you))\b/i;

/** Something sent to be filled in or signed by the requester is not the thing asked for. */
export const FOR_THE_REQUESTER_TO_DO =
  /\bfor (?:you|the home|the carers?|the staff|staff|your staff|the young person|the child|them) to (?:sign|complete|fill|return|check|review|read and sign)\b|\bto complete and return\b|\bcould (?:you|the home|someone)\b[^.?!]{0,40}\b(?:complete|sign|fill)\b/i;

/** An attachment that is a document: PDF, Word, OpenDocument, RTF, a spreadsheet, a photo or scan of one (not a signature logo), or a TNEF wrapper that may hold one. */
export function isDocument(a: { filename?: string; contentType: string; size: number }): boolean {
  const type = a.contentType.toLowerCase();
  const name = (a.filename ?? '').toLowerCase();
  // Outlook's TNEF wrapper (winmail.dat) carries the real attachments inside it.
  if (/^application\/(?:vnd\.)?ms-tnef$/.test(type) || name === 'winmail.dat') return true;
  if (
    /^application\/(?:pdf|msword|rtf|vnd\.openxmlformats-officedocument\.(?:wordprocessingml|spreadsheetml)|vnd\.oasis\.opendocument\.(?:text|spreadsheet)|vnd\.ms-excel)/.test(
      type,
    )
  )
    return true;
  if (/\.(?:pdf|docx?|odt|rtf|xlsx?|ods)$/.test(name) && /^application\/octet-stream$/.test(type)) return true;
  if (type.startsWith('image/')) {
    // Signature logos and inline pictures are small and named image001.png; a photo of a form is not.
    if (/^image\d{3}\.(?:png|jpe?g|gif)$/.test(name) || /^outlook-\w+\.(?:png|jpe?g)$/.test(name)) return false;
    return a.size >= 50_000;
  }
  return false;
}
