// Registers one throwaway account on the stack named by $HELIOGRAPH_ENV (through the e2e
// helpers and libsignal) and prints "<aci>.<deviceId> <password>" for relay_test.py.
// Run from tests/e2e (node_modules): node ../integration/relay_account.mjs
import { makeNet } from '../e2e/lib/net.mjs';
import { registerAccount } from '../e2e/lib/account.mjs';
import { collectNative } from '../e2e/lib/teardown.mjs';

const net = makeNet();
const acc = await registerAccount(net, { block: 9 });
console.log(`${acc.login} ${acc.password}`);
await collectNative();
process.exit(0);
