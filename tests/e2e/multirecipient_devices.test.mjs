// Multi-recipient (sealed sender v2) sends to accounts with several devices: three recipients,
// bob with a linked second device (PUT /v1/devices/link); libsignal's
// sealedSenderMultiRecipientEncrypt for every device; each device fetches its own copy and
// unseals it. A device list that misses or adds a device is 409 with AccountMismatchedDevices
// entries, a stale registration id is 410 with AccountStaleDevices entries (exact bodies), and
// nothing is queued for anyone then.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    ProtocolAddress, PublicKey, KEMPublicKey, PreKeyBundle, processPreKeyBundle, signalEncrypt,
    SenderCertificate, sealedSenderDecryptToUsmc, sealedSenderMultiRecipientEncrypt,
    UnidentifiedSenderMessageContent,
} from '@signalapp/libsignal-client';
import { registerRest } from './lib/restreg.mjs';
import { linkDeviceRest } from './lib/link.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { b64 } from './lib/keys.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 0;
const MRM = 'application/vnd.signal-messenger.mrm';
let alice, bob, bob2, carol, dave;

const pub = (s) => PublicKey.deserialize(Buffer.from(s, 'base64'));
const enc = (s) => new TextEncoder().encode(s);

/** Alice starts a session with device dev of t, from its bundle over REST. */
async function startSession(t, dev) {
    const r = await rest(`/v2/keys/${t.aci}/${dev}`, { auth: [alice.login, alice.password] });
    assert.equal(r.status, 200, r.text);
    const d = r.json.devices[0];
    const bundle = PreKeyBundle.new(d.registrationId, d.deviceId, d.preKey?.keyId ?? null,
        d.preKey ? pub(d.preKey.publicKey) : null, d.signedPreKey.keyId, pub(d.signedPreKey.publicKey),
        Buffer.from(d.signedPreKey.signature, 'base64'), pub(r.json.identityKey), d.pqPreKey.keyId,
        KEMPublicKey.deserialize(Buffer.from(d.pqPreKey.publicKey, 'base64')),
        Buffer.from(d.pqPreKey.signature, 'base64'));
    const s = alice.keys.aci.stores;
    await processPreKeyBundle(bundle, ProtocolAddress.new(t.aci, dev), ProtocolAddress.new(alice.aci, 1), s.session, s.identity);
}

/** The recipient entries of a SentMessage v0x23: [{aci, off, devices:[{id, reg, off}], end}]. */
function recipients(body) {
    assert.equal(body[0], 0x23);
    let o = 1, n = 0, shift = 0;
    for (;;) { const b = body[o++]; n |= (b & 0x7f) << shift; shift += 7; if (!(b & 0x80)) break; }
    const out = [];
    for (let i = 0; i < n; i++) {
        const r = { aci: [...body.subarray(o + 1, o + 17)].map((x) => x.toString(16).padStart(2, '0')).join('')
            .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), off: o, devices: [] };
        o += 17;
        for (;;) {
            const id = body[o], v = body.readUInt16BE(o + 1);
            r.devices.push({ id, reg: v & 0x3fff, off: o });
            o += 3;
            if (!(v & 0x8000)) break;
        }
        o += 48;
        r.end = o;
        out.push(r);
    }
    return out;
}

const poll = async (login, password) => {
    const r = await rest('/v1/messages', { auth: [login, password] });
    assert.equal(r.status, 200, r.text);
    return r.json.messages;
};

before(async () => {
    [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => registerRest(BLOCK)));
    bob2 = await linkDeviceRest(bob);
    assert.equal(bob2.deviceId, 2);
    for (const [t, d] of [[bob, 1], [bob, 2], [carol, 1], [dave, 1]]) await startSession(t, d);
});
after(async () => { await closeRest(); await collectNative(); });

