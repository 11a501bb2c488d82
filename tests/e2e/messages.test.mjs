// 1:1 messages end to end: AuthMessagesService sends, delivery over the recipient's
// authenticated socket, the Envelope the server builds, acks and redelivery, device mismatch
// errors, REST sends, and sealed sender with the server's delivery certificate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
    Aci, ErrorCode, ProtocolAddress, processPreKeyBundle, signalEncrypt, signalDecryptPreKey,
    signalDecrypt, PreKeySignalMessage, SignalMessage, CiphertextMessageType, PublicKey,
    SenderCertificate, sealedSenderEncryptMessage, sealedSenderDecryptMessage,
} from '@signalapp/libsignal-client';
import { loadEnv } from './lib/env.mjs';
import { makeNet, recordingListener, chatRequest, assertChatReachable } from './lib/net.mjs';
import { registerAccount } from './lib/account.mjs';
import { b64 } from './lib/keys.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { decodeEnvelope } from './lib/proto.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 4;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENVELOPE_PREKEY = 3;
const ENVELOPE_CIPHERTEXT = 1;
const ENVELOPE_UNIDENTIFIED = 6;

let net, alice, bob, aliceChat, unauth;
const open = [];

const addr = (acc) => ProtocolAddress.new(acc.aci, 1);
const enc = (s) => new TextEncoder().encode(s);
const dec = (u) => Buffer.from(u).toString('utf8');

/** Opens bob's authenticated socket and waits for the initial queue drain. */
async function connectBob({ waitEmpty = true } = {}) {
    const listener = recordingListener();
    const chat = await net.connectAuthenticatedChat(bob.login, bob.password, false, listener);
    open.push(chat);
    if (waitEmpty) await listener.waitFor(() => listener.queueEmpty > 0, 5000, 'queue/empty');
    return { chat, listener };
}

async function disconnect(chat) {
    await chat.disconnect();
    open.splice(open.indexOf(chat), 1);
}

/** Alice encrypts for bob (fetching his bundle the first time). */
async function aliceEncrypt(text) {
    const s = alice.aciKeys.stores;
    if (!(await s.session.getSession(addr(bob)))) {
        const r = await unauth.getPreKeys({ target: Aci.fromUuid(bob.aci), device: 'all', auth: { accessKey: bob.unidentifiedAccessKey } });
        await processPreKeyBundle(r.preKeyBundles[0], addr(bob), addr(alice), s.session, s.identity);
    }
    return signalEncrypt(enc(text), addr(bob), addr(alice), s.session, s.identity);
}

/** Bob decrypts a non-sealed envelope from alice. */
async function bobDecrypt(env) {
    const s = bob.aciKeys.stores;
    if (env.type === ENVELOPE_PREKEY) {
        return dec(await signalDecryptPreKey(PreKeySignalMessage.deserialize(new Uint8Array(env.content)),
            addr(alice), addr(bob), s.session, s.identity, s.preKey, s.signedPreKey, s.kyberPreKey));
    }
    assert.equal(env.type, ENVELOPE_CIPHERTEXT);
    return dec(await signalDecrypt(SignalMessage.deserialize(new Uint8Array(env.content)),
        addr(alice), addr(bob), s.session, s.identity));
}

const envelopeType = (ct) => (ct.type() === CiphertextMessageType.PreKey ? ENVELOPE_PREKEY : ENVELOPE_CIPHERTEXT);

async function aliceSend(ct, timestamp, extra = {}) {
    await aliceChat.sendMessage({
        destination: Aci.fromUuid(bob.aci), timestamp,
        contents: [{ deviceId: 1, registrationId: bob.aciKeys.registrationId, contents: ct }],
        onlineOnly: false, urgent: true, ...extra,
    });
}

before(async () => {
    net = makeNet();
    await assertChatReachable(net);
    alice = await registerAccount(net, { block: BLOCK });
    bob = await registerAccount(net, { block: BLOCK });
    aliceChat = await net.connectAuthenticatedChat(alice.login, alice.password, false, recordingListener());
    unauth = await net.connectUnauthenticatedChat(recordingListener());
});

after(async () => {
    for (const c of [...open, aliceChat, unauth]) await c?.disconnect().catch(() => {});
    await closeRest();
    await collectNative();
});

