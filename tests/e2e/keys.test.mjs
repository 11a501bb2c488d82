// Pre-keys end to end: uploads over the authenticated chat socket and over REST, bundles
// fetched with libsignal's UnauthKeysService and over REST, sessions built from them with
// processPreKeyBundle and proven by decrypting with the uploader's private keys; one-time key
// consumption, Kyber last-resort fallback, signature checks, and authentication failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Aci, Pni, ErrorCode, PublicKey } from '@signalapp/libsignal-client';
import { makeNet, recordingListener, chatRequest, assertChatReachable } from './lib/net.mjs';
import { registerAccount } from './lib/account.mjs';
import { IdentityKeys, setKeysBody, b64 } from './lib/keys.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { bundleFromJson, roundTrip, freshSender } from './lib/session.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 2;
let net, alice, bob, bobChat, unauth;

const ok2xx = (r, what) => assert.ok(r.status === 200 || r.status === 204,
    `${what}: expected 200/204, got ${r.status} ${r.text}`);

async function counts(acc, identity) {
    const r = await rest(`/v2/keys?identity=${identity}`, { auth: [acc.login, acc.password] });
    assert.equal(r.status, 200, `GET /v2/keys: ${r.text}`);
    assert.ok(Number.isInteger(r.json.count) && Number.isInteger(r.json.pqCount), r.text);
    return { count: r.json.count, pqCount: r.json.pqCount };
}

/** Fetches bob's bundle for one identity through libsignal with his access key. */
async function fetchBundle(kind) {
    // Unidentified access is for ACIs only (OptionalAccess.verify): PNI keys are fetched
    // authenticated, as clients do.
    if (kind === 'pni') {
        const r = await rest(`/v2/keys/PNI:${bob.pni}/*`, { auth: [alice.login, alice.password] });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.identityKey, b64(bob.pniKeys.publicKey.serialize()), 'identity key must be the registered one');
        assert.equal(r.json.devices.length, 1, 'one device, one bundle');
        const bundle = bundleFromJson(r.json, r.json.devices[0]);
        assert.equal(bundle.registrationId(), bob.pniKeys.registrationId, 'registration id of that identity');
        return bundle;
    }
    const anon = await unauth.getPreKeys({ target: Pni.fromUuid(bob.pni), device: 'all', auth: { accessKey: bob.unidentifiedAccessKey } })
        .then(() => 'ok', (e) => e.code);
    assert.equal(anon, ErrorCode.RequestUnauthorized, 'an access key does not open PNI keys');
    const target = Aci.fromUuid(bob.aci);
    const r = await unauth.getPreKeys({ target, device: 'all', auth: { accessKey: bob.unidentifiedAccessKey } });
    const keys = kind === 'pni' ? bob.pniKeys : bob.aciKeys;
    assert.ok(r.identityKey.equals(keys.publicKey), 'identity key must be the registered one');
    assert.equal(r.preKeyBundles.length, 1, 'one device, one bundle');
    const bundle = r.preKeyBundles[0];
    assert.equal(bundle.deviceId(), 1);
    assert.equal(bundle.registrationId(), keys.registrationId, 'registration id of that identity');
    return bundle;
}

before(async () => {
    net = makeNet();
    await assertChatReachable(net);
    alice = await registerAccount(net, { block: BLOCK });
    bob = await registerAccount(net, { block: BLOCK });
    bobChat = await net.connectAuthenticatedChat(bob.login, bob.password, false, recordingListener());
    unauth = await net.connectUnauthenticatedChat(recordingListener());
});

after(async () => {
    await bobChat?.disconnect();
    await unauth?.disconnect();
    await closeRest();
    await collectNative();
});

