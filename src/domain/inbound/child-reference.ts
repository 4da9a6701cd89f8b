/**
 * The case keeps a child's reference, never their name. `looksLikeFullName` spots a value that
 * reads as a person's name so it can be refused with a warning.
 *
 * A full name here is two or more words made only of letters (with hyphens, apostrophes or a
 * full stop), where at least two words are not generic ("child", "young person", "sibling"…)
 * and not initials (a word of one to three capitals, as in "AB" or "J"). So "Jane Smith",
 * "jane smith", "Mary-Ann O'Neill" are names; "AB-1234", "JS", "child 12", "Child A",
 * "J Smith" and "YP AB" are not.
 */
const GENERIC = new Set([
  'child',
  'children',
  'young',
  'person',
  'people',
  'yp',
  'cyp',
  'baby',
  'unborn',
  'sibling',
  'siblings',
  'boy',
  'girl',
  'the',
  'a',
  'an',
  'and',
  'of',
  'ref',
  'reference',
  'no',
  'number',
  'case',
  'id',
  'lac',
  'cla',
  'cic',
  'placement',
  'brother',
  'sister',
  'twin',
  'twins',
  'eldest',
  'youngest',
  'older',
  'younger',
  'unknown',
  'tbc',
  'n/a',
  'na',
  'see',
  'below',
  'above',
]);

export function looksLikeFullName(value: string): boolean {
  const v = value.trim().replace(/\s+/g, ' ');
  if (v === '' || v.length > 80 || /[\d@/\\#_:;<>()[\]{}=+]/.test(v)) return false;
  const words = v.split(' ');
  if (words.length < 2 || words.length > 5) return false;
  if (!words.every((w) => /^[\p{L}][\p{L}'’.-]*$/u.test(w))) return false;
  const nameWords = words.filter((w) => {
    const bare = w.replace(/[.'’-]/g, '');
    if (GENERIC.has(bare.toLowerCase())) return false;
    if (/^\p{Lu}{1,3}$/u.test(bare)) return false; // initials
    return bare.length >= 2;
  });
  return nameWords.length >= 2;
}
