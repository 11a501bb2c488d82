// Server cryptography as libsignal's client code sees it, over plain HTTPS REST:
//   GET  /v1/certificate/delivery     SenderCertificate.validate against HELIOGRAPH_TRUST_ROOT,
//                                     then a sealed-sender encrypt/decrypt with that certificate
//   GET  /v1/certificate/auth/group   AuthCredentialWithPni (ClientZkAuthOperations with
//                                     HELIOGRAPH_ZK_PUBLIC_PARAMS) and CallLinkAuthCredential
//                                     (HELIOGRAPH_CALLING_PUBLIC_PARAMS) for every day; the
//                                     redemption-window rules (400)
//   POST /v1/call-link/create-auth    CreateCallLinkCredentialRequestContext.receive
// When the stack's secrets file is readable (HELIOGRAPH_CONF → include), the credentials are
// also presented and the presentations verified with libsignal's own server-side code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
    PublicKey, SenderCertificate, ProtocolAddress, processPreKeyBundle,
    sealedSenderEncryptMessage, sealedSenderDecryptMessage,
} from '@signalapp/libsignal-client';
import { Aci, Pni } from '@signalapp/libsignal-client';
import {
    ServerPublicParams, ServerSecretParams, GenericServerPublicParams, GenericServerSecretParams,
    ClientZkAuthOperations, ServerZkAuthOperations, AuthCredentialWithPniResponse,
    GroupSecretParams, CallLinkAuthCredentialResponse, CallLinkSecretParams,
    CreateCallLinkCredentialRequestContext, CreateCallLinkCredentialResponse,
} from '@signalapp/libsignal-client/zkgroup.js';
import { loadEnv } from './lib/env.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { registerRest } from './lib/restreg.mjs';
import { bundleFromJson } from './lib/session.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 5;
const DAY = 86400;
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));
const decodeKey = (s) => new Uint8Array(/^[0-9a-f]+$/i.test(s) && s.length % 2 === 0
    ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64'));

let alice, bob;
let trustRoot, zkPublic, callingPublic;
let secrets = null; // {zk, calling} ServerSecretParams / GenericServerSecretParams, if readable

/** The values of the stack's config file and its includes (secrets.conf), or null. */
function readConfValues(file, depth = 0) {
    if (!file || depth > 4 || !fs.existsSync(file)) return null;
    const out = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^\s*(\S+)\s+(.*?)\s*$/.exec(line);
        if (!m || m[1].startsWith('#')) continue;
        if (m[1] === 'include') {
            const p = path.isAbsolute(m[2]) ? m[2] : path.resolve(path.dirname(file), m[2]);
            Object.assign(out, readConfValues(p, depth + 1) ?? {});
        } else {
            out[m[1]] = m[2];
        }
    }
    return out;
}

function today() {
    const now = Math.floor(Date.now() / 1000);
    return now - (now % DAY);
}

const authGroup = (who, start, end) => rest(
    `/v1/certificate/auth/group?redemptionStartSeconds=${start}&redemptionEndSeconds=${end}`,
    { auth: [who.login, who.password] });

before(async () => {
    const env = loadEnv();
    for (const k of ['HELIOGRAPH_TRUST_ROOT', 'HELIOGRAPH_ZK_PUBLIC_PARAMS', 'HELIOGRAPH_CALLING_PUBLIC_PARAMS']) {
        const v = process.env[k] ?? env.raw[k];
        assert.ok(v, `${k} missing in ${env.envPath} (tests/stack/start.sh copies heliograph-admin's output)`);
    }
    const get = (k) => process.env[k] ?? env.raw[k];
    trustRoot = PublicKey.deserialize(decodeKey(get('HELIOGRAPH_TRUST_ROOT')));
    zkPublic = new ServerPublicParams(unb64(get('HELIOGRAPH_ZK_PUBLIC_PARAMS')));
    callingPublic = new GenericServerPublicParams(unb64(get('HELIOGRAPH_CALLING_PUBLIC_PARAMS')));
    const conf = readConfValues(get('HELIOGRAPH_CONF'));
    if (conf?.zk_secret_params && conf?.generic_calling_params) {
        secrets = {
            zk: new ServerSecretParams(unb64(conf.zk_secret_params)),
            calling: new GenericServerSecretParams(unb64(conf.generic_calling_params)),
        };
    }
    if (!secrets) console.log('# secrets file not readable: presentations are not verified');
    alice = await registerRest(BLOCK);
    bob = await registerRest(BLOCK);
});
after(async () => { await closeRest(); await collectNative(); });