test('a new account has no one-time keys but a usable bundle', async () => {
    assert.deepEqual(await counts(bob, 'aci'), { count: 0, pqCount: 0 });
    assert.deepEqual(await counts(bob, 'pni'), { count: 0, pqCount: 0 });
    const bundle = await fetchBundle('aci');
    assert.equal(bundle.preKeyId(), null, 'no one-time EC key was uploaded');
    assert.equal(bundle.signedPreKeyId(), bob.aciKeys.signedPreKey.id());
    assert.equal(bundle.kyberPreKeyId(), bob.aciKeys.lastResortKey.id(), 'last resort Kyber key');
    await roundTrip(bundle, bob.aciKeys, bob.aci, freshSender(alice.aciKeys), alice.aci);
});

test('upload one-time EC + Kyber keys over the authenticated chat socket', async () => {
    const preKeys = [bob.aciKeys.newPreKey(), bob.aciKeys.newPreKey(), bob.aciKeys.newPreKey()];
    const pqPreKeys = [bob.aciKeys.newKyberPreKey(), bob.aciKeys.newKyberPreKey()];
    const r = await chatRequest(bobChat, 'PUT', '/v2/keys?identity=aci', { json: setKeysBody({ preKeys, pqPreKeys }) });
    ok2xx(r, 'PUT /v2/keys over chat');
    const c = await chatRequest(bobChat, 'GET', '/v2/keys?identity=aci');
    assert.equal(c.status, 200, c.text);
    assert.equal(c.header('content-type'), 'application/json', 'libsignal needs exactly application/json');
    assert.equal(c.json.count, 3);
    assert.equal(c.json.pqCount, 2);
    // The PNI identity's keys are separate.
    assert.deepEqual(await counts(bob, 'pni'), { count: 0, pqCount: 0 });
});

test('bundle from libsignal getPreKeys builds a working session (ACI)', async () => {
    const bundle = await fetchBundle('aci');
    assert.notEqual(bundle.preKeyId(), null, 'a one-time EC key must be handed out');
    const msg = await roundTrip(bundle, bob.aciKeys, bob.aci, freshSender(alice.aciKeys), alice.aci);
    assert.equal(msg.preKeyId(), bundle.preKeyId());
    assert.deepEqual(await counts(bob, 'aci'), { count: 2, pqCount: 1 }, 'one of each consumed');
});

test('upload PNI keys over REST and build a PNI session', async () => {
    const preKeys = [bob.pniKeys.newPreKey(), bob.pniKeys.newPreKey()];
    const pqPreKeys = [bob.pniKeys.newKyberPreKey()];
    const r = await rest('/v2/keys?identity=pni', {
        method: 'PUT', auth: [bob.login, bob.password], json: setKeysBody({ preKeys, pqPreKeys }),
    });
    ok2xx(r, 'PUT /v2/keys?identity=pni');
    assert.deepEqual(await counts(bob, 'pni'), { count: 2, pqCount: 1 });
    const bundle = await fetchBundle('pni');
    assert.ok(preKeys.some((k) => k.id() === bundle.preKeyId()), 'EC key must be one of the PNI uploads');
    assert.equal(bundle.kyberPreKeyId(), pqPreKeys[0].id());
    await roundTrip(bundle, bob.pniKeys, `PNI:${bob.pni}`, freshSender(alice.aciKeys), alice.aci);
});

