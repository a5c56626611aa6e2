/** What a WHERE or JOIN ... ON condition says about tenant_id, one top-level AND term at a time. */
import { closingParen, splitCommas, SUB, topLevel } from './sql-text.js';

/** A condition cut into its top-level AND terms (an OR stays one term). */
export function conjuncts(condition: string): string[] {
  let c = condition.trim();
  while (c.startsWith('(') && closingParen(c, 0) === c.length - 1) c = c.slice(1, -1).trim();
  const blank = topLevel(c);
  const parts: string[] = [];
  let start = 0;
  let betweenPending = false;
  const re = /\b(AND|BETWEEN)\b/gi;
  for (let m = re.exec(blank); m; m = re.exec(blank)) {
    if (m[1]!.toUpperCase() === 'BETWEEN') betweenPending = true;
    else if (betweenPending) betweenPending = false;
    else {
      parts.push(c.slice(start, m.index));
      start = m.index + m[0].length;
    }
  }
  parts.push(c.slice(start));
  if (parts.length === 1) return [c];
  return parts.flatMap(conjuncts);
}

type Side = { kind: 'tenant'; qualifier: string | null } | { kind: 'anchor' } | { kind: 'other' };

function side(expression: string): Side {
  let e = expression.trim();
  while (/::\s*[\w ]+(\[\])?$/.test(e)) e = e.replace(/::\s*[\w ]+(\[\])?$/, '').trim();
  while (e.startsWith('(') && closingParen(e, 0) === e.length - 1 && e !== SUB) e = e.slice(1, -1).trim();
  const ref = /^(?:"?(\w+)"?\.)?"?tenant_id"?$/i.exec(e);
  if (ref) return { kind: 'tenant', qualifier: ref[1]?.toLowerCase() ?? null };
  if (/^\$\d+$/.test(e) || e === SUB) return { kind: 'anchor' };
  const any = /^ANY\s*\(([\s\S]*)\)$/i.exec(e);
  if (any && side(any[1]!).kind === 'anchor') return { kind: 'anchor' };
  return { kind: 'other' };
}

export type Fact = { anchor: string | null } | { edge: [string | null, string | null] };

/** What one AND term says about tenant_id: pins a table to a tenant, or ties two tables' tenants. */
export function factsOf(term: string): Fact[] {
  const t = term.trim();
  const blank = topLevel(t);
  if (/\b(OR|NOT|CASE)\b/i.test(blank)) return [];
  const pair = (a: Side, b: Side): Fact[] => {
    if (a.kind === 'tenant' && b.kind === 'anchor') return [{ anchor: a.qualifier }];
    if (b.kind === 'tenant' && a.kind === 'anchor') return [{ anchor: b.qualifier }];
    if (a.kind === 'tenant' && b.kind === 'tenant' && a.qualifier !== b.qualifier) return [{ edge: [a.qualifier, b.qualifier] }];
    return [];
  };
  const tuple = (text: string): string[] | null => {
    const s = text.trim();
    return s.startsWith('(') && closingParen(s, 0) === s.length - 1 && s !== SUB ? splitCommas(s.slice(1, -1)) : null;
  };
  const rows = (left: string, right: string): Fact[] => {
    const l = tuple(left);
    if (!l) return right.trim() === SUB ? pair(side(left), { kind: 'anchor' }) : [];
    if (right.trim() === SUB) return l.flatMap((item) => pair(side(item), { kind: 'anchor' }));
    const r = tuple(right);
    if (!r || r.length !== l.length) return [];
    return l.flatMap((item, i) => pair(side(item), side(r[i]!)));
  };
  const equals = [...blank.matchAll(/(?<![<>!=:])=(?![=>])/g)];
  if (equals.length === 1) {
    const at = equals[0]!.index!;
    const left = t.slice(0, at);
    const right = t.slice(at + 1);
    return tuple(left) ? rows(left, right) : pair(side(left), side(right));
  }
  const inList = /\bIN\b/i.exec(blank);
  if (equals.length === 0 && inList) {
    const left = t.slice(0, inList.index);
    const right = t.slice(inList.index + 2);
    if (tuple(left)) return rows(left, right);
    const items = tuple(right);
    if (right.trim() === SUB || (items && items.every((item) => side(item).kind === 'anchor'))) return pair(side(left), { kind: 'anchor' });
  }
  return [];
}
