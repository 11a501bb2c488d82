// Message delivery over plain REST (no sockets): real libsignal ciphertext sent with
// PUT /v1/messages, polled with GET /v1/messages, acked with DELETE /v1/messages/uuid/{guid}
// (delivery receipt to the sender), sealed sender with an Unidentified-Access-Key, and a
// multi-recipient (sealed sender v2) send stored once and unsealed by each recipient.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    ProtocolAddress, PublicKey, KEMPublicKey, PreKeyBundle, processPreKeyBundle, signalEncrypt,
    signalDecryptPreKey, PreKeySignalMessage, SenderCertificate, sealedSenderEncryptMessage,
    sealedSenderDecryptMessage, sealedSenderDecryptToUsmc, sealedSenderMultiRecipientEncrypt,
    UnidentifiedSenderMessageContent,
} from '@signalapp/libsignal-client';
import { loadEnv } from './lib/env.mjs';
import { registerRest } from './lib/restreg.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { b64 } from './lib/keys.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 7;
const MRM = 'application/vnd.signal-messenger.mrm';
let alice, bob, carol;

const addr = (a) => ProtocolAddress.new(a.aci, 1);
const pub = (s) => PublicKey.deserialize(Buffer.from(s, 'base64'));
const enc = (s) => new TextEncoder().encode(s);
const auth = (a) => [a.login, a.password];

/** Alice fetches t's bundle over REST and starts a session with it. */
async function startSession(t) {
    const r = await rest(`/v2/keys/${t.aci}/1`, { auth: auth(alice) });
    assert.equal(r.status, 200, r.text);
    const d = r.json.devices[0];
    const bundle = PreKeyBundle.new(d.registrationId, d.deviceId, d.preKey?.keyId ?? null,
        d.preKey ? pub(d.preKey.publicKey) : null, d.signedPreKey.keyId, pub(d.signedPreKey.publicKey),
        Buffer.from(d.signedPreKey.signature, 'base64'), pub(r.json.identityKey), d.pqPreKey.keyId,
        KEMPublicKey.deserialize(Buffer.from(d.pqPreKey.publicKey, 'base64')),
        Buffer.from(d.pqPreKey.signature, 'base64'));
    const s = alice.keys.aci.stores;
    await processPreKeyBundle(bundle, addr(t), addr(alice), s.session, s.identity);
}

const messageList = (to, type, content, timestamp) => ({
    messages: [{ type, destinationDeviceId: 1, destinationRegistrationId: to.keys.aci.registrationId, content: b64(content) }],
    online: false, urgent: true, timestamp,
});

async function poll(who) {
    const r = await rest('/v1/messages', { auth: auth(who) });
    assert.equal(r.status, 200, r.text);
    return r.json;
}

async function ack(who, guid) {
    const r = await rest(`/v1/messages/uuid/${guid}`, { method: 'DELETE', auth: auth(who) });
    assert.equal(r.status, 204, r.text);
}

before(async () => {
    alice = await registerRest(BLOCK);
    bob = await registerRest(BLOCK);
    carol = await registerRest(BLOCK);
    await startSession(bob);
    await startSession(carol);
});

after(async () => {
    await closeRest();
    await collectNative();
});

test('REST send, GET /v1/messages, decrypt, ack and the delivery receipt', async () => {
    const s = alice.keys.aci.stores;
    const ct = await signalEncrypt(enc('hello over REST'), addr(bob), addr(alice), s.session, s.identity);
    const ts = Date.now();
    let r = await rest(`/v1/messages/${bob.aci}`, { method: 'PUT', auth: auth(alice), json: messageList(bob, 3, ct.serialize(), ts) });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { needsSync: false });

    const list = await poll(bob);
    assert.equal(list.more, false);
    assert.equal(list.messages.length, 1);
    const m = list.messages[0];
    assert.equal(m.type, 3);
    assert.equal(m.timestamp, ts);
    assert.equal(m.sourceUuid, alice.aci);
    assert.equal(m.sourceDevice, 1);
    assert.equal(m.destinationUuid, bob.aci);
    assert.equal(m.urgent, true);
    assert.equal(m.story, false);
    const b = bob.keys.aci.stores;
    const plain = await signalDecryptPreKey(PreKeySignalMessage.deserialize(Buffer.from(m.content, 'base64')),
        addr(alice), addr(bob), b.session, b.identity, b.preKey, b.signedPreKey, b.kyberPreKey);
    assert.equal(Buffer.from(plain).toString(), 'hello over REST');

    await ack(bob, m.guid);
    assert.equal((await poll(bob)).messages.length, 0, 'acked messages are gone');
    const receipts = (await poll(alice)).messages;
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0].type, 5, 'SERVER_DELIVERY_RECEIPT');
    assert.equal(receipts[0].sourceUuid, bob.aci);
    assert.equal(receipts[0].timestamp, ts, 'the receipt names the original timestamp');
    assert.equal(receipts[0].urgent, false);
    await ack(alice, receipts[0].guid);
    assert.equal((await poll(bob)).messages.length, 0, 'no receipt for a receipt');
});

