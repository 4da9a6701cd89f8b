/**
 * RFC 4180 CSV: fields separated by commas, records ended by CRLF, a field quoted when it holds a
 * comma, a double quote, CR or LF, and quotes inside doubled. Spreadsheets are opened by people
 * in Excel, so the file starts with a UTF-8 byte order mark (without it Excel reads UTF-8 as
 * Windows-1252 and "Children’s" becomes "Childrenâ€™s").
 */
export const BOM = '\uFEFF';

export type CsvValue = string | number | null | undefined;

/**
 * A text cell starting with = + - @ (or a tab or CR) is run as a formula by Excel and friends
 * (CSV injection). Subjects and categories come from emails, so such cells get a leading
 * apostrophe, which spreadsheets show as plain text. Numbers are left alone.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvField(value: CsvValue, neutralise = true): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' ? String(value) : neutralise ? neutraliseFormula(value) : value;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

export interface CsvOptions {
  /** Start with the UTF-8 byte order mark (default true: the file is for Excel). */
  bom?: boolean;
  /** Guard text cells against formula injection (default true). */
  neutralise?: boolean;
}

/** The whole file as a string: every record, header included, ends with CRLF. */
export function toCsv(rows: readonly (readonly CsvValue[])[], opts: CsvOptions = {}): string {
  const body = rows.map((r) => `${r.map((v) => csvField(v, opts.neutralise ?? true)).join(',')}\r\n`).join('');
  return ((opts.bom ?? true) ? BOM : '') + body;
}

export function toCsvBuffer(rows: readonly (readonly CsvValue[])[], opts: CsvOptions = {}): Buffer {
  return Buffer.from(toCsv(rows, opts), 'utf8');
}

/**
 * Reads RFC 4180 CSV back (a leading BOM is dropped; CRLF or LF line ends; quoted fields may span
 * lines). Used by tests and by anyone checking an export round-trips.
 */
export function parseCsv(input: string | Buffer): string[][] {
  let text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.startsWith(BOM)) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      endRow();
      i += 2;
    } else if (c === '\n') {
      endRow();
      i++;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}
