import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';

/** Randomness comes from here so that tests may replace it; the default is the OS CSPRNG. */
export interface RandomSource {
  bytes(length: number): Buffer;
  uuid(): string;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => nodeRandomBytes(length),
  uuid: () => randomUUID(),
};
