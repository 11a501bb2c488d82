// Stories end to end: a story (PUT /v1/messages/{dest}?story=true, sent anonymously over
// libsignal's unauthenticated chat socket) reaches only an authenticated socket that connected
// with receiveStories (X-Signal-Receive-Stories: true). A socket without it never sees the
// story: the server acknowledges it in the client's place (as upstream does), so it is not
// redelivered later either. Stories are not urgent and carry no sender.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeNet, recordingListener, chatRequest, assertChatReachable } from './lib/net.mjs';
import { registerAccount } from './lib/account.mjs';
import { b64 } from './lib/keys.mjs';
import { decodeEnvelope } from './lib/proto.mjs';
import { closeRest } from './lib/rest.mjs';
import { collectNative } from './lib/teardown.mjs';

const BLOCK = 9;
let net, bob, unauth;
const open = [];

async function connectBob(receiveStories) {
    const listener = recordingListener();
    const chat = await net.connectAuthenticatedChat(bob.login, bob.password, receiveStories, listener);
    open.push(chat);
    await listener.waitFor(() => listener.queueEmpty > 0, 5000, 'queue/empty');
    return { chat, listener };
}

async function disconnect(chat) {
    await chat.disconnect();
    open.splice(open.indexOf(chat), 1);
}

/** Anonymous send over the unauthenticated socket: a story, or sealed sender with bob's key. */
function send({ story, content, ts }) {
    const json = {
        messages: [{ type: 6, destinationDeviceId: 1, destinationRegistrationId: bob.aciKeys.registrationId, content: b64(content) }],
        online: false, urgent: !story, timestamp: ts,
    };
    const headers = story ? [] : [['unidentified-access-key', b64(bob.unidentifiedAccessKey)]];
    return chatRequest(unauth, 'PUT', `/v1/messages/${bob.aci}${story ? '?story=true' : ''}`, { json, headers });
}

before(async () => {
    net = makeNet();
    await assertChatReachable(net);
    bob = await registerAccount(net, { block: BLOCK });
    unauth = await net.connectUnauthenticatedChat(recordingListener());
});

after(async () => {
    for (const c of [...open, unauth]) await c?.disconnect().catch(() => {});
    await closeRest();
    await collectNative();
});

test('a story reaches a socket that asked for stories, not urgent, no sender', async () => {
    const { chat, listener } = await connectBob(true);
    const ts = Date.now(), content = randomBytes(40);
    const r = await send({ story: true, content, ts });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { needsSync: false });
    await listener.waitFor(() => listener.envelopes.length === 1, 5000, 'story delivery');
    const e = decodeEnvelope(listener.envelopes[0].envelope);
    assert.equal(e.story, true);
    assert.equal(e.urgent, false, 'a story is not urgent');
    assert.equal(e.clientTimestamp, ts);
    assert.equal(e.sourceServiceId, undefined, 'stories carry no sender');
    assert.deepEqual(e.content, content);
    listener.envelopes[0].ack.send(200);
    await disconnect(chat);
});

test('a socket without X-Signal-Receive-Stories never gets the story', async () => {
    let { chat, listener } = await connectBob(false);
    const story = randomBytes(40), plain = randomBytes(40);
    assert.equal((await send({ story: true, content: story, ts: Date.now() })).status, 200);
    const r = await send({ story: false, content: plain, ts: Date.now() });
    assert.equal(r.status, 200, r.text);
    // the sealed message sent after the story arrives, the story does not
    await listener.waitFor(() => listener.envelopes.length >= 1, 5000, 'sealed message delivery');
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(listener.envelopes.length, 1, 'only the non-story envelope');
    const e = decodeEnvelope(listener.envelopes[0].envelope);
    assert.notEqual(e.story, true);
    assert.deepEqual(e.content, plain);
    listener.envelopes[0].ack.send(200);
    await disconnect(chat);

    // acknowledged for the client: a story socket later does not get it either
    ({ chat, listener } = await connectBob(true));
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(listener.envelopes.length, 0, 'the story was dropped, not kept');
    await disconnect(chat);
});

test('story to an unknown account: 200, nothing leaks', async () => {
    const r = await chatRequest(unauth, 'PUT', '/v1/messages/0b3c4a1e-0000-4000-8000-00000000beef?story=true', {
        json: { messages: [{ type: 6, destinationDeviceId: 1, destinationRegistrationId: 1, content: b64(randomBytes(8)) }], timestamp: Date.now() },
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { needsSync: false });
});
