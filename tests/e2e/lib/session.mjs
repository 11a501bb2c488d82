// Building Signal sessions from what the server hands out, and proving they work by a local
// encrypt → decrypt round trip with the recipient's private keys.
import assert from 'node:assert/strict';
import {
    PreKeyBundle, PublicKey, KEMPublicKey, ProtocolAddress, processPreKeyBundle,
    signalEncrypt, signalDecryptPreKey, PreKeySignalMessage, CiphertextMessageType,
} from '@signalapp/libsignal-client';
import { makeStores } from './stores.mjs';

const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));

/** PreKeyBundle for one device entry of a GET /v2/keys/{id}/{dev} JSON response. */
export function bundleFromJson(resp, device) {
    const pre = device.preKey ?? null;
    return PreKeyBundle.new(
        device.registrationId,
        device.deviceId,
        pre ? pre.keyId : null,
        pre ? PublicKey.deserialize(unb64(pre.publicKey)) : null,
        device.signedPreKey.keyId,
        PublicKey.deserialize(unb64(device.signedPreKey.publicKey)),
        unb64(device.signedPreKey.signature),
        PublicKey.deserialize(unb64(resp.identityKey)),
        device.pqPreKey.keyId,
        KEMPublicKey.deserialize(unb64(device.pqPreKey.publicKey)),
        unb64(device.pqPreKey.signature),
    );
}

/**
 * A fresh sender identity (own stores) processes `bundle`, encrypts a message, and the
 * recipient identity (`recipient`: IdentityKeys with the private halves) decrypts it.
 * Throws if libsignal rejects the bundle or the decryption fails.
 */
export async function roundTrip(bundle, recipient, recipientName, sender, senderName) {
    const senderAddr = ProtocolAddress.new(senderName, 1);
    const recipientAddr = ProtocolAddress.new(recipientName, bundle.deviceId());
    const s = sender.stores;
    await processPreKeyBundle(bundle, recipientAddr, senderAddr, s.session, s.identity);
    const plaintext = new TextEncoder().encode(`hello ${recipientName} ${Date.now()}`);
    const ct = await signalEncrypt(plaintext, recipientAddr, senderAddr, s.session, s.identity);
    assert.equal(ct.type(), CiphertextMessageType.PreKey, 'first message must be a PreKey message');
    const r = recipient.stores;
    const msg = PreKeySignalMessage.deserialize(ct.serialize());
    const out = await signalDecryptPreKey(msg, senderAddr, recipientAddr, r.session, r.identity,
        r.preKey, r.signedPreKey, r.kyberPreKey);
    assert.deepEqual(Buffer.from(out), Buffer.from(plaintext), 'decrypted text must match');
    return msg;
}

/** Fresh stores for a throwaway sender, so each round trip starts a new session. */
export function freshSender(identityKeys) {
    return { stores: makeStores(identityKeys.identityKeyPair, identityKeys.registrationId) };
}
