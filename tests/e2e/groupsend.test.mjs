// Group send endorsements end to end. The test plays the group server with libsignal's own
// server-side API and the stack's ServerSecretParams (read from the secrets file that
// HELIOGRAPH_CONF includes, as certificates.test.mjs does): it issues a
// GroupSendEndorsementsResponse for the members, alice receives it as a client would, combines
// the endorsements into a Group-Send-Token and sends a sealed sender v2 message
// (sealedSenderMultiRecipientEncrypt) with it; each recipient unseals its copy. A corrupted
// token, a token for other recipients and an expired one are 401. GET /v2/keys with a token.
// A malformed multi-recipient body is 400 and queues nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
    Aci, ProtocolAddress, PublicKey, KEMPublicKey, PreKeyBundle, processPreKeyBundle, signalEncrypt,
    SenderCertificate, sealedSenderDecryptToUsmc, sealedSenderMultiRecipientEncrypt,
    UnidentifiedSenderMessageContent,
} from '@signalapp/libsignal-client';
import {
    ServerSecretParams, ServerPublicParams, GroupSecretParams, ClientZkGroupCipher,
    GroupSendDerivedKeyPair, GroupSendEndorsementsResponse, GroupSendEndorsement,
} from '@signalapp/libsignal-client/zkgroup.js';
import { loadEnv } from './lib/env.mjs';
import { registerRest } from './lib/restreg.mjs';
import { rest, closeRest } from './lib/rest.mjs';
import { b64 } from './lib/keys.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 8;
const DAY = 86400 * 1000;
const MRM = 'application/vnd.signal-messenger.mrm';
let alice, bob, carol, dave;
let serverSecret = null, serverPublic, groupParams;

const addr = (a) => ProtocolAddress.new(a.aci, 1);
const pub = (s) => PublicKey.deserialize(Buffer.from(s, 'base64'));
const enc = (s) => new TextEncoder().encode(s);
const auth = (a) => [a.login, a.password];
const aci = (a) => Aci.fromUuid(a.aci);

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

/**
 * The group server's side (GroupsController): endorsements for members, expiring at expiration;
 * then alice's side: receive them (as of now) and return {endorsements by member, combined}.
 */
function endorse(members, expiration, now = new Date()) {
    const cipher = new ClientZkGroupCipher(groupParams);
    const keyPair = GroupSendDerivedKeyPair.forExpiration(expiration, serverSecret);
    const issued = GroupSendEndorsementsResponse.issue(members.map((m) => cipher.encryptServiceId(aci(m))), keyPair);
    const response = new GroupSendEndorsementsResponse(issued.serialize());
    assert.equal(response.getExpiration().getTime(), expiration.getTime());
    const got = response.receiveWithServiceIds(members.map(aci), aci(alice), groupParams, serverPublic, now);
    const byMember = new Map(members.map((m, i) => [m.aci, got.endorsements[i]]));
    return { byMember, combined: got.combinedEndorsement, expiration };
}

const token = (endorsement, expiration) => b64(endorsement.toFullToken(groupParams, expiration).serialize());

async function poll(who) {
    const r = await rest('/v1/messages', { auth: auth(who) });
    assert.equal(r.status, 200, r.text);
    return r.json.messages;
}

async function ack(who, guid) {
    const r = await rest(`/v1/messages/uuid/${guid}`, { method: 'DELETE', auth: auth(who) });
    assert.equal(r.status, 204, r.text);
}

const putMrm = (body, headers, query = `ts=${Date.now()}`) => rest(`/v1/messages/multi_recipient?${query}`,
    { method: 'PUT', headers: { 'content-type': MRM, ...headers }, body });

/** A sealed sender v2 message from alice to recipients (sessions must exist). */
async function mrmBody(recipients, text) {
    const c = await rest('/v1/certificate/delivery?includeE164=false', { auth: auth(alice) });
    assert.equal(c.status, 200, c.text);
    const cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(c.json.certificate, 'base64')));
    const s = alice.keys.aci.stores;
    const inner = await signalEncrypt(enc(text), addr(recipients[0]), addr(alice), s.session, s.identity);
    const usmc = UnidentifiedSenderMessageContent.new(inner, cert, 0, null);
    const body = await sealedSenderMultiRecipientEncrypt({
        content: usmc, recipients: recipients.map(addr), identityStore: s.identity, sessionStore: s.session,
    });
    return { body: Buffer.from(body), inner: Buffer.from(inner.serialize()) };
}

