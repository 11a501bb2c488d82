// Registering test accounts through libsignal's RegistrationService, the way a real client
// does it: create session → captcha if requested → request SMS code → verify → register.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AccountAttributes } from '@signalapp/libsignal-client/dist/net.js';
import { loadEnv } from './env.mjs';
import { IdentityKeys, randomE164 } from './keys.mjs';

export const DEV_CAPTCHA = 'noop.noop.registration.noop';
export const CAPABILITIES = ['storage', 'spqr'];

/** A registered primary device with all its key material. */
export class Account {
    constructor(fields) { Object.assign(this, fields); }
    /** Basic-auth username as clients send it: "<aci>.<deviceId>". */
    get login() { return `${this.aci}.${this.deviceId}`; }
}

/** Account password in the form the apps use (18 random bytes, base64). */
export function newPassword() {
    return randomBytes(18).toString('base64');
}

/**
 * Runs the verification-session part through libsignal and returns the verified
 * RegistrationService. Asserts every step's outcome.
 */
export async function verifiedSession(net, e164) {
    const env = loadEnv();
    const svc = await net.createRegistrationSession({ e164 });
    assert.ok(svc.sessionId.length > 0, 'session id must be non-empty');
    let state = svc.sessionState;
    assert.equal(state.verified, false, 'new session must not be verified');
    if (!state.allowedToRequestCode || state.requestedInformation.has('captcha')) {
        assert.ok(state.requestedInformation.has('captcha'),
            'a session that may not request a code must ask for a captcha');
        state = await svc.submitCaptcha(DEV_CAPTCHA);
    }
    assert.equal(state.allowedToRequestCode, true, 'dev captcha must unlock code requests');
    assert.equal(state.requestedInformation.size, 0, 'nothing may still be requested');
    await svc.requestVerification({ transport: 'sms', client: 'heliograph-e2e', languages: ['en-US'] });
    const verified = await svc.verifySession(env.verificationCode);
    assert.equal(verified, true, 'dev verification code must verify the session');
    assert.equal(svc.sessionState.verified, true);
    return svc;
}

/**
 * Registers a new account with a random number from `block` (see randomE164) through
 * libsignal, asserting the response. Returns an Account.
 */
export async function registerAccount(net, { block, e164 = randomE164(block) } = {}) {
    const svc = await verifiedSession(net, e164);
    const aciKeys = new IdentityKeys();
    const pniKeys = new IdentityKeys();
    const password = newPassword();
    const unidentifiedAccessKey = new Uint8Array(randomBytes(16));
    const recoveryPassword = new Uint8Array(randomBytes(32));
    const accountAttributes = new AccountAttributes({
        recoveryPassword,
        aciRegistrationId: aciKeys.registrationId,
        pniRegistrationId: pniKeys.registrationId,
        registrationLock: null,
        unidentifiedAccessKey,
        unrestrictedUnidentifiedAccess: false,
        capabilities: new Set(CAPABILITIES),
        discoverableByPhoneNumber: true,
    });
    const resp = await svc.registerAccount({
        accountPassword: password,
        skipDeviceTransfer: true,
        accountAttributes,
        aciPublicKey: aciKeys.publicKey,
        aciSignedPreKey: aciKeys.signedPreKey,
        aciPqLastResortPreKey: aciKeys.lastResortKey,
        pniPublicKey: pniKeys.publicKey,
        pniSignedPreKey: pniKeys.signedPreKey,
        pniPqLastResortPreKey: pniKeys.lastResortKey,
    });
    assert.equal(resp.number, e164, 'response number must be the registered number');
    assert.ok(resp.pni, 'response must carry a PNI');
    const aci = resp.aci.getRawUuid();
    const pni = resp.pni.getRawUuid();
    assert.notEqual(aci, pni, 'ACI and PNI must differ');
    return new Account({
        e164, aci, pni, password, deviceId: 1, aciKeys, pniKeys, unidentifiedAccessKey,
        recoveryPassword, response: resp,
    });
}
