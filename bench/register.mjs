// Registers N accounts on a running stack over REST and prints one JSON object per line:
// {"aci","password","e164","registrationId","uak"} (uak: the unidentified access key, base64,
// for msg_bench -t mrm). Used by the benchmarks to get real credentials.
// Usage: HELIOGRAPH_ENV=var/heliograph.env node bench/register.mjs N
import { registerRest } from '../tests/e2e/lib/restreg.mjs';
import { closeRest } from '../tests/e2e/lib/rest.mjs';

const n = Number(process.argv[2] ?? 1);
const par = 8;
let next = 0;
async function worker() {
    while (next < n) {
        next++;
        const a = await registerRest(9);
        process.stdout.write(JSON.stringify({ aci: a.aci, password: a.password, e164: a.e164,
            registrationId: a.keys.aci.registrationId, uak: Buffer.from(a.keys.uak).toString('base64') }) + '\n');
    }
}
await Promise.all(Array.from({ length: Math.min(par, n) }, worker));
await closeRest();
process.exit(0);
