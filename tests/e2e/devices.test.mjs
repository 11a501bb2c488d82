// Device linking end to end: a second device linked over REST with libsignal-made keys, its
// credentials over REST and the chat socket, the device list with createdAtCiphertext opened by
// libsignal, key bundles of both devices, the provisioning socket receiving its address and the
// primary's ProvisionEnvelope, and the removed device's socket closed with 4401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@signalapp/libsignal-client';
import { loadEnv } from './lib/env.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { registerRest } from './lib/restreg.mjs';
import { linkDeviceRest, provisioningCode, linkBody, linkedDeviceKeys } from './lib/link.mjs';
import { newPassword } from './lib/account.mjs';
import { makeNet, assertChatReachable, recordingListener, chatRequest } from './lib/net.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 6;

let net;
let primary;
let second;

before(async () => {
    loadEnv();
    net = makeNet();
    await assertChatReachable(net);
    primary = await registerRest(BLOCK);
});
after(async () => { await closeRest(); await collectNative(); });

test('a second device links over REST and the primary sees it through wait_for_linked_device', async () => {
    const code = await provisioningCode(primary);
    assert.match(code.verificationCode, new RegExp(`^${primary.aci}\\.\\d+:[A-Za-z0-9_-]+=*$`));
    assert.match(code.tokenIdentifier, /^[A-Za-z0-9_-]{43}$/);

    // The primary long-polls while the new device links.
    const waiting = rest(`/v1/devices/wait_for_linked_device/${code.tokenIdentifier}?timeout=10`,
        { auth: [primary.login, primary.password] });
    const dev = {
        password: newPassword(),
        registrationId: 4242,
        pniRegistrationId: 4343,
        aci: linkedDeviceKeys(primary.keys.aci.identityKeyPair),
        pni: linkedDeviceKeys(primary.keys.pni.identityKeyPair),
    };
    const body = linkBody(primary, code.verificationCode, dev);
    // prekeys signed by another identity key: 422
    const bad = linkBody(primary, code.verificationCode,
        { ...dev, aci: linkedDeviceKeys(primary.keys.pni.identityKeyPair) });
    const r422 = await rest('/v1/devices/link', { method: 'PUT', auth: [primary.e164, dev.password], json: bad });
    assert.equal(r422.status, 422, `bad signature: ${r422.text}`);

    const r = await rest('/v1/devices/link', { method: 'PUT', auth: [primary.e164, dev.password], json: body });
    assert.equal(r.status, 200, `link: ${r.text}`);
    assert.deepEqual(r.json, { uuid: primary.aci, pni: primary.pni, deviceId: 2 });
    const again = await rest('/v1/devices/link', { method: 'PUT', auth: [primary.aci, 'other-password'], json: body });
    assert.equal(again.status, 403, 'a link token is single use');

    const w = await waiting;
    assert.equal(w.status, 200, `wait_for_linked_device: ${w.status} ${w.text}`);
    assert.equal(w.json.id, 2);
    assert.equal(w.json.registrationId, 4242);
    assert.equal(typeof w.json.createdAtCiphertext, 'string');
    second = { ...dev, deviceId: 2, login: `${primary.aci}.2` };
});

test('the linked device authenticates over REST and over the chat socket', async () => {
    assert.ok(second, 'linking must have succeeded');
    const who = await rest('/v1/accounts/whoami', { auth: [second.login, second.password] });
    assert.equal(who.status, 200, `whoami as device 2: ${who.text}`);
    assert.equal(who.json.uuid, primary.aci);
    assert.equal(who.json.pni, primary.pni);
    const wrong = await rest('/v1/accounts/whoami', { auth: [second.login, primary.password] });
    assert.equal(wrong.status, 401, "the primary's password is not device 2's");

    const listener = recordingListener();
    const chat = await net.connectAuthenticatedChat(second.login, second.password, false, listener);
    try {
        const r = await chatRequest(chat, 'GET', '/v1/accounts/whoami');
        assert.equal(r.status, 200, `whoami over chat as device 2: ${r.text}`);
        assert.equal(r.json.uuid, primary.aci);
        // linked devices set their own attributes
        const attrs = await chatRequest(chat, 'PUT', '/v1/accounts/attributes', {
            json: { fetchesMessages: true, registrationId: 4242, pniRegistrationId: 4343, capabilities: { storage: true, spqr: true } },
        });
        assert.equal(attrs.status, 204, `attributes as device 2: ${attrs.text}`);
        const code = await chatRequest(chat, 'GET', '/v1/devices/provisioning/code');
        assert.equal(code.status, 401, 'only the primary may ask for link tokens');
    } finally {
        await chat.disconnect();
    }
});

test('GET /v1/devices lists both devices; createdAtCiphertext opens with the ACI identity key', async () => {
    const r = await rest('/v1/devices', { auth: [second.login, second.password] });
    assert.equal(r.status, 200, r.text);
    const devices = r.json.devices.sort((x, y) => x.id - y.id);
    assert.deepEqual(devices.map((d) => d.id), [1, 2]);
    assert.equal(devices[0].registrationId, primary.keys.aci.registrationId);
    assert.equal(devices[1].registrationId, 4242);
    assert.equal(Buffer.from(devices[1].name, 'base64').toString(), 'device 4242');
    for (const d of devices) {
        const aad = Buffer.alloc(5);
        aad[0] = d.id;
        aad.writeUInt32BE(d.registrationId, 1);
        const pt = primary.keys.aci.identityKeyPair.privateKey.open(
            Buffer.from(d.createdAtCiphertext, 'base64'), 'deviceCreatedAt', aad);
        assert.equal(pt.length, 8);
        const created = Number(Buffer.from(pt).readBigUInt64BE(0));
        assert.ok(created > Date.now() - 10 * 60 * 1000 && created <= Date.now() + 1000,
            `device ${d.id} created at ${created}`);
        assert.throws(() => primary.keys.pni.identityKeyPair.privateKey.open(
            Buffer.from(d.createdAtCiphertext, 'base64'), 'deviceCreatedAt', aad),
        'sealed to the ACI identity key only');
    }
});