test('one-time keys are handed out exactly once; Kyber falls back to last resort', async () => {
    const keys = bob.aciKeys;
    const preKeys = [keys.newPreKey(), keys.newPreKey(), keys.newPreKey()];
    const pqPreKeys = [keys.newKyberPreKey(), keys.newKyberPreKey()];
    // A non-empty list replaces everything stored of that kind.
    const up = await rest('/v2/keys?identity=aci', {
        method: 'PUT', auth: [bob.login, bob.password], json: setKeysBody({ preKeys, pqPreKeys }),
    });
    ok2xx(up, 'PUT /v2/keys');
    assert.deepEqual(await counts(bob, 'aci'), { count: 3, pqCount: 2 }, 'upload replaces old keys');
    const ec = [], kem = [];
    for (let i = 0; i < 4; i++) {
        const bundle = await fetchBundle('aci');
        ec.push(bundle.preKeyId());
        kem.push(bundle.kyberPreKeyId());
        // Every bundle must work, including the one without a one-time EC key. A key handed
        // out twice would fail here, since bob's store drops a one-time key once used.
        await roundTrip(bundle, keys, bob.aci, freshSender(alice.aciKeys), alice.aci);
    }
    const ecIds = preKeys.map((k) => k.id()).sort();
    assert.deepEqual(ec.slice(0, 3).sort(), ecIds, `EC keys must each be handed out once: ${ec}`);
    assert.equal(ec[3], null, 'no EC one-time key once they ran out');
    const kemIds = pqPreKeys.map((k) => k.id()).sort();
    assert.deepEqual(kem.slice(0, 2).sort(), kemIds, `Kyber keys must each be handed out once: ${kem}`);
    assert.equal(kem[2], keys.lastResortKey.id(), 'then the last-resort Kyber key');
    assert.equal(kem[3], keys.lastResortKey.id(), 'last-resort key is reusable');
    assert.deepEqual(await counts(bob, 'aci'), { count: 0, pqCount: 0 });
});

