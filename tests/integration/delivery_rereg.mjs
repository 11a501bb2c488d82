// Registers the number E164 again (new verification session, new keys and password), as a
// phone re-installing Signal; for delivery_fault_test.py (the old sockets must close 4401).
// Usage: HELIOGRAPH_ENV=... node tests/integration/delivery_rereg.mjs E164   Prints the new ACI.
import { registrationBody, verifiedSessionRest, newKeys } from '../e2e/lib/restreg.mjs';
import { rest, closeRest } from '../e2e/lib/rest.mjs';
import { newPassword } from '../e2e/lib/account.mjs';

const e164 = process.argv[2];
const sessionId = await verifiedSessionRest(e164);
const r = await rest('/v1/registration', {
    method: 'POST', auth: [e164, newPassword()], json: registrationBody(sessionId, newKeys()),
});
await closeRest();
if (r.status !== 200) {
    console.error(`re-registration: ${r.status} ${r.text}`);
    process.exit(1);
}
console.log(r.json.uuid);
process.exit(0);
