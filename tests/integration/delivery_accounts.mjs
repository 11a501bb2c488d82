// Registers N accounts over REST for delivery_fault_test.py and prints one JSON object per line
// like bench/register.mjs ({"aci","password","e164","registrationId"}), but with numbers from
// +1415556xxxx: the e2e files and the benchmarks share +1415555xxxx, and registering a number
// again replaces that account (which is what (d) of the test checks).
// Usage: HELIOGRAPH_ENV=... node tests/integration/delivery_accounts.mjs N
import { randomInt } from 'node:crypto';
import { registrationBody, verifiedSessionRest, newKeys } from '../e2e/lib/restreg.mjs';
import { rest, closeRest } from '../e2e/lib/rest.mjs';
import { newPassword } from '../e2e/lib/account.mjs';

const n = Number(process.argv[2] ?? 1);
const used = new Set();
function number() {
    for (;;) {
        const e = '+1415556' + String(randomInt(0, 10000)).padStart(4, '0');
        if (!used.has(e)) { used.add(e); return e; }
    }
}
let next = 0;
async function worker() {
    while (next < n) {
        next++;
        const e164 = number(), keys = newKeys(), password = newPassword();
        const sessionId = await verifiedSessionRest(e164);
        const r = await rest('/v1/registration', { method: 'POST', auth: [e164, password],
            json: registrationBody(sessionId, keys) });
        if (r.status !== 200) throw new Error(`registration: ${r.status} ${r.text}`);
        process.stdout.write(JSON.stringify({ aci: r.json.uuid, password, e164,
            registrationId: keys.aci.registrationId }) + '\n');
    }
}
await Promise.all(Array.from({ length: Math.min(8, n) }, worker));
await closeRest();
process.exit(0);
