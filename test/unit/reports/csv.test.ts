import { describe, expect, it } from 'vitest';
import { BOM, csvField, neutraliseFormula, parseCsv, toCsv, toCsvBuffer } from '../../../src/reports/csv.js';

describe('CSV writer (RFC 4180, UTF-8 with BOM)', () => {
  it('starts with the byte order mark and ends every record, the last included, with CRLF', () => {
    const csv = toCsv([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(csv).toBe(`${BOM}a,b\r\n1,2\r\n`);
    const bytes = toCsvBuffer([['x']]);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('quotes fields with commas, quotes, CR or LF, doubling the quotes inside', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField(-3)).toBe('-3');
  });

  it('neutralises cells Excel would run as formulas, leaving numbers and ordinary text alone', () => {
    expect(neutraliseFormula('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
    expect(neutraliseFormula('+44 20')).toBe(`'+44 20`);
    expect(neutraliseFormula('-1')).toBe(`'-1`);
    expect(neutraliseFormula('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(neutraliseFormula('LAC review minutes')).toBe('LAC review minutes');
    expect(csvField('=1+1')).toBe(`'=1+1`);
    expect(csvField('=1+1', false)).toBe('=1+1');
  });

  it('parses back exactly what it wrote: quotes, commas, line breaks, Unicode, empty cells', () => {
    const rows = [
      ['Reference', 'Subject', 'Empty', 'Note'],
      ['ESC-2026-0001', 'Minutes, "urgent"', '', 'Children’s home\r\nsecond line'],
      ['ESC-2026-0002', 'Zoë’s review — café', '', 'lf\nonly'],
      ['', '', '', ''],
    ];
    const text = toCsv(rows);
    expect(parseCsv(text)).toEqual(rows);
    expect(parseCsv(Buffer.from(text, 'utf8'))).toEqual(rows);
  });

  it('reads LF-only files and files without a final line break', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(() => parseCsv('"open')).toThrow(/inside a quoted field/);
  });
});
