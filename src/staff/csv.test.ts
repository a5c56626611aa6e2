import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvCell, csvRow } from './csv.js';

/** A minimal RFC 4180 reader, to check what a spreadsheet gets back. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.equal(row.length === 0 && cell === '', true, 'the text does not end with CRLF');
  return rows;
}

test('plain text and numbers are written as they are', () => {
  assert.equal(csvCell('login_succeeded'), 'login_succeeded');
  assert.equal(csvCell('Jan de Vries'), 'Jan de Vries');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(0), '0');
});

test('null and undefined are an empty cell', () => {
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(''), '');
});

test('commas, quotes and newlines are quoted, quotes doubled', () => {
  assert.equal(csvCell('Vries, Jan de'), '"Vries, Jan de"');
  assert.equal(csvCell('Jan "JJ" de Vries'), '"Jan ""JJ"" de Vries"');
  assert.equal(csvCell('line 1\nline 2'), '"line 1\nline 2"');
  assert.equal(csvCell('line 1\r\nline 2'), '"line 1\r\nline 2"');
  assert.equal(csvCell('"'), '""""');
});

test('cells a spreadsheet would read as a formula get a leading quote', () => {
  for (const start of ['=', '+', '-', '@', '\t', '\r']) {
    const value = `${start}HYPERLINK("http://evil.example","click")`;
    const cell = csvCell(value);
    const [[read]] = readCsv(`${cell}\r\n`) as [[string]];
    assert.equal(read, `'${value}`, JSON.stringify(value));
  }
  assert.equal(readCsv(`${csvCell('=1+1')}\r\n`)[0]![0], "'=1+1");
  assert.equal(readCsv(`${csvCell('@SUM(A1)')}\r\n`)[0]![0], "'@SUM(A1)");
  assert.equal(readCsv(`${csvCell('-2+3')}\r\n`)[0]![0], "'-2+3");
  assert.equal(readCsv(`${csvCell('+31612345678')}\r\n`)[0]![0], "'+31612345678");
});

test('a formula hidden behind a quote in the CSV text is still neutralised', () => {
  // A spreadsheet strips the CSV quoting first; what is left must not start with a formula sign.
  for (const value of ['=cmd|"/c calc"!A1', '=1,2', '@x\ny', '\t=1']) {
    const read = readCsv(`${csvCell(value)}\r\n`)[0]![0]!;
    assert.ok(!/^[=+\-@\t\r]/.test(read), `${JSON.stringify(value)} reads as ${JSON.stringify(read)}`);
    assert.equal(read, `'${value}`);
  }
});

test('formula signs later in a cell are left alone', () => {
  assert.equal(csvCell('a=b'), 'a=b');
  assert.equal(csvCell('jan+test@example.nl'), 'jan+test@example.nl');
  assert.equal(csvCell('2024-01-02T03:04:05Z'), '2024-01-02T03:04:05Z');
});

test('a negative number also gets the quote (it starts with -), the value is kept after it', () => {
  assert.equal(readCsv(`${csvCell(-5)}\r\n`)[0]![0], "'-5");
});

test('rows end with CRLF and read back as the same cells', () => {
  const cells = ['2024-05-01T10:00:00.000Z', 'login_failed', 'Vries, "Jan"', '=HYPERLINK("x")', null, undefined, 7, 'a\r\nb'];
  const row = csvRow(cells);
  assert.ok(row.endsWith('\r\n'));
  assert.deepEqual(readCsv(row), [['2024-05-01T10:00:00.000Z', 'login_failed', 'Vries, "Jan"', `'=HYPERLINK("x")`, '', '', '7', 'a\r\nb']]);
});

test('several rows concatenate to a valid CSV file', () => {
  const text = csvRow(['time', 'event']) + csvRow(['t1', 'login_succeeded']) + csvRow(['t2', '@evil']);
  assert.deepEqual(readCsv(text), [
    ['time', 'event'],
    ['t1', 'login_succeeded'],
    ['t2', "'@evil"],
  ]);
});

test('an empty row is just CRLF', () => {
  assert.equal(csvRow([]), '\r\n');
  assert.equal(csvRow([null]), '\r\n');
});
