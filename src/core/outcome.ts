/**
 * Expected failures are values, not exceptions (STYLE: Lucia's shape). Every journey answers
 * `{ ok: true, … }` or `{ ok: false, error, … }` with a snake_case `error` that a surface turns
 * into a page or a JSON status; bugs and infrastructure faults (a database that went away) throw,
 * and one handler per surface answers them.
 */
export type Ok<T extends object = object> = { ok: true } & T;
export type Failure<E extends string, X extends object = object> = { ok: false; error: E } & X;
export type Outcome<T extends object, F extends { ok: false; error: string }> = Ok<T> | F;

/** The failures of an outcome type, e.g. `FailureOf<PinCheck>`. */
export type FailureOf<O> = Extract<O, { ok: false }>;

export function ok(): Ok;
export function ok<T extends object>(value: T): Ok<T>;
export function ok<T extends object>(value?: T): Ok<T> {
  return { ok: true, ...(value as T) };
}

export function failure<E extends string>(error: E): Failure<E>;
export function failure<E extends string, X extends object>(error: E, extra: X): Failure<E, X>;
export function failure<E extends string, X extends object>(error: E, extra?: X): Failure<E, X> {
  return { ok: false, error, ...(extra as X) };
}
