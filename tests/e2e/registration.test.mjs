// Registration through libsignal's RegistrationService against the real stack: two accounts,
// each over the unauthenticated chat websocket, then checks that the accounts exist and that
// their credentials open an authenticated chat connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@signalapp/libsignal-client';
import { makeNet, recordingListener, chatRequest, assertChatReachable } from './lib/net.mjs';
import { registerAccount, verifiedSession, DEV_CAPTCHA, CAPABILITIES } from './lib/account.mjs';
import { randomE164, IdentityKeys } from './lib/keys.mjs';
import { loadEnv } from './lib/env.mjs';
import { AccountAttributes } from '@signalapp/libsignal-client/dist/net.js';
import { rest, closeRest } from './lib/rest.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 1;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let net;
const accounts = [];

before(async () => { net = makeNet(); await assertChatReachable(net); });
after(async () => { await closeRest(); await collectNative(); });

test('two accounts register through libsignal', async () => {
    for (let i = 0; i < 2; i++) accounts.push(await registerAccount(net, { block: BLOCK }));
    const [a, b] = accounts;
    for (const acc of accounts) {
        assert.match(acc.aci, UUID_RE, 'aci must be a lower-case UUID');
        assert.match(acc.pni, UUID_RE, 'pni must be a lower-case UUID');
        assert.equal(acc.response.number, acc.e164);
        assert.equal(acc.response.pni.getServiceIdString(), `PNI:${acc.pni}`);
    }
    assert.notEqual(a.aci, b.aci, 'two accounts must get different ACIs');
    assert.notEqual(a.pni, b.pni, 'two accounts must get different PNIs');
    assert.notEqual(a.e164, b.e164);
});

test('registered accounts are visible and their credentials work', async () => {
    assert.equal(accounts.length, 2, 'registration test must have run');
    for (const acc of accounts) {
        const who = await rest('/v1/accounts/whoami', { auth: [acc.login, acc.password] });
        assert.equal(who.status, 200, `whoami: ${who.text}`);
        assert.equal(who.json.uuid, acc.aci);
        assert.equal(who.json.pni, acc.pni);
        assert.equal(who.json.number, acc.e164);
        const head = await rest(`/v1/accounts/account/${acc.aci}`, { method: 'HEAD' });
        assert.equal(head.status, 200, 'HEAD on a registered ACI must be 200');
    }
});

test('authenticated chat connects with the new credentials and serves whoami', async () => {
    const acc = accounts[0];
    const listener = recordingListener();
    const chat = await net.connectAuthenticatedChat(acc.login, acc.password, false, listener);
    try {
        const r = await chatRequest(chat, 'GET', '/v1/accounts/whoami');
        assert.equal(r.status, 200, `whoami over chat: ${r.text}`);
        assert.equal(r.json.uuid, acc.aci);
        assert.equal(r.json.pni, acc.pni);
        assert.equal(r.json.number, acc.e164);
        // A fresh account has an empty queue: the server must say so.
        await listener.waitFor(() => listener.queueEmpty > 0, 5000, 'queue/empty');
        assert.equal(listener.envelopes.length, 0, 'a new account must have no messages');
    } finally {
        await chat.disconnect();
    }
});

test('authenticated chat rejects a wrong password', async () => {
    const acc = accounts[0];
    await assert.rejects(
        net.connectAuthenticatedChat(acc.login, acc.password + 'x', false, recordingListener()),
        'connect with a wrong password must fail');
    await assert.rejects(
        net.connectAuthenticatedChat(`${acc.aci}.7`, acc.password, false, recordingListener()),
        'connect as a device that does not exist must fail');
});

test('a wrong verification code does not verify the session', async () => {
    const e164 = randomE164(BLOCK);
    const svc = await net.createRegistrationSession({ e164 });
    if (svc.sessionState.requestedInformation.has('captcha')) {
        await svc.submitCaptcha(DEV_CAPTCHA);
    }
    await svc.requestVerification({ transport: 'sms', client: 'heliograph-e2e', languages: [] });
    const wrong = loadEnv().verificationCode === '000000' ? '111111' : '000000';
    assert.equal(await svc.verifySession(wrong), false, 'a wrong code must answer verified=false');
    assert.equal(svc.sessionState.verified, false);
    // Registering on an unverified session is refused with RegistrationInvalidSession (401).
    const aci = new IdentityKeys(), pni = new IdentityKeys();
    const attrs = new AccountAttributes({
        recoveryPassword: new Uint8Array(32).fill(1), aciRegistrationId: aci.registrationId,
        pniRegistrationId: pni.registrationId, registrationLock: null,
        unidentifiedAccessKey: new Uint8Array(16).fill(2), unrestrictedUnidentifiedAccess: false,
        capabilities: new Set(CAPABILITIES), discoverableByPhoneNumber: true,
    });
    await assert.rejects(svc.registerAccount({
        accountPassword: 'password-for-unverified', skipDeviceTransfer: true, accountAttributes: attrs,
        aciPublicKey: aci.publicKey, aciSignedPreKey: aci.signedPreKey, aciPqLastResortPreKey: aci.lastResortKey,
        pniPublicKey: pni.publicKey, pniSignedPreKey: pni.signedPreKey, pniPqLastResortPreKey: pni.lastResortKey,
    }), (e) => {
        assert.equal(e.code, ErrorCode.RegistrationInvalidSession, `got ${e.code} ${e.message}`);
        return true;
    });
});

test('resuming a session works and an unknown session is not found', async () => {
    const e164 = randomE164(BLOCK);
    const svc = await net.createRegistrationSession({ e164 });
    const resumed = await net.resumeRegistrationSession({ sessionId: svc.sessionId, e164 });
    assert.equal(resumed.sessionId, svc.sessionId);
    assert.equal(resumed.sessionState.verified, false);
    await assert.rejects(
        net.resumeRegistrationSession({ sessionId: 'AAAAAAAAAAAAAAAAAAAAAA==', e164 }),
        'resuming an unknown session must fail');
});

test('re-registering a number keeps the ACI and reports reregistration', async () => {
    const first = accounts[1];
    const again = await registerAccount(net, { e164: first.e164 });
    assert.equal(again.aci, first.aci, 'ACI must survive re-registration of the same number');
    assert.equal(again.pni, first.pni, 'PNI must survive re-registration of the same number');
    assert.equal(again.response.reregistration, true, 'reregistration flag must be set');
    const old = await rest('/v1/accounts/whoami', { auth: [first.login, first.password] });
    assert.equal(old.status, 401, 'the old password must stop working after re-registration');
    const now = await rest('/v1/accounts/whoami', { auth: [again.login, again.password] });
    assert.equal(now.status, 200);
    accounts[1] = again;
});

test('verification session state is reported as the client expects', async () => {
    const e164 = randomE164(BLOCK);
    const svc = await verifiedSession(net, e164);
    const st = svc.sessionState;
    assert.equal(st.verified, true);
    assert.equal(typeof st.allowedToRequestCode, 'boolean');
    for (const k of ['nextSmsSecs', 'nextCallSecs', 'nextVerificationAttemptSecs']) {
        if (st[k] !== undefined) assert.ok(Number.isInteger(st[k]) && st[k] >= 0, `${k}=${st[k]}`);
    }
});
