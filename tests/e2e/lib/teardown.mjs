// Orderly teardown for test files that used libsignal's RegistrationService.
//
// A RegistrationService owns a chat connection but has no close method; if it is still alive
// when Node exits, its native side reports the closing connection to a JS channel that is
// already gone and libsignal 0.103.0 aborts the process (neon "SendError" panic, SIGABRT). A
// forced garbage collection while the event loop still runs drops those objects cleanly.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Collects unreachable libsignal objects and gives their native teardown time to finish. */
export async function collectNative() {
    for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 100));
    }
}
