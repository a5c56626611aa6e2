import { ZxcvbnFactory, type TranslationKeys } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import * as zxcvbnNlBe from '@zxcvbn-ts/language-nl-be';
import type { Locale } from '../../tenants/organizations.js';
import { normalizePassword } from './hashing.js';

/**
 * SPEC 3 refuses "at least the top 10,000" common passwords; NIST SP 800-63B §5.1.1.2 asks to
 * compare new passwords against values known to be commonly used or compromised. Ingang takes the
 * whole ranked list of @zxcvbn-ts/language-common (about 49,000, lower case, already NFKC): the
 * top 10,000 alone would let `password1234` (rank ~18,500) through where an org drops the
 * special-character rule. A Set of it costs a few MB and answers in constant time.
 */
export const commonPasswordCount = zxcvbnCommon.dictionary['passwords-common'].length;

let commonPasswords: ReadonlySet<string> | null = null;

function getCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(zxcvbnCommon.dictionary['passwords-common']);
  return commonPasswords;
}

export function countCommonPasswords(): number {
  return getCommonPasswords().size;
}

export function isCommonPassword(password: string): boolean {
  return getCommonPasswords().has(normalizePassword(password).toLowerCase());
}

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  /** The estimated number of guesses, as a power of 10 (the policy's floor is compared with it). */
  guessesLog10: number;
  warning: string | null;
  suggestions: string[];
}

/**
 * zxcvbn's matching grows steeply with length and with l33t substitutions: a crafted
 * 200-character input took 240 ms with the old bounds (100 code points, 10 substitutions), on the
 * event loop, for anyone who could post a form (SECURITY 35). The estimate now sees the first 40
 * code points and tries at most 4 substitutions: tens of milliseconds at worst (`npm run bench`
 * measures it). A longer password is judged on its first 40 — a strong one is strong there already.
 */
export const maxEstimatedLengthInCodePoints = 40;
const maxL33tSubstitutions = 4;

let factory: ZxcvbnFactory | null = null;

/**
 * Built on first use (about 0.15 s to rank the dictionaries), not at import, so that code
 * needing only `isCommonPassword` does not pay for it. No translations are given, so zxcvbn
 * answers with message keys, which are translated per request below.
 */
function getFactory(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    graphs: zxcvbnCommon.adjacencyGraphs,
    dictionary: {
      ...zxcvbnCommon.dictionary,
      ...zxcvbnEn.dictionary,
      ...suffixKeys(zxcvbnNlBe.dictionary, '-nl'),
    },
    l33tMaxSubstitutions: maxL33tSubstitutions,
  });
  return factory;
}

/** The nl-be package (v3) names its lists without a language suffix, unlike the v4 en ones. */
function suffixKeys<T>(record: Record<string, T>, suffix: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [`${key}${suffix}`, value]));
}

const translationsByLocale: Record<Locale, TranslationKeys> = {
  en: zxcvbnEn.translations,
  nl: zxcvbnNlBe.translations,
};

/**
 * A hint shown while choosing a password (SPEC 3), never a reason to refuse one: the refusals
 * are in rules.ts. `userInputs` are words the password should not lean on (name, e-mail, org).
 */
export function estimateStrength(password: string, userInputs: string[], locale: Locale = 'en'): StrengthEstimate {
  const cut = Array.from(normalizePassword(password).slice(0, 2 * maxEstimatedLengthInCodePoints))
    .slice(0, maxEstimatedLengthInCodePoints)
    .join('');
  const result = getFactory().check(cut, userInputs);
  const texts = translationsByLocale[locale];
  const suggestions = result.feedback.suggestions.map((key) => translateKey(texts.suggestions, key));
  // zxcvbn gives no feedback from score 3 up, yet such a password can still fall below an org's
  // guess floor (`Welkom12345!` scores 3): then its general advice is the tip.
  if (result.feedback.warning === null && suggestions.length === 0 && result.score < 4) suggestions.push(translateKey(texts.suggestions, 'anotherWord'));
  return {
    score: result.score,
    guessesLog10: result.guessesLog10,
    warning: result.feedback.warning === null ? null : translateKey(texts.warnings, result.feedback.warning),
    suggestions,
  };
}

function translateKey(texts: Record<string, string>, key: string): string {
  return texts[key] ?? key;
}