test('a message sent with AuthMessagesService reaches the online recipient', async () => {
    const { chat, listener } = await connectBob();
    const ts = Date.now();
    const ct = await aliceEncrypt('hello bob');
    await aliceSend(ct, ts);
    await listener.waitFor(() => listener.envelopes.length === 1, 5000, 'delivery');
    const { envelope, ack } = listener.envelopes[0];
    const env = decodeEnvelope(envelope);
    assert.equal(env.type, ENVELOPE_PREKEY);
    assert.equal(env.sourceServiceId, alice.aci);
    assert.equal(env.sourceDevice, 1);
    assert.equal(env.destinationServiceId, bob.aci);
    assert.equal(env.clientTimestamp, ts);
    assert.ok(Math.abs(env.serverTimestamp - Date.now()) < 5 * 60_000, `serverTimestamp ${env.serverTimestamp}`);
    assert.match(env.serverGuid ?? '', UUID_RE, 'envelope must carry a server GUID');
    assert.equal(env.urgent, true);
    assert.deepEqual(Buffer.from(env.content), Buffer.from(ct.serialize()), 'content is relayed unchanged');
    assert.equal(await bobDecrypt(env), 'hello bob');
    ack.send(200);
    await disconnect(chat);
});

test('offline messages queue in order, unacked ones are redelivered, acked ones are gone', async () => {
    const t0 = Date.now();
    const texts = ['first while offline', 'second while offline'];
    const cts = [];
    for (let i = 0; i < texts.length; i++) {
        const ct = await aliceEncrypt(texts[i]);
        cts.push(ct);
        await aliceSend(ct, t0 + i, { urgent: i === 0 });
    }
    // First connection: receive both, decrypt, do not ack.
    let { chat, listener } = await connectBob();
    assert.equal(listener.envelopes.length, 2, 'both queued messages before queue/empty');
    const first = listener.envelopes.map((e) => decodeEnvelope(e.envelope));
    assert.deepEqual(first.map((e) => e.clientTimestamp), [t0, t0 + 1], 'delivery in send order');
    assert.deepEqual(first.map((e) => e.urgent), [true, false], 'urgent flag is carried');
    for (let i = 0; i < 2; i++) assert.equal(await bobDecrypt(first[i]), texts[i]);
    await disconnect(chat);
    // Second connection: the same two again (same GUIDs, same bytes); ack them now.
    ({ chat, listener } = await connectBob());
    assert.equal(listener.envelopes.length, 2, 'unacked messages must be redelivered');
    const again = listener.envelopes.map((e) => decodeEnvelope(e.envelope));
    assert.deepEqual(again.map((e) => e.serverGuid), first.map((e) => e.serverGuid));
    for (let i = 0; i < 2; i++) assert.deepEqual(again[i].content, first[i].content);
    for (const e of listener.envelopes) e.ack.send(200);
    await new Promise((r) => setTimeout(r, 300)); // let the acks reach the server
    await disconnect(chat);
    // Third connection: nothing left.
    ({ chat, listener } = await connectBob());
    assert.equal(listener.envelopes.length, 0, 'acked messages must be deleted');
    await disconnect(chat);
});

test('device mismatches are reported as MismatchedDevices', async () => {
    const ct = await aliceEncrypt('never delivered');
    await assert.rejects(aliceChat.sendMessage({
        destination: Aci.fromUuid(bob.aci), timestamp: Date.now(),
        contents: [{ deviceId: 2, registrationId: bob.aciKeys.registrationId, contents: ct }],
        onlineOnly: false, urgent: true,
    }), (e) => {
        assert.equal(e.code, ErrorCode.MismatchedDevices, `got ${e.code} ${e.message}`);
        assert.deepEqual(e.entries[0].missingDevices, [1]);
        assert.deepEqual(e.entries[0].extraDevices, [2]);
        return true;
    });
    await assert.rejects(aliceChat.sendMessage({
        destination: Aci.fromUuid(bob.aci), timestamp: Date.now(),
        contents: [{ deviceId: 1, registrationId: (bob.aciKeys.registrationId % 16000) + 1, contents: ct }],
        onlineOnly: false, urgent: true,
    }), (e) => {
        assert.equal(e.code, ErrorCode.MismatchedDevices, `got ${e.code} ${e.message}`);
        assert.deepEqual(e.entries[0].staleDevices, [1]);
        return true;
    });
    await assert.rejects(aliceChat.sendMessage({
        destination: Aci.fromUuid(randomUUID()), timestamp: Date.now(),
        contents: [{ deviceId: 1, registrationId: 1, contents: ct }], onlineOnly: false, urgent: true,
    }), (e) => { assert.equal(e.code, ErrorCode.ServiceIdNotFound, `got ${e.code} ${e.message}`); return true; });
});

