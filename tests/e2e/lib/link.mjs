// Linking a second (third, ...) device to an account registered with restreg.mjs, over REST the
// way a linked client does it: the primary asks for a link token (GET
// /v1/devices/provisioning/code), the new device links with its own password and prekeys
// signed by the account's identity keys (PUT /v1/devices/link).
import { randomInt } from 'node:crypto';
import { PrivateKey, KEMKeyPair, SignedPreKeyRecord, KyberPreKeyRecord } from '@signalapp/libsignal-client';
import { rest } from './rest.mjs';
import { signedKeyJson, b64 } from './keys.mjs';
import { CAPABILITIES, newPassword } from './account.mjs';

/** A signed EC prekey and a last-resort Kyber key for a linked device of one identity. */
export function linkedDeviceKeys(identityKeyPair) {
    const priv = PrivateKey.generate();
    const spk = SignedPreKeyRecord.new(randomInt(1, 1 << 20), Date.now(), priv.getPublicKey(), priv,
        identityKeyPair.privateKey.sign(priv.getPublicKey().serialize()));
    const kp = KEMKeyPair.generate();
    const lr = KyberPreKeyRecord.new(randomInt(1, 1 << 20), Date.now(), kp,
        identityKeyPair.privateKey.sign(kp.getPublicKey().serialize()));
    return { signedPreKey: spk, lastResortKey: lr };
}

/** GET /v1/devices/provisioning/code as the account's primary: {verificationCode, tokenIdentifier}. */
export async function provisioningCode(acct) {
    const r = await rest('/v1/devices/provisioning/code', { auth: [acct.login, acct.password] });
    if (r.status !== 200) throw new Error(`provisioning code: ${r.status} ${r.text}`);
    return r.json;
}

/** The LinkDeviceRequest body for a new device of acct (an object returned by registerRest). */
export function linkBody(acct, verificationCode, dev) {
    return {
        verificationCode,
        accountAttributes: {
            fetchesMessages: true,
            registrationId: dev.registrationId,
            pniRegistrationId: dev.pniRegistrationId,
            name: b64(Buffer.from(`device ${dev.registrationId}`)),
            capabilities: Object.fromEntries(CAPABILITIES.map((c) => [c, true])),
        },
        aciSignedPreKey: signedKeyJson(dev.aci.signedPreKey),
        aciPqLastResortPreKey: signedKeyJson(dev.aci.lastResortKey),
        pniSignedPreKey: signedKeyJson(dev.pni.signedPreKey),
        pniPqLastResortPreKey: signedKeyJson(dev.pni.lastResortKey),
    };
}

/**
 * Links a new device to acct: {deviceId, password, login, registrationId, pniRegistrationId,
 * aci, pni (their signed keys), tokenIdentifier}.
 */
export async function linkDeviceRest(acct) {
    const code = await provisioningCode(acct);
    const dev = {
        password: newPassword(),
        registrationId: randomInt(1, 16380),
        pniRegistrationId: randomInt(1, 16380),
        aci: linkedDeviceKeys(acct.keys.aci.identityKeyPair),
        pni: linkedDeviceKeys(acct.keys.pni.identityKeyPair),
        tokenIdentifier: code.tokenIdentifier,
    };
    const r = await rest('/v1/devices/link', {
        method: 'PUT', auth: [acct.e164, dev.password], json: linkBody(acct, code.verificationCode, dev),
    });
    if (r.status !== 200) throw new Error(`link device: ${r.status} ${r.text}`);
    dev.deviceId = r.json.deviceId;
    dev.login = `${acct.aci}.${dev.deviceId}`;
    dev.response = r.json;
    return dev;
}