test('delivery certificate: libsignal validates it against the trust root', async () => {
    const t0 = Date.now();
    const r = await rest('/v1/certificate/delivery', { auth: [alice.login, alice.password] });
    assert.equal(r.status, 200, `${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(r.json), ['certificate']);
    const cert = SenderCertificate.deserialize(unb64(r.json.certificate));
    assert.equal(cert.validate(trustRoot, Date.now()), true, 'must chain to HELIOGRAPH_TRUST_ROOT');
    assert.equal(cert.senderUuid(), alice.aci);
    assert.equal(cert.senderAci()?.getServiceIdString(), alice.aci);
    assert.equal(cert.senderE164(), alice.e164, 'includeE164 defaults to true');
    assert.equal(cert.senderDeviceId(), 1);
    assert.ok(cert.key().equals(alice.keys.aci.publicKey), 'carries the ACI identity key');
    // expires = now + 7 days (cert_expires_days default, Signal-Server's sample value)
    const week = 7 * DAY * 1000;
    assert.ok(cert.expiration() >= t0 + week && cert.expiration() <= Date.now() + week,
        `expiration ${cert.expiration()} not now + 7 days`);
    assert.equal(cert.validate(trustRoot, cert.expiration()), true, 'valid up to the instant');
    assert.equal(cert.validate(trustRoot, cert.expiration() + 1), false, 'expired after it');
    const other = PublicKey.deserialize(unb64(Buffer.concat([Buffer.from([5]), randomBytes(32)]).toString('base64')));
    assert.equal(cert.validate(other, Date.now()), false, 'another trust root must not accept it');
});

test('delivery certificate: includeE164=false omits the number', async () => {
    const r = await rest('/v1/certificate/delivery?includeE164=false', { auth: [alice.login, alice.password] });
    assert.equal(r.status, 200, `${r.status} ${r.text}`);
    const cert = SenderCertificate.deserialize(unb64(r.json.certificate));
    assert.equal(cert.validate(trustRoot, Date.now()), true);
    assert.equal(cert.senderE164(), null);
    const anon = await rest('/v1/certificate/delivery');
    assert.equal(anon.status, 401);
});

test('delivery certificate: sealed sender encrypt → decrypt with libsignal', async () => {
    const c = await rest('/v1/certificate/delivery?includeE164=false', { auth: [alice.login, alice.password] });
    assert.equal(c.status, 200);
    const cert = SenderCertificate.deserialize(unb64(c.json.certificate));
    const k = await rest(`/v2/keys/${bob.aci}/1`, { auth: [alice.login, alice.password] });
    assert.equal(k.status, 200, `GET /v2/keys: ${k.status} ${k.text}`);
    const bundle = bundleFromJson(k.json, k.json.devices[0]);
    const aliceAddr = ProtocolAddress.new(alice.aci, 1);
    const bobAddr = ProtocolAddress.new(bob.aci, 1);
    const a = alice.keys.aci.stores;
    await processPreKeyBundle(bundle, bobAddr, aliceAddr, a.session, a.identity);
    const text = `sealed ${Date.now()}`;
    const sealed = await sealedSenderEncryptMessage(new TextEncoder().encode(text), bobAddr, cert,
        a.session, a.identity);
    const b = bob.keys.aci.stores;
    const out = await sealedSenderDecryptMessage(sealed, trustRoot, Date.now(), null, bob.aci, 1,
        b.session, b.identity, b.preKey, b.signedPreKey, b.kyberPreKey);
    assert.equal(new TextDecoder().decode(out.message()), text);
    assert.equal(out.senderUuid(), alice.aci);
    assert.equal(out.deviceId(), 1);
});

test('group auth: AuthCredentialWithPni and CallLinkAuthCredential accepted by libsignal', async () => {
    const start = today();
    const end = start + 7 * DAY;
    const r = await authGroup(alice, start, end);
    assert.equal(r.status, 200, `${r.status} ${r.text}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['callLinkAuthCredentials', 'credentials', 'pni']);
    assert.equal(r.json.pni, alice.pni);
    assert.equal(r.json.credentials.length, 8, 'one per day, inclusive');
    assert.equal(r.json.callLinkAuthCredentials.length, 8);
    const aci = Aci.fromUuid(alice.aci);
    const pni = Pni.fromUuid(alice.pni);
    const client = new ClientZkAuthOperations(zkPublic);
    const groupParams = GroupSecretParams.generate();
    const callLinkParams = CallLinkSecretParams.deriveFromRootKey(new Uint8Array(randomBytes(16)));
    for (let i = 0; i < 8; i++) {
        const { credential, redemptionTime } = r.json.credentials[i];
        assert.equal(redemptionTime, start + i * DAY);
        const resp = new AuthCredentialWithPniResponse(unb64(credential));
        const cred = client.receiveAuthCredentialWithPniAsServiceId(aci, pni, redemptionTime, resp);
        // the same response for the wrong day or the wrong identity is refused
        assert.throws(() => client.receiveAuthCredentialWithPniAsServiceId(aci, pni, redemptionTime + DAY, resp));
        assert.throws(() => client.receiveAuthCredentialWithPniAsServiceId(Aci.fromUuid(bob.aci), pni, redemptionTime, resp));

        const link = r.json.callLinkAuthCredentials[i];
        assert.equal(link.redemptionTime, start + i * DAY);
        const linkResp = new CallLinkAuthCredentialResponse(unb64(link.credential));
        const linkCred = linkResp.receive(aci, link.redemptionTime, callingPublic);
        assert.throws(() => linkResp.receive(Aci.fromUuid(bob.aci), link.redemptionTime, callingPublic));

        if (secrets && i === 0) {
            // close the loop with libsignal's server side: present and verify
            const pres = client.createAuthCredentialWithPniPresentation(groupParams, cred);
            new ServerZkAuthOperations(secrets.zk).verifyAuthCredentialPresentation(
                groupParams.getPublicParams(), pres, new Date(redemptionTime * 1000));
            const lp = linkCred.present(aci, link.redemptionTime, callingPublic, callLinkParams);
            lp.verify(secrets.calling, callLinkParams.getPublicParams(), new Date(link.redemptionTime * 1000));
        }
    }
});

