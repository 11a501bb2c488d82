// Account registration over plain REST, shared by rest.test.mjs and the benchmarks
// (bench/register.mjs): verification session, code, POST /v1/registration with libsignal keys.
import { randomBytes } from 'node:crypto';
import { loadEnv } from './env.mjs';
import { rest } from './rest.mjs';
import { IdentityKeys, signedKeyJson, randomE164, b64 } from './keys.mjs';
import { DEV_CAPTCHA, CAPABILITIES, newPassword } from './account.mjs';

export const newKeys = () => ({ aci: new IdentityKeys(), pni: new IdentityKeys(), uak: randomBytes(16) });

export function registrationBody(sessionId, keys) {
    return {
        sessionId,
        accountAttributes: {
            fetchesMessages: true,
            registrationId: keys.aci.registrationId,
            pniRegistrationId: keys.pni.registrationId,
            // REST clients send the access key as base64 (libsignal sends a byte array).
            unidentifiedAccessKey: b64(keys.uak),
            unrestrictedUnidentifiedAccess: false,
            capabilities: Object.fromEntries(CAPABILITIES.map((c) => [c, true])),
            discoverableByPhoneNumber: true,
            recoveryPassword: b64(randomBytes(32)),
        },
        skipDeviceTransfer: true,
        aciIdentityKey: b64(keys.aci.publicKey.serialize()),
        pniIdentityKey: b64(keys.pni.publicKey.serialize()),
        aciSignedPreKey: signedKeyJson(keys.aci.signedPreKey),
        pniSignedPreKey: signedKeyJson(keys.pni.signedPreKey),
        aciPqLastResortPreKey: signedKeyJson(keys.aci.lastResortKey),
        pniPqLastResortPreKey: signedKeyJson(keys.pni.lastResortKey),
    };
}

function must(r, what) {
    if (r.status !== 200) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r.json;
}

/** A verified session for e164 (captcha, SMS code, submit); returns its id. */
export async function verifiedSessionRest(e164) {
    let s = must(await rest('/v1/verification/session', { method: 'POST', json: { number: e164 } }), 'create session');
    if (!s.allowedToRequestCode) {
        s = must(await rest(`/v1/verification/session/${s.id}`, { method: 'PATCH', json: { captcha: DEV_CAPTCHA } }), 'captcha');
    }
    must(await rest(`/v1/verification/session/${s.id}/code`, { method: 'POST', json: { transport: 'sms', client: 'heliograph' } }), 'request code');
    s = must(await rest(`/v1/verification/session/${s.id}/code`, { method: 'PUT', json: { code: loadEnv().verificationCode } }), 'submit code');
    if (!s.verified) throw new Error('session not verified');
    return s.id;
}

/** Registers a new account over REST: {e164, aci, pni, password, keys, login}. */
export async function registerRest(block) {
    const e164 = randomE164(block);
    const sessionId = await verifiedSessionRest(e164);
    const keys = newKeys();
    const password = newPassword();
    const j = must(await rest('/v1/registration', { method: 'POST', auth: [e164, password], json: registrationBody(sessionId, keys) }), 'registration');
    return { e164, aci: j.uuid, pni: j.pni, password, keys, login: `${j.uuid}.1` };
}