test('a message sent over REST is delivered', async () => {
    const ct = await aliceEncrypt('via REST');
    const ts = Date.now();
    const r = await rest(`/v1/messages/${bob.aci}`, {
        method: 'PUT', auth: [alice.login, alice.password],
        json: { messages: [{ type: envelopeType(ct), destinationDeviceId: 1, destinationRegistrationId: bob.aciKeys.registrationId, content: b64(ct.serialize()) }], online: false, urgent: true, timestamp: ts },
    });
    assert.equal(r.status, 200, `PUT /v1/messages: ${r.status} ${r.text}`);
    assert.equal(r.json.needsSync, false, 'single-device sender needs no sync');
    const { chat, listener } = await connectBob();
    assert.equal(listener.envelopes.length, 1);
    const env = decodeEnvelope(listener.envelopes[0].envelope);
    assert.equal(env.clientTimestamp, ts);
    assert.equal(await bobDecrypt(env), 'via REST');
    listener.envelopes[0].ack.send(200);
    await new Promise((res) => setTimeout(res, 200));
    await disconnect(chat);
});

test('sealed sender: delivery certificate, unidentified send, decryption', async (t) => {
    const env = loadEnv();
    if (!env.trustRoot) { t.skip('HELIOGRAPH_TRUST_ROOT not in the env file yet'); return; }
    const raw = /^[0-9a-f]{66}$/i.test(env.trustRoot) ? Buffer.from(env.trustRoot, 'hex') : Buffer.from(env.trustRoot, 'base64');
    const trustRoot = PublicKey.deserialize(new Uint8Array(raw));
    const c = await chatRequest(aliceChat, 'GET', '/v1/certificate/delivery?includeE164=false');
    assert.equal(c.status, 200, `delivery certificate: ${c.status} ${c.text}`);
    const cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(c.json.certificate, 'base64')));
    assert.ok(cert.validate(trustRoot, Date.now()), 'certificate must chain to the trust root');
    assert.equal(cert.senderUuid(), alice.aci);
    assert.equal(cert.senderDeviceId(), 1);
    assert.equal(cert.senderE164(), null, 'includeE164=false');
    assert.ok(cert.key().equals(alice.aciKeys.publicKey), 'certificate carries the ACI identity key');
    assert.ok(cert.expiration() > Date.now());

    const s = alice.aciKeys.stores;
    await aliceEncrypt('prime the session'); // makes sure a session exists
    const sealed = await sealedSenderEncryptMessage(enc('sealed hello'), addr(bob), cert, s.session, s.identity);
    const msg = (auth) => ({
        destination: Aci.fromUuid(bob.aci), timestamp: Date.now(),
        contents: [{ deviceId: 1, registrationId: bob.aciKeys.registrationId, contents: sealed }],
        auth, onlineOnly: false, urgent: true,
    });
    await assert.rejects(unauth.sendMessage(msg({ accessKey: new Uint8Array(16).fill(0x33) })),
        (e) => { assert.equal(e.code, ErrorCode.RequestUnauthorized, `got ${e.code} ${e.message}`); return true; });
    await unauth.sendMessage(msg({ accessKey: bob.unidentifiedAccessKey }));
    const { chat, listener } = await connectBob();
    // The primed message (not sent) is not there; exactly the sealed one is.
    assert.equal(listener.envelopes.length, 1);
    const e = decodeEnvelope(listener.envelopes[0].envelope);
    assert.equal(e.type, ENVELOPE_UNIDENTIFIED);
    assert.equal(e.sourceServiceId, undefined, 'sealed sender must not reveal the sender');
    assert.equal(e.sourceDevice, undefined);
    const b = bob.aciKeys.stores;
    const out = await sealedSenderDecryptMessage(new Uint8Array(e.content), trustRoot, Date.now(), null, bob.aci, 1,
        b.session, b.identity, b.preKey, b.signedPreKey, b.kyberPreKey);
    assert.equal(dec(out.message()), 'sealed hello');
    assert.equal(out.senderUuid(), alice.aci);
    listener.envelopes[0].ack.send(200);
    await new Promise((res) => setTimeout(res, 200));
    await disconnect(chat);
});