test('three recipients, bob with two devices: every device gets and unseals its copy; 409/410 bodies', async () => {
    const c = await rest('/v1/certificate/delivery?includeE164=false', { auth: [alice.login, alice.password] });
    assert.equal(c.status, 200, c.text);
    const cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(c.json.certificate, 'base64')));
    const s = alice.keys.aci.stores;
    const inner = await signalEncrypt(enc('to everyone'), ProtocolAddress.new(bob.aci, 1), ProtocolAddress.new(alice.aci, 1), s.session, s.identity);
    const usmc = UnidentifiedSenderMessageContent.new(inner, cert, 0, null);
    const addrs = [[bob, 1], [bob, 2], [carol, 1], [dave, 1]].map(([t, d]) => ProtocolAddress.new(t.aci, d));
    const body = Buffer.from(await sealedSenderMultiRecipientEncrypt({
        content: usmc, recipients: addrs, identityStore: s.identity, sessionStore: s.session,
    }));
    const xor = Buffer.alloc(16);
    for (const t of [bob, carol, dave]) for (let i = 0; i < 16; i++) xor[i] ^= t.keys.uak[i];
    const put = (b) => rest(`/v1/messages/multi_recipient?ts=${ts}`, {
        method: 'PUT', headers: { 'content-type': MRM, 'unidentified-access-key': b64(xor) }, body: b });
    const ts = Date.now();

    const rs = recipients(body);
    const rb = rs.find((r) => r.aci === bob.aci);
    assert.deepEqual(rb.devices.map((d) => d.id), [1, 2]);
    assert.equal(rb.devices[1].reg, bob2.registrationId);

    // bob's device 2 left out: missing [2]
    {
        const b = Buffer.concat([body.subarray(0, rb.devices[1].off), body.subarray(rb.devices[1].off + 3)]);
        b.writeUInt16BE(rb.devices[0].reg, rb.devices[0].off + 1); // clear "another device follows"
        const r = await put(b);
        assert.equal(r.status, 409, r.text);
        assert.deepEqual(r.json, [{ uuid: bob.aci, devices: { missingDevices: [2], extraDevices: [] } }]);
    }
    // device 2 addressed as 3: missing [2], extra [3]
    {
        const b = Buffer.from(body);
        b[rb.devices[1].off] = 3;
        const r = await put(b);
        assert.equal(r.status, 409, r.text);
        assert.deepEqual(r.json, [{ uuid: bob.aci, devices: { missingDevices: [2], extraDevices: [3] } }]);
    }
    // an extra device 5 for bob and one for dave: both listed, in message order
    {
        const rd = rs.find((r) => r.aci === dave.aci);
        const parts = [];
        let at = 0;
        for (const r of [rb, rd].sort((x, y) => x.off - y.off)) {
            const last = r.devices[r.devices.length - 1];
            const withMore = Buffer.alloc(3);
            withMore[0] = last.id;
            withMore.writeUInt16BE(0x8000 | last.reg, 1);
            parts.push(body.subarray(at, last.off), withMore, Buffer.from([5, 0x00, 0x07]));
            at = last.off + 3;
        }
        parts.push(body.subarray(at));
        const r = await put(Buffer.concat(parts));
        assert.equal(r.status, 409, r.text);
        const want = [{ uuid: bob.aci, devices: { missingDevices: [], extraDevices: [5] } },
            { uuid: dave.aci, devices: { missingDevices: [], extraDevices: [5] } }];
        assert.deepEqual([...r.json].sort((x, y) => x.uuid.localeCompare(y.uuid)), want.sort((x, y) => x.uuid.localeCompare(y.uuid)));
    }
    // a stale registration id for bob's device 2 and for carol: 410
    {
        const b = Buffer.from(body);
        b.writeUInt16BE((bob2.registrationId + 1) & 0x3fff, rb.devices[1].off + 1); // the last device: no flag
        const rc = rs.find((r) => r.aci === carol.aci);
        b.writeUInt16BE((rc.devices[0].reg + 1) & 0x3fff, rc.devices[0].off + 1);
        const r = await put(b);
        assert.equal(r.status, 410, r.text);
        const want = [{ uuid: bob.aci, devices: { staleDevices: [2] } }, { uuid: carol.aci, devices: { staleDevices: [1] } }];
        assert.deepEqual([...r.json].sort((x, y) => x.uuid.localeCompare(y.uuid)), want.sort((x, y) => x.uuid.localeCompare(y.uuid)));
    }
    for (const [l, p] of [[bob.login, bob.password], [bob2.login, bob2.password], [carol.login, carol.password], [dave.login, dave.password]])
        assert.equal((await poll(l, p)).length, 0, 'refused sends queue nothing');

    const r = await put(body);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { uuids404: [] });
    for (const [who, login, password] of [[bob, bob.login, bob.password], [bob, bob2.login, bob2.password],
        [carol, carol.login, carol.password], [dave, dave.login, dave.password]]) {
        const msgs = await poll(login, password);
        assert.equal(msgs.length, 1, `${login}: one envelope`);
        const m = msgs[0];
        assert.equal(m.type, 6);
        assert.equal(m.timestamp, ts);
        assert.equal(m.destinationUuid, who.aci);
        // linked devices share the account's ACI identity key, which opens the sealed layer
        const got = await sealedSenderDecryptToUsmc(Buffer.from(m.content, 'base64'), who.keys.aci.stores.identity);
        assert.equal(got.senderCertificate().senderUuid(), alice.aci);
        assert.deepEqual(Buffer.from(got.contents()), Buffer.from(inner.serialize()));
        const d = await rest(`/v1/messages/uuid/${m.guid}`, { method: 'DELETE', auth: [login, password] });
        assert.equal(d.status, 204);
    }
});
