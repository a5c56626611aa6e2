import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { findTotpStep, generateHotp, generateTotp, totpDefaults, totpStepAt, type OtpHashAlgorithm } from './totp.js';

const rfc4226Secret = Buffer.from('12345678901234567890', 'ascii');

test('RFC 4226 Appendix D: HOTP values for counters 0–9', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => {
    assert.equal(generateHotp(rfc4226Secret, BigInt(counter), 6, 'SHA-1'), code, `counter ${counter}`);
  });
});

// RFC 6238 Appendix B uses a seed as long as the hash output: 20, 32 and 64 bytes of "1234567890…".
const rfc6238Seeds: Record<OtpHashAlgorithm, Buffer> = {
  'SHA-1': Buffer.from('12345678901234567890', 'ascii'),
  'SHA-256': Buffer.from('12345678901234567890123456789012', 'ascii'),
  'SHA-512': Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

const rfc6238Table: Array<{ unixSeconds: number; step: bigint; codes: Record<OtpHashAlgorithm, string> }> = [
  { unixSeconds: 59, step: 0x1n, codes: { 'SHA-1': '94287082', 'SHA-256': '46119246', 'SHA-512': '90693936' } },
  { unixSeconds: 1111111109, step: 0x23523ecn, codes: { 'SHA-1': '07081804', 'SHA-256': '68084774', 'SHA-512': '25091201' } },
  { unixSeconds: 1111111111, step: 0x23523edn, codes: { 'SHA-1': '14050471', 'SHA-256': '67062674', 'SHA-512': '99943326' } },
  { unixSeconds: 1234567890, step: 0x273ef07n, codes: { 'SHA-1': '89005924', 'SHA-256': '91819424', 'SHA-512': '93441116' } },
  { unixSeconds: 2000000000, step: 0x3f940aan, codes: { 'SHA-1': '69279037', 'SHA-256': '90698825', 'SHA-512': '38618901' } },
  { unixSeconds: 20000000000, step: 0x27bc86aan, codes: { 'SHA-1': '65353130', 'SHA-256': '77737706', 'SHA-512': '47863826' } },
];

test('RFC 6238 Appendix B: time steps and 8-digit TOTP values for SHA-1, SHA-256 and SHA-512', () => {
  for (const row of rfc6238Table) {
    assert.equal(totpStepAt(row.unixSeconds, 30), row.step, `step at ${row.unixSeconds}`);
    for (const algorithm of ['SHA-1', 'SHA-256', 'SHA-512'] as const) {
      assert.equal(
        generateTotp(rfc6238Seeds[algorithm], row.unixSeconds, 30, 8, algorithm),
        row.codes[algorithm],
        `${algorithm} at ${row.unixSeconds}`,
      );
      const found = findTotpStep(rfc6238Seeds[algorithm], row.codes[algorithm], row.unixSeconds, {
        periodSeconds: 30,
        digits: 8,
        algorithm,
        windowSteps: 0,
      });
      assert.equal(found, row.step);
    }
  }
});

test('the defaults are the ones SPEC 4.5 fixes', () => {
  assert.deepEqual({ ...totpDefaults }, { periodSeconds: 30, digits: 6, algorithm: 'SHA-1', windowSteps: 1 });
});

test('codes keep their leading zeros', () => {
  assert.equal(generateTotp(rfc6238Seeds['SHA-1'], 1111111109, 30, 8, 'SHA-1'), '07081804');
  assert.equal(generateTotp(rfc6238Seeds['SHA-1'], 1111111109, 30, 6, 'SHA-1'), '081804');
});

test('findTotpStep accepts one step either side and refuses two', () => {
  const key = randomBytes(20);
  const now = 1_768_467_600; // 2026-01-15T09:00:00Z, on a step boundary
  const nowStep = totpStepAt(now, 30);
  const codeAt = (offsetSteps: number) => generateTotp(key, now + offsetSteps * 30, 30, 6, 'SHA-1');

  for (const offset of [-1, 0, 1]) {
    assert.equal(findTotpStep(key, codeAt(offset), now, totpDefaults), nowStep + BigInt(offset), `offset ${offset}`);
  }
  for (const offset of [-2, 2]) {
    const code = codeAt(offset);
    // Skip the one-in-a-million case where the far code collides with one inside the window.
    if ([-1, 0, 1].some((inside) => codeAt(inside) === code)) continue;
    assert.equal(findTotpStep(key, code, now, totpDefaults), null, `offset ${offset}`);
  }
});

test('findTotpStep: the last second of a step still sees the next one as +1', () => {
  const key = randomBytes(20);
  const now = 1_768_467_600 + 29;
  assert.equal(findTotpStep(key, generateTotp(key, now + 1, 30, 6, 'SHA-1'), now, totpDefaults), totpStepAt(now, 30) + 1n);
});

test('findTotpStep ignores spaces in what the user typed', () => {
  const key = randomBytes(20);
  const now = 1_768_467_600;
  const code = generateTotp(key, now, 30, 6, 'SHA-1');
  assert.equal(findTotpStep(key, ` ${code.slice(0, 3)} ${code.slice(3)} `, now, totpDefaults), totpStepAt(now, 30));
});

test('findTotpStep refuses garbage, wrong lengths and non-ASCII digits', () => {
  const key = randomBytes(20);
  const now = 1_768_467_600;
  const code = generateTotp(key, now, 30, 6, 'SHA-1');
  const refused = [
    '',
    '   ',
    'abcdef',
    code.slice(0, 5),
    `${code}0`,
    `0${code}`,
    `${code.slice(0, 5)}x`,
    `-${code.slice(1)}`,
    `+${code.slice(1)}`,
    '1e5000',
    '１２３４５６', // full-width digits
    '١٢٣٤٥٦', // Arabic-Indic digits
    `${code}\u0000`,
  ];
  for (const input of refused) {
    assert.equal(findTotpStep(key, input, now, totpDefaults), null, JSON.stringify(input));
  }
});

test('findTotpStep near the epoch does not look at negative steps', () => {
  const key = randomBytes(20);
  assert.equal(findTotpStep(key, generateTotp(key, 0, 30, 6, 'SHA-1'), 10, totpDefaults), 0n);
});

test('bad parameters are bugs and throw', () => {
  assert.throws(() => generateHotp(rfc4226Secret, 0n, 5, 'SHA-1'), RangeError);
  assert.throws(() => generateHotp(rfc4226Secret, 0n, 11, 'SHA-1'), RangeError);
  assert.throws(() => generateHotp(rfc4226Secret, -1n, 6, 'SHA-1'), RangeError);
  assert.throws(() => generateHotp(rfc4226Secret, 1n << 64n, 6, 'SHA-1'), RangeError);
  assert.throws(() => totpStepAt(59, 0), RangeError);
  assert.throws(() => totpStepAt(Number.NaN, 30), RangeError);
  assert.throws(() => findTotpStep(rfc4226Secret, '123456', 59, { ...totpDefaults, windowSteps: -1 }), RangeError);
});

test('cross-check: 50 codes generated by otpauth are found by findTotpStep', () => {
  const algorithms = ['SHA-1', 'SHA-256', 'SHA-512'] as const;
  for (let i = 0; i < 50; i++) {
    const algorithm = algorithms[i % 3]!;
    const key = randomBytes(randomInt(16, 65));
    const digits = 6 + (i % 3);
    const periodSeconds = i % 2 === 0 ? 30 : 60;
    const unixSeconds = randomInt(0, 2 ** 40) / 1000; // fractional seconds, up to ~2004
    const totp = new TOTP({
      secret: new Secret({ buffer: key.buffer.slice(key.byteOffset, key.byteOffset + key.length) }),
      algorithm: algorithm.replace('-', ''),
      digits,
      period: periodSeconds,
    });
    const theirs = totp.generate({ timestamp: unixSeconds * 1000 });
    const context = `${algorithm} ${digits} digits, ${periodSeconds} s, t=${unixSeconds}`;
    assert.equal(generateTotp(key, unixSeconds, periodSeconds, digits, algorithm), theirs, context);
    assert.equal(
      findTotpStep(key, theirs, unixSeconds, { periodSeconds, digits, algorithm, windowSteps: 1 }),
      BigInt(totp.counter({ timestamp: unixSeconds * 1000 })),
      context,
    );
  }
});
