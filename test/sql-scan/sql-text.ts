/** Reading SQL as text, for the scan: comments and string contents dropped, parentheses matched, clauses found at the top level. */

/** Drops comments and blanks the contents of quoted strings, so only SQL structure is left. */
export function normalizeSql(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += ' ';
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
      out += ' ';
    } else if (ch === "'") {
      // A string constant is data: keep '' so the structure around it stays.
      i++;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      out += "''";
    } else {
      out += ch;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Index of the parenthesis closing the one at `open`, or -1. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The same text with everything inside parentheses blanked, so keywords are found at top level only. */
export function topLevel(text: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ')') depth--;
    out += depth > 0 ? ' ' : ch;
    if (ch === '(') depth++;
  }
  return out;
}

/** Splits at top-level commas. */
export function splitCommas(text: string): string[] {
  const blank = topLevel(text);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < blank.length; i++) {
    if (blank[i] === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** What a parenthesized sub-SELECT is replaced by once it is lifted out to be judged on its own. */
export const SUB = '(SUBQUERY)';

/** Position of the first top-level match of `pattern` at or after `from`, or -1. */
export function findTop(text: string, pattern: RegExp, from = 0): { index: number; length: number } | null {
  const blank = topLevel(text);
  const re = new RegExp(pattern.source, 'gi');
  re.lastIndex = from;
  const m = re.exec(blank);
  return m ? { index: m.index, length: m[0].length } : null;
}

/** The text from `start` to the next top-level clause keyword. */
export function clauseBody(text: string, start: number, end: RegExp): string {
  const next = findTop(text, end, start);
  return text.slice(start, next ? next.index : text.length).trim();
}

/** The statement on one line, as the failure messages and the exception snippets show it. */
export const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