test("fetching the account's keys with * returns a bundle per device", async () => {
    const r = await rest(`/v2/keys/${primary.aci}/*`, { auth: [primary.login, primary.password] });
    assert.equal(r.status, 200, r.text);
    const byId = Object.fromEntries(r.json.devices.map((d) => [d.deviceId, d]));
    assert.deepEqual(Object.keys(byId).sort(), ['1', '2']);
    assert.equal(byId[2].registrationId, 4242);
    assert.equal(byId[2].signedPreKey.keyId, second.aci.signedPreKey.id());
    assert.equal(byId[2].pqPreKey.keyId, second.aci.lastResortKey.id());
    const pni = await rest(`/v2/keys/PNI:${primary.pni}/2`, { auth: [primary.login, primary.password] });
    assert.equal(pni.status, 200, pni.text);
    assert.equal(pni.json.devices[0].registrationId, 4343);
    assert.equal(pni.json.devices[0].signedPreKey.keyId, second.pni.signedPreKey.id());
});

/** ProvisionEnvelope {publicKey = 1, body = 2} with random contents. */
function provisionEnvelope() {
    const pub = Buffer.concat([Buffer.from([5]), randomBytes(32)]);
    const body = randomBytes(200);
    return Buffer.concat([Buffer.from([0x0a, pub.length]), pub, Buffer.from([0x12, 0xc8, 0x01]), body]);
}

/** Rejects after ms; libsignal's native promises do not keep Node's event loop alive. */
const within = (p, ms, what) => {
    let t;
    return Promise.race([p, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`no ${what} within ${ms} ms`)), ms); })])
        .finally(() => clearTimeout(t));
};

test('a provisioning socket gets an address and then the ProvisionEnvelope sent to it', async () => {
    let addressResolve, envelopeResolve;
    const address = new Promise((r) => { addressResolve = r; });
    const envelope = new Promise((r) => { envelopeResolve = r; });
    const interrupted = [];
    const conn = await within(net.connectProvisioning({
        onReceivedAddress(addr, ack) { ack.send(200); addressResolve(addr); },
        onReceivedEnvelope(env, ack) { ack.send(200); envelopeResolve(env); },
        onConnectionInterrupted(cause) { interrupted.push(cause); },
    }), 5000, 'provisioning connection');
    try {
        const addr = await within(address, 5000, 'provisioning address');
        assert.match(addr, /^[A-Za-z0-9_-]{22}==$/, `address ${addr}`);
        const env = provisionEnvelope();
        const unknown = await rest(`/v1/provisioning/${Buffer.from(randomBytes(16)).toString('base64url')}==`, {
            method: 'PUT', auth: [primary.login, primary.password], json: { body: env.toString('base64') },
        });
        assert.equal(unknown.status, 404, 'nobody listens at a random address');
        const sent = await rest(`/v1/provisioning/${addr}`, {
            method: 'PUT', auth: [primary.login, primary.password], json: { body: env.toString('base64') },
        });
        assert.equal(sent.status, 204, `provisioning message: ${sent.text}`);
        const got = await within(envelope, 5000, 'provisioning envelope');
        assert.deepEqual(Buffer.from(got), env, 'the envelope arrives byte for byte');
        // The server closes the socket once the envelope is acknowledged.
        await within((async () => { while (!interrupted.length) await new Promise((r) => setTimeout(r, 50)); })(),
            5000, 'close after the acknowledgement');
    } finally {
        await within(conn.disconnect(), 2000, 'disconnect').catch(() => {});
    }
});

test("removing the linked device closes its socket with 4401 and its credentials stop working", async () => {
    const listener = recordingListener();
    const chat = await net.connectAuthenticatedChat(second.login, second.password, false, listener);
    try {
        await listener.waitFor(() => listener.queueEmpty > 0, 5000, 'queue/empty');
        const r1 = await rest('/v1/devices/1', { method: 'DELETE', auth: [primary.login, primary.password] });
        assert.equal(r1.status, 403, 'the primary cannot be removed');
        const r = await rest('/v1/devices/2', { method: 'DELETE', auth: [primary.login, primary.password] });
        assert.equal(r.status, 204, r.text);
        await listener.waitFor(() => listener.interrupted.length > 0, 5000, 'socket closed');
        const cause = listener.interrupted[0];
        assert.equal(cause?.code, ErrorCode.ConnectionInvalidated,
            `close reason: ${cause?.code} ${cause?.message}`);
    } finally {
        await within(chat.disconnect(), 2000, 'disconnect').catch(() => {});
    }
    const who = await rest('/v1/accounts/whoami', { auth: [second.login, second.password] });
    assert.equal(who.status, 401);
    const list = await rest('/v1/devices', { auth: [primary.login, primary.password] });
    assert.deepEqual(list.json.devices.map((d) => d.id), [1]);
    // The id is free again: the next link gets 2.
    const again = await linkDeviceRest(primary);
    assert.equal(again.deviceId, 2);
});
