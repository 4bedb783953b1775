/**
 * A small RFC 4180 CSV parser: comma-separated fields, records ended by CRLF or LF, fields in
 * double quotes may hold commas, line breaks and doubled quotes (""). A leading UTF-8 BOM and a
 * final line break are ignored. A quote inside an unquoted field is kept as is (spreadsheets
 * write such files); an unterminated quoted field is an error naming its line.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false; // the current field started with a quote
  let fieldStarted = false;
  const endField = (): void => {
    fields.push(field);
    field = '';
    quoted = false;
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false; // closing quote; what follows up to the separator is kept literally
        i += 1;
        continue;
      }
      if (ch === '\n') line += 1;
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i += 1;
      continue;
    }
    if (ch === ',') {
      endField();
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i += 1;
  }
  if (quoted) throw new CsvError('unterminated quoted field', recordLine);
  // The last record, unless the file ended with a line break.
  if (fieldStarted || field !== '' || fields.length > 0) endRecord();
  return records;
}
