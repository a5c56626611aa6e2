/**
 * CSV per RFC 4180, safe to open in a spreadsheet (SECURITY 23): a cell that a spreadsheet would
 * read as a formula (starting with = + - @, tab or CR) is prefixed with a single quote (OWASP).
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
