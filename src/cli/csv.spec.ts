import { CsvError, parseCsv } from './csv';

const rows = (text: string): string[][] => parseCsv(text).map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits fields and records, LF or CRLF, with or without a final line break', () => {
    expect(rows('a,b,c\n1,2,3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(rows('a,b\r\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(rows('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields', () => {
    expect(rows('a,,c\n,,\n')).toEqual([['a', '', 'c'], ['', '', '']]);
  });

  it('handles quoted fields with commas, escaped quotes and line breaks', () => {
    expect(rows('name,note\r\n"Doe, Jane","She said ""hi""\r\nand left"\r\nx,""\r\n')).toEqual([
      ['name', 'note'],
      ['Doe, Jane', 'She said "hi"\r\nand left'],
      ['x', ''],
    ]);
  });

  it('reports the line where each record starts, across multi-line fields', () => {
    expect(parseCsv('h\n"a\nb"\nc\n').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('strips a BOM and keeps a stray quote inside an unquoted field', () => {
    expect(rows('\uFEFFname\nO"Brien\n')).toEqual([['name'], ['O"Brien']]);
  });

  it('refuses an unterminated quoted field, naming its line', () => {
    expect(() => parseCsv('a\n"open,\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"open,\n')).toThrow('line 2');
  });
});