before(async () => {
    const env = loadEnv();
    const get = (k) => process.env[k] ?? env.raw[k];
    const conf = readConfValues(get('HELIOGRAPH_CONF'));
    if (conf?.zk_secret_params) serverSecret = new ServerSecretParams(Buffer.from(conf.zk_secret_params, 'base64'));
    serverPublic = new ServerPublicParams(Buffer.from(get('HELIOGRAPH_ZK_PUBLIC_PARAMS'), 'base64'));
    groupParams = GroupSecretParams.generate();
    [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => registerRest(BLOCK)));
    for (const t of [bob, carol, dave]) await startSession(t);
});
after(async () => { await closeRest(); await collectNative(); });

const dayAligned = (ms) => new Date(ms - (ms % DAY));

test('Group-Send-Token: multi-recipient send, each recipient unseals; bad tokens are 401', async (t) => {
    if (!serverSecret) return t.skip('secrets file not readable (HELIOGRAPH_CONF)');
    const expiration = dayAligned(Date.now() + 2 * DAY);
    const e = endorse([alice, bob, carol, dave], expiration);
    // everyone but alice would be e.combined; this send goes to bob and carol only
    const both = GroupSendEndorsement.combine([e.byMember.get(bob.aci), e.byMember.get(carol.aci)]);
    const { body, inner } = await mrmBody([bob, carol], 'to the group');
    const ts = Date.now();

    const good = token(both, expiration);
    assert.equal(token(e.combined.byRemoving(e.byMember.get(dave.aci)), expiration), good,
        'combined minus dave is the same token as bob + carol');
    // a flipped byte in the token body: still a token, no longer valid
    const raw = Buffer.from(good, 'base64');
    raw[10] ^= 0x01;
    assert.equal((await putMrm(body, { 'group-send-token': raw.toString('base64') })).status, 401, 'corrupted token');
    assert.equal((await putMrm(body, { 'group-send-token': token(e.combined, expiration) })).status, 401,
        'a token for bob, carol and dave does not cover bob and carol');
    assert.equal((await putMrm(body, { 'group-send-token': token(e.byMember.get(bob.aci), expiration) })).status, 401,
        'a token for bob only');
    {
        const past = dayAligned(Date.now() - DAY);
        const old = endorse([alice, bob, carol], past, new Date(past.getTime() - DAY));
        const tok = token(GroupSendEndorsement.combine([old.byMember.get(bob.aci), old.byMember.get(carol.aci)]), past);
        assert.equal((await putMrm(body, { 'group-send-token': tok })).status, 401, 'expired token');
    }
    assert.equal((await putMrm(body, { 'group-send-token': good, 'unidentified-access-key': b64(bob.keys.uak) })).status, 400,
        'token and access key together');
    assert.equal((await putMrm(body, { 'group-send-token': good }, 'story=true')).status, 400, 'token on a story');
    for (const who of [bob, carol]) assert.equal((await poll(who)).length, 0, 'nothing queued by the refused sends');

    const r = await putMrm(body, { 'group-send-token': good }, `ts=${ts}&online=false&urgent=true`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { uuids404: [] });
    for (const who of [bob, carol]) {
        const msgs = await poll(who);
        assert.equal(msgs.length, 1);
        const m = msgs[0];
        assert.equal(m.type, 6);
        assert.equal(m.timestamp, ts);
        assert.equal(m.destinationUuid, who.aci);
        assert.equal(m.sourceUuid, null);
        assert.equal(m.reportSpamToken, null, 'sealed sender: no report-spam token');
        const got = await sealedSenderDecryptToUsmc(Buffer.from(m.content, 'base64'), who.keys.aci.stores.identity);
        assert.equal(got.senderCertificate().senderUuid(), alice.aci);
        assert.deepEqual(Buffer.from(got.contents()), inner);
        await ack(who, m.guid);
    }
    assert.equal((await poll(dave)).length, 0, 'dave was not addressed');
});

