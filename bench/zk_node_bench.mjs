// The operations of bench/zk_bench.c timed in libsignal's Node binding (the Rust zkgroup that
// Signal-Server calls through its Java binding), with the same vector inputs, so the two can be
// compared on one machine (bench/zk_compare.sh).  Prints "<name> <ops/s> ops/s" lines with the
// names zk_bench uses.  libsignal comes from tests/e2e/node_modules (npm ci there first).
//
// Usage: node bench/zk_node_bench.mjs [VECTOR_DIR] [SECONDS_PER_OP]
//
// Each call crosses N-API and deserializes the parameter sets the way every language binding
// (Java included) does: the figures are what a server pays through a binding, slightly below
// the Rust core alone.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOP = path.resolve(HERE, '..');
const vecDir = process.argv[2] ?? path.join(TOP, 'tests/vectors');
const seconds = Number(process.argv[3] ?? 1);

const require = createRequire(path.join(TOP, 'tests/e2e/package.json'));
const pkgDir = path.dirname(require.resolve('@signalapp/libsignal-client/package.json'));
const ls = await import(pathToFileURL(path.join(pkgDir, 'dist/index.js')).href);
const zk = await import(pathToFileURL(path.join(pkgDir, 'zkgroup.js')).href);
const usernames = await import(pathToFileURL(path.join(pkgDir, 'dist/usernames.js')).href);
const { Aci, Pni, ServiceId } = ls;

const load = (name) => JSON.parse(fs.readFileSync(path.join(vecDir, name), 'utf8'));
const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const rnd = new Uint8Array(32); rnd[0] = 1;                  // zk_bench: {1}
const uuidBytes = (b) => { const u = new Array(16).fill(0); u[0] = b; return u; };
const aci = Aci.fromUuidBytes(uuidBytes(2));                 // zk_bench: aci = {2}
const pni = Pni.fromUuidBytes(uuidBytes(3));                 // zk_bench: pni = {3}

function bench(name, fn) {
    for (let i = 0; i < 20; i++) fn();                      // warm-up
    let n = 0;
    const t0 = process.hrtime.bigint();
    const budget = BigInt(Math.round(seconds * 1e9));
    let dt;
    do {
        for (let i = 0; i < 20; i++) fn();
        n += 20;
        dt = process.hrtime.bigint() - t0;
    } while (dt < budget);
    const ops = n / (Number(dt) / 1e9);
    console.log(`${name.padEnd(40)} ${ops.toFixed(1).padStart(10)} ops/s`);
}

const params = load('zkgroup-params.json');
const sp = new zk.ServerSecretParams(hex(params.server_params[0].server_secret_params));
const chat = new zk.GenericServerSecretParams(hex(params.generic_server_params[1].generic_server_secret_params));
const cl = load('zkgroup-calllink.json');
const calling = new zk.GenericServerSecretParams(hex(cl.modes[0].generic_server_secret_params));
const gs = load('zkgroup-groupsend.json');
const prof = load('zkgroup-profile.json');
const rc = load('zkgroup-receipt.json');
const bk = load('zkgroup-backup.json');
const dn = load('zkgroup-donation.json');
const un = load('usernames.json');

const authOps = new zk.ServerZkAuthOperations(sp);
bench('auth credential with pni', () => authOps.issueAuthCredentialWithPniZkcWithRandom(rnd, aci, pni, 1770681600));
bench('call link auth credential', () => zk.CallLinkAuthCredentialResponse.issueCredentialWithRandom(aci, 1770681600, calling, rnd));
const cclReq = new zk.CreateCallLinkCredentialRequest(hex(cl.modes[0].create_call_link_credential.request));
bench('create call link credential', () => cclReq.issueCredentialWithRandom(aci, 1770681600, calling, rnd));

const gsCase = gs.verification_cases[0];
const token = new zk.GroupSendFullToken(hex(gsCase.token));
const rcpts = gsCase.service_ids.map((s) => ServiceId.parseFromServiceIdString(s));
const gsNow = new Date(gsCase.now * 1000);
// Signal-Server derives the key pair for the token's expiration on every request; so does C.
bench('group send token verify (3 recipients)', () =>
    token.verify(rcpts, zk.GroupSendDerivedKeyPair.forExpiration(token.getExpiration(), sp), gsNow));

const profOps = new zk.ServerZkProfileOperations(sp);
const profReq = new zk.ProfileKeyCredentialRequest(hex(prof.credential_request));
const profCommit = new zk.ProfileKeyCommitment(hex(prof.profile_key_commitment));
bench('expiring profile key credential', () =>
    profOps.issueExpiringProfileKeyCredentialWithRandom(rnd, profReq, aci, profCommit, 1771286400));

const rcOps = new zk.ServerZkReceiptOperations(sp);
const rcReq = new zk.ReceiptCredentialRequest(hex(rc.flows[0].receipt_credential_request));
bench('receipt credential', () => rcOps.issueReceiptCredentialWithRandom(rnd, rcReq, 1773273600, 1n));
const rcPres = new zk.ReceiptCredentialPresentation(hex(rc.presentation_verification_cases[0].presentation));
bench('receipt presentation verify', () => rcOps.verifyReceiptCredentialPresentation(rcPres));

const bkReq = new zk.BackupAuthCredentialRequest(hex(bk.backup_auth_credential_request));
bench('backup auth credential', () =>
    bkReq.issueCredentialWithRandom(1770681600, zk.BackupLevel.Free, zk.BackupCredentialType.Messages, chat, rnd));
const bkPres = new zk.BackupAuthCredentialPresentation(hex(bk.presentation.verification_cases[0].presentation));
const bkNow = new Date(1770724800 * 1000);
bench('backup presentation verify', () => bkPres.verify(chat, bkNow));

const dnReq = new zk.DonationPermitRequest(hex(dn.request));
const dnExp = new Date(1770854400 * 1000);
bench('donation permits (request as in vector)', () =>
    dnReq.issue(zk.DonationPermitDerivedKeyPair.forExpiration(dnExp, sp)));
const permit = new zk.DonationPermit(hex(dn.verification_cases[0].permit));
const dnNow = new Date(1770724800 * 1000);
bench('donation permit verify', () =>
    permit.verify(zk.DonationPermitDerivedKeyPair.forExpiration(permit.expiration, sp), dnNow));

const uhash = hex(un.proof_verification_cases[0].hash);
const uproof = hex(un.proof_verification_cases[0].proof);
bench('username proof verify', () => usernames.verifyProof(uproof, uhash));
