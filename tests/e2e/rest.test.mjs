// The same flows over plain HTTPS REST (no libsignal networking): verification session,
// registration, account endpoints, keys, and how the server answers bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadEnv } from './lib/env.mjs';
import { rest, closeRest, basic } from './lib/rest.mjs';
import { IdentityKeys, setKeysBody, signedKeyJson, randomE164, b64 } from './lib/keys.mjs';
import { DEV_CAPTCHA, CAPABILITIES, newPassword } from './lib/account.mjs';
import { registrationBody, newKeys } from './lib/restreg.mjs';
import { makeNet, recordingListener, chatRequest } from './lib/net.mjs';
import { bundleFromJson, roundTrip, freshSender } from './lib/session.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 3;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SESSION_KEYS = ['id', 'nextSms', 'nextCall', 'nextVerificationAttempt',
    'allowedToRequestCode', 'requestedInformation', 'verified'];

const ok2xx = (r, what) => assert.ok(r.status === 200 || r.status === 204,
    `${what}: expected 200/204, got ${r.status} ${r.text}`);

/** A JSON error answer: 400 or 422 with a JSON object body. */
function assertJsonClientError(r, what) {
    assert.ok(r.status === 400 || r.status === 422, `${what}: expected 400/422, got ${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/, `${what}: error body must be JSON`);
    assert.equal(typeof r.json, 'object', `${what}: error body must parse as a JSON object: ${r.text}`);
}

function assertSession(r, what) {
    assert.equal(r.status, 200, `${what}: ${r.status} ${r.text}`);
    assert.equal(r.headers.get('content-type'), 'application/json', `${what}: content-type`);
    for (const k of SESSION_KEYS) assert.ok(k in r.json, `${what}: session JSON lacks ${k}: ${r.text}`);
    assert.equal(typeof r.json.id, 'string');
    assert.match(r.json.id, /^[A-Za-z0-9_-]+={0,2}$/, 'session id is base64url');
    assert.equal(typeof r.json.verified, 'boolean');
    assert.equal(typeof r.json.allowedToRequestCode, 'boolean');
    assert.ok(Array.isArray(r.json.requestedInformation));
    for (const k of ['nextSms', 'nextCall', 'nextVerificationAttempt']) {
        const v = r.json[k];
        assert.ok(v === null || (Number.isInteger(v) && v >= 0), `${what}: ${k}=${v}`);
    }
    return r.json;
}

/** Creates and verifies a session over REST; returns the session id. */
async function restVerifiedSession(e164) {
    const env = loadEnv();
    let s = assertSession(await rest('/v1/verification/session', { method: 'POST', json: { number: e164 } }), 'create');
    const id = s.id;
    if (!s.allowedToRequestCode) {
        s = assertSession(await rest(`/v1/verification/session/${id}`, { method: 'PATCH', json: { captcha: DEV_CAPTCHA } }), 'captcha');
    }
    assert.equal(s.allowedToRequestCode, true);
    assertSession(await rest(`/v1/verification/session/${id}/code`, { method: 'POST', json: { transport: 'sms', client: 'heliograph-e2e' } }), 'code request');
    s = assertSession(await rest(`/v1/verification/session/${id}/code`, { method: 'PUT', json: { code: env.verificationCode } }), 'code submit');
    assert.equal(s.verified, true);
    return id;
}

let carol; // registered over REST: {e164, aci, pni, password, keys}
let dave;

async function restRegister() {
    const e164 = randomE164(BLOCK);
    const sessionId = await restVerifiedSession(e164);
    const keys = newKeys();
    const password = newPassword();
    const r = await rest('/v1/registration', { method: 'POST', auth: [e164, password], json: registrationBody(sessionId, keys) });
    assert.equal(r.status, 200, `POST /v1/registration: ${r.status} ${r.text}`);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.match(r.json.uuid, UUID_RE);
    assert.match(r.json.pni, UUID_RE);
    assert.equal(r.json.number, e164);
    assert.equal(typeof r.json.storageCapable, 'boolean');
    assert.equal(typeof r.json.reregistration, 'boolean');
    return { e164, aci: r.json.uuid, pni: r.json.pni, password, keys, login: `${r.json.uuid}.1` };
}

before(() => loadEnv());
after(async () => { await closeRest(); await collectNative(); });

test('verification session: create, get, patch captcha, request code, submit code', async () => {
    const e164 = randomE164(BLOCK);
    const created = assertSession(await rest('/v1/verification/session', { method: 'POST', json: { number: e164 } }), 'create');
    assert.equal(created.verified, false);
    const id = created.id;
    const got = assertSession(await rest(`/v1/verification/session/${id}`), 'get');
    assert.equal(got.id, id);
    assert.deepEqual(got, created, 'GET must return the stored state unchanged');
    if (created.requestedInformation.includes('captcha')) {
        const early = await rest(`/v1/verification/session/${id}/code`, { method: 'POST', json: { transport: 'sms', client: 'e2e' } });
        assert.ok(early.status === 409 || early.status === 429,
            `code request while captcha is still requested must be refused, got ${early.status}`);
    }
    const patched = assertSession(await rest(`/v1/verification/session/${id}`, { method: 'PATCH', json: { captcha: DEV_CAPTCHA } }), 'patch');
    assert.equal(patched.allowedToRequestCode, true);
    assert.deepEqual(patched.requestedInformation, []);
    const sent = assertSession(await rest(`/v1/verification/session/${id}/code`, { method: 'POST', json: { transport: 'sms', client: 'e2e' }, headers: { 'accept-language': 'en-US' } }), 'request code');
    assert.equal(sent.verified, false);
    const env = loadEnv();
    const wrong = env.verificationCode === '000000' ? '111111' : '000000';
    const bad = assertSession(await rest(`/v1/verification/session/${id}/code`, { method: 'PUT', json: { code: wrong } }), 'wrong code');
    assert.equal(bad.verified, false, 'a wrong code must not verify');
    // A client waits nextVerificationAttempt seconds before it tries again.
    if (bad.nextVerificationAttempt) {
        assert.ok(bad.nextVerificationAttempt <= 10, `backoff after one wrong code: ${bad.nextVerificationAttempt}s`);
        await new Promise((r) => setTimeout(r, bad.nextVerificationAttempt * 1000 + 100));
    }
    const good = assertSession(await rest(`/v1/verification/session/${id}/code`, { method: 'PUT', json: { code: env.verificationCode } }), 'right code');
    assert.equal(good.verified, true);
    assert.equal(assertSession(await rest(`/v1/verification/session/${id}`), 'get after').verified, true);
    const again = await rest(`/v1/verification/session/${id}/code`, { method: 'POST', json: { transport: 'sms', client: 'e2e' } });
    assert.equal(again.status, 409, `requesting a code on a verified session: ${again.status}`);
});

test('verification session: unknown, malformed and invalid input', async () => {
    const unknown = await rest(`/v1/verification/session/${randomBytes(16).toString('base64url')}==`);
    assert.equal(unknown.status, 404, `unknown session: ${unknown.status}`);
    const badId = await rest('/v1/verification/session/%21%21not*base64');
    assert.ok(badId.status === 400 || badId.status === 422 || badId.status === 404, `malformed session id: ${badId.status}`);
    assertJsonClientError(await rest('/v1/verification/session', { method: 'POST', body: '{"number": ', headers: { 'content-type': 'application/json' } }), 'truncated JSON');
    assertJsonClientError(await rest('/v1/verification/session', { method: 'POST', json: { number: 'not a number' } }), 'bad number');
    assertJsonClientError(await rest('/v1/verification/session', { method: 'POST', json: {} }), 'missing number');
    const s = assertSession(await rest('/v1/verification/session', { method: 'POST', json: { number: randomE164(BLOCK) } }), 'create');
    const tr = await rest(`/v1/verification/session/${s.id}/code`, { method: 'POST', json: { transport: 'pigeon', client: 'e2e' } });
    assert.ok(tr.status === 400 || tr.status === 422, `unknown transport: ${tr.status}`);
    const cap = await rest(`/v1/verification/session/${s.id}`, { method: 'PATCH', json: { captcha: 'not-a-valid-captcha' } });
    assert.equal(cap.status, 403, `invalid captcha must be 403 (libsignal: RegistrationRequestRejected), got ${cap.status}`);
});

test('POST /v1/registration over REST creates an account', async () => {
    carol = await restRegister();
    dave = await restRegister();
    assert.notEqual(carol.aci, dave.aci);
});

test('registration is refused for unverified sessions, wrong numbers and bad signatures', async () => {
    const e164 = randomE164(BLOCK);
    const s = assertSession(await rest('/v1/verification/session', { method: 'POST', json: { number: e164 } }), 'create');
    const keys = newKeys();
    const unverified = await rest('/v1/registration', { method: 'POST', auth: [e164, newPassword()], json: registrationBody(s.id, keys) });
    assert.equal(unverified.status, 401, `unverified session: ${unverified.status} ${unverified.text}`);
    const e164b = randomE164(BLOCK);
    const sid = await restVerifiedSession(e164b);
    const other = await rest('/v1/registration', { method: 'POST', auth: [randomE164(BLOCK), newPassword()], json: registrationBody(sid, keys) });
    assert.equal(other.status, 400, `session of another number: ${other.status} ${other.text}`);
    const body = registrationBody(sid, keys);
    body.pniSignedPreKey = signedKeyJson(new IdentityKeys().signedPreKey); // signed by a foreign key
    const badSig = await rest('/v1/registration', { method: 'POST', auth: [e164b, newPassword()], json: body });
    assert.equal(badSig.status, 422, `bad signature: ${badSig.status} ${badSig.text}`);
    // The verified session is still usable after the refusals.
    const good = await rest('/v1/registration', { method: 'POST', auth: [e164b, newPassword()], json: registrationBody(sid, keys) });
    assert.equal(good.status, 200, `valid registration after refusals: ${good.status} ${good.text}`);
});

test('whoami and account existence', async () => {
    assert.ok(carol, 'registration test must have run');
    for (const login of [carol.login, carol.aci]) {
        const who = await rest('/v1/accounts/whoami', { auth: [login, carol.password] });
        assert.equal(who.status, 200, `whoami as ${login}: ${who.status} ${who.text}`);
        assert.equal(who.headers.get('content-type'), 'application/json');
        assert.equal(who.json.uuid, carol.aci);
        assert.equal(who.json.pni, carol.pni);
        assert.equal(who.json.number, carol.e164);
    }
    assert.ok(/^\d+$/.test(
        (await rest('/v1/accounts/whoami', { auth: [carol.login, carol.password] })).headers.get('x-signal-timestamp') ?? ''),
        'responses carry X-Signal-Timestamp');
    assert.equal((await rest(`/v1/accounts/account/${carol.aci}`, { method: 'HEAD' })).status, 200);
    assert.equal((await rest(`/v1/accounts/account/PNI:${carol.pni}`, { method: 'HEAD' })).status, 200);
    assert.equal((await rest(`/v1/accounts/account/${randomUUID()}`, { method: 'HEAD' })).status, 404);
    assert.equal((await rest(`/v1/accounts/account/PNI:${carol.aci}`, { method: 'HEAD' })).status, 404,
        'an ACI is not a PNI');
});

test('PUT /v1/accounts/attributes updates registration id and access key', async () => {
    const newRegId = carol.keys.aci.registrationId % 16000 + 7;
    const newUak = randomBytes(16);
    const attrs = {
        fetchesMessages: true,
        registrationId: newRegId,
        pniRegistrationId: carol.keys.pni.registrationId,
        unidentifiedAccessKey: b64(newUak),
        unrestrictedUnidentifiedAccess: false,
        capabilities: Object.fromEntries(CAPABILITIES.map((c) => [c, true])),
        discoverableByPhoneNumber: true,
    };
    const r = await rest('/v1/accounts/attributes', { method: 'PUT', auth: [carol.login, carol.password], json: attrs });
    ok2xx(r, 'PUT /v1/accounts/attributes');
    const oldKey = await rest(`/v2/keys/${carol.aci}/1`, { headers: { 'unidentified-access-key': b64(carol.keys.uak) } });
    assert.equal(oldKey.status, 401, `old access key must stop working: ${oldKey.status}`);
    const fetched = await rest(`/v2/keys/${carol.aci}/1`, { headers: { 'unidentified-access-key': b64(newUak) } });
    assert.equal(fetched.status, 200, `new access key: ${fetched.status} ${fetched.text}`);
    assert.equal(fetched.json.devices[0].registrationId, newRegId, 'bundle must carry the new registration id');
    carol.keys.uak = newUak;
    carol.keys.aci.registrationId = newRegId;
    carol.keys.aci.stores.identity.registrationId = newRegId;
    const bad = await rest('/v1/accounts/attributes', { method: 'PUT', auth: [carol.login, carol.password], json: { ...attrs, registrationId: 'seven' } });
    assertJsonClientError(bad, 'registrationId of the wrong type');
    const unauth = await rest('/v1/accounts/attributes', { method: 'PUT', auth: [carol.login, 'wrong'], json: attrs });
    assert.equal(unauth.status, 401);
});

test('keys over REST: upload, count, fetch with access key, session', async () => {
    const k = carol.keys.aci;
    const preKeys = [k.newPreKey(), k.newPreKey()];
    const pqPreKeys = [k.newKyberPreKey()];
    const up = await rest('/v2/keys', { method: 'PUT', auth: [carol.login, carol.password], json: setKeysBody({ preKeys, pqPreKeys }) });
    ok2xx(up, 'PUT /v2/keys (identity defaults to aci)');
    const c = await rest('/v2/keys', { auth: [carol.login, carol.password] });
    assert.equal(c.status, 200, c.text);
    assert.deepEqual({ count: c.json.count, pqCount: c.json.pqCount }, { count: 2, pqCount: 1 });
    const r = await rest(`/v2/keys/${carol.aci}/*`, { headers: { 'unidentified-access-key': b64(carol.keys.uak) } });
    assert.equal(r.status, 200, r.text);
    const d = r.json.devices[0];
    assert.ok(preKeys.some((p) => p.id() === d.preKey?.keyId), 'one of the uploaded EC keys');
    assert.equal(d.pqPreKey.keyId, pqPreKeys[0].id());
    await roundTrip(bundleFromJson(r.json, d), k, carol.aci, freshSender(dave.keys.aci), dave.aci);
    const missingDev = await rest(`/v2/keys/${carol.aci}/5`, { auth: [dave.login, dave.password] });
    assert.equal(missingDev.status, 404, `device that does not exist: ${missingDev.status}`);
    const missingAcc = await rest(`/v2/keys/${randomUUID()}/*`, { auth: [dave.login, dave.password] });
    assert.equal(missingAcc.status, 404, `authenticated fetch of an unknown account: ${missingAcc.status}`);
});

test('bad input to /v2/keys: malformed JSON, bad base64, bad key bytes', async () => {
    const auth = [carol.login, carol.password];
    const before = (await rest('/v2/keys', { auth })).json;
    assertJsonClientError(await rest('/v2/keys', { method: 'PUT', auth, body: '{"preKeys":[{', headers: { 'content-type': 'application/json' } }), 'malformed JSON');
    assertJsonClientError(await rest('/v2/keys', { method: 'PUT', auth, json: { preKeys: [{ keyId: 1, publicKey: '@@@not base64@@@' }] } }), 'bad base64');
    assertJsonClientError(await rest('/v2/keys', { method: 'PUT', auth, json: { preKeys: [{ keyId: 1, publicKey: b64(Buffer.alloc(33, 7)) }] } }), 'key with a bad type byte');
    assertJsonClientError(await rest('/v2/keys', { method: 'PUT', auth, json: { preKeys: 'none' } }), 'wrong JSON type');
    assertJsonClientError(await rest('/v2/keys', { method: 'PUT', auth, json: { preKeys: [{ keyId: -1, publicKey: b64(carol.keys.aci.newPreKey().publicKey().serialize()) }] } }), 'negative key id');
    const after = (await rest('/v2/keys', { auth })).json;
    assert.deepEqual(after, before, 'refused uploads must not change the stored keys');
});

test('unknown routes are 404, wrong auth is 401', async () => {
    assert.equal((await rest('/v1/definitely/not/a/route')).status, 404);
    assert.equal((await rest('/v9/keys')).status, 404);
    const wrong = await rest('/v1/accounts/whoami', { auth: [carol.login, carol.password + '!'] });
    assert.equal(wrong.status, 401);
    assert.equal((await rest('/v1/accounts/whoami')).status, 401, 'no credentials');
    assert.equal((await rest('/v1/accounts/whoami', { headers: { authorization: 'Basic !!!!' } })).status, 401, 'garbled Basic header');
    assert.equal((await rest('/v1/accounts/whoami', { headers: { authorization: basic(carol.e164, carol.password) } })).status, 401,
        'a phone number is not a login once registered');
});

test('over the unauthenticated chat socket: unknown route 404, whoami 401', async () => {
    const net = makeNet();
    const chat = await net.connectUnauthenticatedChat(recordingListener());
    try {
        const r = await chatRequest(chat, 'GET', '/v1/definitely/not/a/route');
        assert.equal(r.status, 404, `unknown route over chat: ${r.status}`);
        const w = await chatRequest(chat, 'GET', '/v1/accounts/whoami');
        assert.equal(w.status, 401, `whoami on an unauthenticated socket: ${w.status}`);
    } finally {
        await chat.disconnect();
    }
});