test('Group-Send-Token: an unregistered member is skipped and listed in uuids404', async (t) => {
    if (!serverSecret) return t.skip('secrets file not readable (HELIOGRAPH_CONF)');
    const expiration = dayAligned(Date.now() + 2 * DAY);
    const ghost = { aci: '0b3c4a1e-0000-4000-8000-00000000abcd' };
    const e = endorse([alice, bob, ghost], expiration);
    const { body } = await mrmBody([bob], 'with a ghost');
    // the ghost as a second recipient: splice its entry (service id, device 1, key material) in
    const buf = Buffer.from(body);
    const one = 17 + 3 + 48;
    assert.equal(buf[0], 0x23);
    assert.equal(buf[1], 1);
    const ghostEntry = Buffer.concat([Buffer.from([0x00]), Buffer.from(ghost.aci.replaceAll('-', ''), 'hex'),
        Buffer.from([1, 0x00, 0x01]), buf.subarray(2 + 20, 2 + one)]);
    const withGhost = Buffer.concat([Buffer.from([0x23, 2]), buf.subarray(2, 2 + one), ghostEntry, buf.subarray(2 + one)]);
    const tok = token(e.combined, expiration);
    const r = await putMrm(withGhost, { 'group-send-token': tok });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { uuids404: [ghost.aci] });
    const msgs = await poll(bob);
    assert.equal(msgs.length, 1);
    await ack(bob, msgs[0].guid);
});

test('GET /v2/keys with a Group-Send-Token', async (t) => {
    if (!serverSecret) return t.skip('secrets file not readable (HELIOGRAPH_CONF)');
    const expiration = dayAligned(Date.now() + 2 * DAY);
    const e = endorse([alice, bob, carol], expiration);
    const forBob = token(e.byMember.get(bob.aci), expiration);
    const get = (who, dev, headers, a) => rest(`/v2/keys/${who.aci}/${dev}`, { headers, auth: a });

    const r = await get(bob, 1, { 'group-send-token': forBob });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.devices[0].deviceId, 1);
    assert.equal(r.json.devices[0].registrationId, bob.keys.aci.registrationId);
    assert.equal((await get(bob, '*', { 'group-send-token': forBob })).status, 200);
    assert.equal((await get(bob, 5, { 'group-send-token': forBob })).status, 404, 'token admits bob exists: no such device is 404');
    assert.equal((await get(carol, 1, { 'group-send-token': forBob })).status, 401, 'token for someone else');
    assert.equal((await get(bob, 1, { 'group-send-token': token(e.combined, expiration) })).status, 401, 'token for two');
    assert.equal((await get(bob, 1, { 'group-send-token': forBob, 'unidentified-access-key': b64(bob.keys.uak) })).status, 400);
    assert.equal((await get(bob, 1, { 'group-send-token': forBob }, auth(alice))).status, 400, 'token with credentials');
    assert.equal((await get(bob, 1, {})).status, 401);
    assert.equal((await get(bob, 1, { 'unidentified-access-key': b64(bob.keys.uak) })).status, 200, 'access key still works');
});

test('malformed multi-recipient bodies are 400 and queue nothing', async () => {
    const { body } = await mrmBody([bob, carol], 'bad framing');
    const xor = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) xor[i] = bob.keys.uak[i] ^ carol.keys.uak[i];
    const h = { 'unidentified-access-key': b64(xor) };
    const bad = [
        ['truncated in the recipients', body.subarray(0, 30)],
        ['truncated in the shared part', body.subarray(0, 2 + 2 * (17 + 3 + 48) + 10)],
        ['version 0x21', Buffer.concat([Buffer.from([0x21]), body.subarray(1)])],
        ['version 0x33', Buffer.concat([Buffer.from([0x33]), body.subarray(1)])],
        ['empty', Buffer.alloc(0)],
        ['duplicate recipient', Buffer.concat([Buffer.from([0x23, 2]), body.subarray(2, 2 + 68), body.subarray(2, 2 + 68), body.subarray(2 + 136)])],
    ];
    for (const [what, b] of bad) assert.equal((await putMrm(b, h)).status, 400, what);
    for (const who of [bob, carol]) assert.equal((await poll(who)).length, 0, 'nothing queued');
});
