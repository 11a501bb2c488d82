// In-memory implementations of libsignal's protocol store interfaces, one set per local
// identity (ACI or PNI of one device). Records are kept serialized, as a real client would
// persist them, so a broken record fails at deserialize time instead of being hidden.
import {
    IdentityKeyStore, SessionStore, PreKeyStore, SignedPreKeyStore, KyberPreKeyStore,
    SessionRecord, PreKeyRecord, SignedPreKeyRecord, KyberPreKeyRecord, PublicKey,
    IdentityChange,
} from '@signalapp/libsignal-client';

export class MemIdentityKeyStore extends IdentityKeyStore {
    constructor(identityKeyPair, registrationId) {
        super();
        this.identityKeyPair = identityKeyPair;
        this.registrationId = registrationId;
        this.known = new Map();
    }
    async getIdentityKey() { return this.identityKeyPair.privateKey; }
    async getLocalRegistrationId() { return this.registrationId; }
    async saveIdentity(name, key) {
        const k = name.toString();
        const prev = this.known.get(k);
        this.known.set(k, Buffer.from(key.serialize()));
        if (prev && !prev.equals(Buffer.from(key.serialize()))) return IdentityChange.ReplacedExisting;
        return IdentityChange.NewOrUnchanged;
    }
    async isTrustedIdentity(name, key) {
        const prev = this.known.get(name.toString());
        return !prev || prev.equals(Buffer.from(key.serialize()));
    }
    async getIdentity(name) {
        const prev = this.known.get(name.toString());
        return prev ? PublicKey.deserialize(new Uint8Array(prev)) : null;
    }
}

export class MemSessionStore extends SessionStore {
    constructor() { super(); this.sessions = new Map(); }
    async saveSession(name, record) { this.sessions.set(name.toString(), record.serialize()); }
    async getSession(name) {
        const s = this.sessions.get(name.toString());
        return s ? SessionRecord.deserialize(s) : null;
    }
    async getExistingSessions(addresses) {
        return addresses.map((a) => {
            const s = this.sessions.get(a.toString());
            if (!s) throw new Error(`no session for ${a.toString()}`);
            return SessionRecord.deserialize(s);
        });
    }
}

export class MemPreKeyStore extends PreKeyStore {
    constructor() { super(); this.keys = new Map(); this.removed = []; }
    async savePreKey(id, record) { this.keys.set(id, record.serialize()); }
    async getPreKey(id) {
        const r = this.keys.get(id);
        if (!r) throw new Error(`no prekey ${id}`);
        return PreKeyRecord.deserialize(r);
    }
    async removePreKey(id) { this.keys.delete(id); this.removed.push(id); }
}

export class MemSignedPreKeyStore extends SignedPreKeyStore {
    constructor() { super(); this.keys = new Map(); }
    async saveSignedPreKey(id, record) { this.keys.set(id, record.serialize()); }
    async getSignedPreKey(id) {
        const r = this.keys.get(id);
        if (!r) throw new Error(`no signed prekey ${id}`);
        return SignedPreKeyRecord.deserialize(r);
    }
}

export class MemKyberPreKeyStore extends KyberPreKeyStore {
    constructor() { super(); this.keys = new Map(); this.used = []; }
    async saveKyberPreKey(id, record) { this.keys.set(id, record.serialize()); }
    async getKyberPreKey(id) {
        const r = this.keys.get(id);
        if (!r) throw new Error(`no kyber prekey ${id}`);
        return KyberPreKeyRecord.deserialize(r);
    }
    async markKyberPreKeyUsed(id) { this.used.push(id); }
}

/** All stores for one local identity. */
export function makeStores(identityKeyPair, registrationId) {
    return {
        identity: new MemIdentityKeyStore(identityKeyPair, registrationId),
        session: new MemSessionStore(),
        preKey: new MemPreKeyStore(),
        signedPreKey: new MemSignedPreKeyStore(),
        kyberPreKey: new MemKyberPreKeyStore(),
    };
}