test('sealed sender with an Unidentified-Access-Key', async () => {
    const env = loadEnv();
    const trustRoot = PublicKey.deserialize(new Uint8Array(Buffer.from(env.trustRoot, 'base64')));
    const c = await rest('/v1/certificate/delivery?includeE164=false', { auth: auth(alice) });
    assert.equal(c.status, 200, c.text);
    const cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(c.json.certificate, 'base64')));
    const s = alice.keys.aci.stores;
    const sealed = await sealedSenderEncryptMessage(enc('sealed hello'), addr(bob), cert, s.session, s.identity);
    const send = (key) => rest(`/v1/messages/${bob.aci}`, {
        method: 'PUT', headers: key ? { 'unidentified-access-key': b64(key) } : {}, json: messageList(bob, 6, sealed, Date.now()),
    });
    assert.equal((await send(null)).status, 401);
    assert.equal((await send(Buffer.alloc(16, 0x33))).status, 401);
    const r = await send(bob.keys.uak);
    assert.equal(r.status, 200, r.text);

    const m = (await poll(bob)).messages[0];
    assert.equal(m.type, 6);
    assert.equal(m.sourceUuid, null, 'sealed sender must not reveal the sender');
    assert.equal(m.sourceDevice, 0);
    const b = bob.keys.aci.stores;
    const out = await sealedSenderDecryptMessage(Buffer.from(m.content, 'base64'), trustRoot, Date.now(), null, bob.aci, 1,
        b.session, b.identity, b.preKey, b.signedPreKey, b.kyberPreKey);
    assert.equal(Buffer.from(out.message()).toString(), 'sealed hello');
    assert.equal(out.senderUuid(), alice.aci);
    await ack(bob, m.guid);
    assert.equal((await poll(alice)).messages.length, 0, 'sealed-sender messages get no server receipt');
});

test('multi-recipient sealed sender: combined access key, one payload, per-recipient content', async () => {
    const c = await rest('/v1/certificate/delivery?includeE164=false', { auth: auth(alice) });
    const cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(c.json.certificate, 'base64')));
    const s = alice.keys.aci.stores;
    const inner = await signalEncrypt(enc('to the group'), addr(bob), addr(alice), s.session, s.identity);
    const usmc = UnidentifiedSenderMessageContent.new(inner, cert, 0, null);
    const body = await sealedSenderMultiRecipientEncrypt({
        content: usmc, recipients: [addr(bob), addr(carol)], identityStore: s.identity, sessionStore: s.session,
    });
    const xor = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) xor[i] = bob.keys.uak[i] ^ carol.keys.uak[i];
    const ts = Date.now();
    const put = (headers) => rest(`/v1/messages/multi_recipient?ts=${ts}&online=false&urgent=true`,
        { method: 'PUT', headers: { 'content-type': MRM, ...headers }, body });
    assert.equal((await put({})).status, 401);
    assert.equal((await put({ 'unidentified-access-key': b64(bob.keys.uak) })).status, 401, 'one key is not the combined key');
    const r = await put({ 'unidentified-access-key': b64(xor) });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { uuids404: [] });

    for (const t of [bob, carol]) {
        const msgs = (await poll(t)).messages;
        assert.equal(msgs.length, 1);
        const m = msgs[0];
        assert.equal(m.type, 6);
        assert.equal(m.timestamp, ts);
        assert.equal(m.destinationUuid, t.aci);
        assert.equal(m.sourceUuid, null);
        const got = await sealedSenderDecryptToUsmc(Buffer.from(m.content, 'base64'), t.keys.aci.stores.identity);
        assert.deepEqual(Buffer.from(got.contents()), Buffer.from(inner.serialize()));
        assert.equal(got.senderCertificate().senderUuid(), alice.aci);
        await ack(t, m.guid);
    }
});
