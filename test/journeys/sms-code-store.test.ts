import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasFreshSmsCode, issueSmsCode, settleSentSmsCode, verifySmsCode, type SmsPurpose } from '../../src/factors/sms-code/store.js';
import { createActiveAccount, createTestApp, createTestOrg, type TestApp } from '../harness.js';
import { smsPhone } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

/** The SMS code store of one session of a new account, for the steps a send is made of: issue, then settle once the provider took it. */
async function codeStore(purpose: SmsPurpose) {
  const org = await createTestOrg(t);
  const user = await createActiveAccount(t, org);
  const scope = { tenantId: org.tenantId, accountId: user.id, sessionId: `session-${purpose}`, purpose };
  return {
    scope,
    async issue() {
      const issued = await t.deps.db.transaction((tx) => issueSmsCode(tx, t.deps, { ...scope, phoneDigest: smsPhone }));
      assert.ok(issued.ok, 'within the send limits');
      return issued;
    },
    settle: (issued: { codeId: string }) => settleSentSmsCode(t.deps.db, { ...scope, codeId: issued.codeId }, t.clock.now()),
    verify: (code: string) => verifySmsCode(t.deps.db, { ...scope, phoneDigest: smsPhone }, code, t.clock.now()),
  };
}

describe('which sent SMS code counts (SPEC 4.5)', () => {
  test('a sent code voids the unused ones before it for good: using the newer one never revives an older one', async () => {
    const codes = await codeStore('confirm');
    const sendCode = async (settle: boolean) => {
      const issued = await codes.issue();
      if (settle) await codes.settle(issued);
      t.clock.advanceSeconds(61);
      return issued.code;
    };
    const older = await sendCode(true);
    const newer = await sendCode(true);
    const unsent = await sendCode(false);
    assert.equal(await codes.verify(unsent), false, 'a code the provider has not taken yet is not the one checked');
    assert.equal(await codes.verify(newer), true, 'the newest sent code works');
    assert.equal(await codes.verify(older), false, 'the older code stays void after the newer one is used');
  });

  test('a send that settles late never voids a newer code; a send lost in a crash does not stop the next one', async () => {
    const codes = await codeStore('login');
    const slow = await codes.issue();
    t.clock.advanceSeconds(61);
    assert.equal(await hasFreshSmsCode(t.deps.db, codes.scope, t.clock.now()), false, 'a code still unsent after a minute (a crash mid-send) does not stop a new send');
    const fast = await codes.issue();
    await codes.settle(fast);
    await codes.settle(slow);
    assert.equal(await codes.verify(fast.code), true, 'the newer code survived the late settle of the older one');
  });
});