test('group auth: redemption windows outside the rules are 400', async () => {
    const d = today();
    const cases = [
        [d + DAY, d, 400, 'start after end'],
        [d + 1, d + DAY, 400, 'start not day-aligned'],
        [d, d + DAY + 60, 400, 'end not day-aligned'],
        [d - 2 * DAY, d, 400, 'start before yesterday'],
        [d + 2 * DAY, d + 9 * DAY, 400, 'end after today + 8 days'],
        [d - DAY, d + 7 * DAY, 400, 'more than 7 days'],
        [d - DAY, d - DAY, 200, 'yesterday alone'],
        [d + DAY, d + 8 * DAY, 200, 'latest allowed end'],
    ];
    for (const [start, end, status, what] of cases) {
        const r = await authGroup(alice, start, end);
        assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
        if (status === 200) assert.equal(r.json.credentials.length, (end - start) / DAY + 1);
    }
    const none = await rest('/v1/certificate/auth/group', { auth: [alice.login, alice.password] });
    assert.equal(none.status, 400, 'absent parameters are 0: too far in the past');
});

test('call link: create-auth credential accepted by CreateCallLinkCredentialRequestContext', async () => {
    const roomId = new Uint8Array(randomBytes(32));
    const ctx = CreateCallLinkCredentialRequestContext.forRoomId(roomId);
    const request = ctx.getRequest();
    const r = await rest('/v1/call-link/create-auth', {
        method: 'POST', auth: [alice.login, alice.password],
        json: { createCallLinkCredentialRequest: Buffer.from(request.serialize()).toString('base64') },
    });
    assert.equal(r.status, 200, `${r.status} ${r.text}`);
    assert.deepEqual(Object.keys(r.json).sort(), ['credential', 'redemptionTime']);
    assert.equal(r.json.redemptionTime, today());
    const resp = new CreateCallLinkCredentialResponse(unb64(r.json.credential));
    const aci = Aci.fromUuid(alice.aci);
    const cred = ctx.receive(resp, aci, callingPublic);
    assert.throws(() => ctx.receive(resp, Aci.fromUuid(bob.aci), callingPublic), 'bound to the caller');
    if (secrets) {
        const callLinkParams = CallLinkSecretParams.deriveFromRootKey(new Uint8Array(randomBytes(16)));
        const pres = cred.present(roomId, aci, callingPublic, callLinkParams);
        pres.verify(roomId, secrets.calling, callLinkParams.getPublicParams());
        assert.throws(() => pres.verify(new Uint8Array(randomBytes(32)), secrets.calling,
            callLinkParams.getPublicParams()), 'bound to the room id');
    }
    const bad = await rest('/v1/call-link/create-auth', {
        method: 'POST', auth: [alice.login, alice.password],
        json: { createCallLinkCredentialRequest: Buffer.from(randomBytes(96)).toString('base64') },
    });
    assert.equal(bad.status, 400, 'a request that does not parse');
    const missing = await rest('/v1/call-link/create-auth', { method: 'POST', auth: [alice.login, alice.password], json: {} });
    assert.equal(missing.status, 422);
    const anon = await rest('/v1/call-link/create-auth', { method: 'POST', json: {} });
    assert.equal(anon.status, 401);
});