test('authenticated REST fetch returns the documented JSON and builds a session', async () => {
    const keys = bob.aciKeys;
    const pre = keys.newPreKey();
    const up = await rest('/v2/keys?identity=aci', {
        method: 'PUT', auth: [bob.login, bob.password], json: setKeysBody({ preKeys: [pre] }),
    });
    ok2xx(up, 'PUT /v2/keys');
    const r = await rest(`/v2/keys/${bob.aci}/1`, { auth: [alice.login, alice.password] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.json.identityKey, b64(keys.publicKey.serialize()));
    assert.equal(r.json.devices.length, 1);
    const d = r.json.devices[0];
    assert.equal(d.deviceId, 1);
    assert.equal(d.registrationId, keys.registrationId);
    assert.deepEqual(d.preKey, { keyId: pre.id(), publicKey: b64(pre.publicKey().serialize()) });
    assert.equal(d.signedPreKey.keyId, keys.signedPreKey.id());
    const idk = PublicKey.deserialize(new Uint8Array(Buffer.from(r.json.identityKey, 'base64')));
    for (const k of [d.signedPreKey, d.pqPreKey]) {
        assert.ok(idk.verify(new Uint8Array(Buffer.from(k.publicKey, 'base64')),
            new Uint8Array(Buffer.from(k.signature, 'base64'))), `signature of key ${k.keyId} must verify`);
    }
    assert.equal(d.pqPreKey.keyId, keys.lastResortKey.id());
    await roundTrip(bundleFromJson(r.json, d), keys, bob.aci, freshSender(alice.aciKeys), alice.aci);
});

test('rotating the signed prekey and last-resort key shows in the next bundle', async () => {
    const keys = bob.aciKeys;
    const spk = keys.newSignedPreKey();
    const lr = keys.newKyberPreKey();
    const r = await chatRequest(bobChat, 'PUT', '/v2/keys?identity=aci',
        { json: setKeysBody({ signedPreKey: spk, pqLastResortPreKey: lr }) });
    ok2xx(r, 'PUT /v2/keys signed + last resort');
    keys.signedPreKey = spk;
    keys.lastResortKey = lr;
    const bundle = await fetchBundle('aci');
    assert.equal(bundle.signedPreKeyId(), spk.id());
    assert.equal(bundle.kyberPreKeyId(), lr.id());
    await roundTrip(bundle, keys, bob.aci, freshSender(alice.aciKeys), alice.aci);
});

test('uploads with a bad signature are refused with 422 and change nothing', async () => {
    const keys = bob.aciKeys;
    const before = await counts(bob, 'aci');
    const badKyber = setKeysBody({ preKeys: [keys.newPreKey()], pqPreKeys: [keys.newKyberPreKey()] });
    const sig = Buffer.from(badKyber.pqPreKeys[0].signature, 'base64');
    sig[5] ^= 0x40;
    badKyber.pqPreKeys[0].signature = sig.toString('base64');
    const r1 = await rest('/v2/keys?identity=aci', { method: 'PUT', auth: [bob.login, bob.password], json: badKyber });
    assert.equal(r1.status, 422, `bad Kyber signature over REST: ${r1.status} ${r1.text}`);
    // Signed by the wrong identity (the PNI identity key signs an ACI signed prekey).
    const foreign = new IdentityKeys();
    const wrongSigner = setKeysBody({ signedPreKey: foreign.signedPreKey });
    const r2 = await chatRequest(bobChat, 'PUT', '/v2/keys?identity=aci', { json: wrongSigner });
    assert.equal(r2.status, 422, `signed prekey of a foreign identity over chat: ${r2.status} ${r2.text}`);
    const r3 = await rest('/v2/keys?identity=pni', {
        method: 'PUT', auth: [bob.login, bob.password],
        json: setKeysBody({ pqLastResortPreKey: bob.aciKeys.newKyberPreKey() }),
    });
    assert.equal(r3.status, 422, `ACI-signed last resort uploaded for PNI: ${r3.status} ${r3.text}`);
    assert.deepEqual(await counts(bob, 'aci'), before, 'a refused upload must not store anything');
    const bundle = await fetchBundle('aci');
    assert.equal(bundle.signedPreKeyId(), keys.signedPreKey.id(), 'signed prekey unchanged');
});

test('wrong password is refused with 401', async () => {
    const r1 = await rest('/v2/keys?identity=aci', { auth: [bob.login, bob.password + 'x'] });
    assert.equal(r1.status, 401, `GET /v2/keys with a wrong password: ${r1.status}`);
    const r2 = await rest('/v2/keys?identity=aci', {
        method: 'PUT', auth: [bob.login, 'not-the-password'],
        json: setKeysBody({ preKeys: [bob.aciKeys.newPreKey()] }),
    });
    assert.equal(r2.status, 401, `PUT /v2/keys with a wrong password: ${r2.status}`);
    const r3 = await rest('/v2/keys?identity=aci', { auth: [randomUUID(), bob.password] });
    assert.equal(r3.status, 401, `unknown account: ${r3.status}`);
    const r4 = await rest('/v2/keys?identity=aci');
    assert.equal(r4.status, 401, `no credentials: ${r4.status}`);
    await assert.rejects(net.connectAuthenticatedChat(bob.login, 'wrong', false, recordingListener()));
});

test('unauthenticated bundle fetch needs the right access key', async () => {
    await assert.rejects(
        unauth.getPreKeys({ target: Aci.fromUuid(bob.aci), device: 'all', auth: { accessKey: new Uint8Array(16).fill(0x5a) } }),
        (e) => { assert.equal(e.code, ErrorCode.RequestUnauthorized, `got ${e.code} ${e.message}`); return true; });
    await assert.rejects(
        unauth.getPreKeys({ target: Aci.fromUuid(randomUUID()), device: 'all', auth: { accessKey: bob.unidentifiedAccessKey } }),
        (e) => {
            assert.ok([ErrorCode.RequestUnauthorized, ErrorCode.ServiceIdNotFound].includes(e.code), `got ${e.code} ${e.message}`);
            return true;
        });
    const r = await rest(`/v2/keys/${bob.aci}/*`);
    assert.equal(r.status, 401, `no auth and no access key: ${r.status} ${r.text}`);
    const r2 = await rest(`/v2/keys/${bob.aci}/*`, { headers: { 'unidentified-access-key': b64(bob.unidentifiedAccessKey) } });
    assert.equal(r2.status, 200, `REST with the access key: ${r2.status} ${r2.text}`);
});
