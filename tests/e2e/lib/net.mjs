// libsignal Net against the local stack, and small helpers for raw requests over a chat
// connection (ChatConnection.fetch), which is how the tests reach endpoints that have no typed
// libsignal API over the websocket (in 0.103.0 AuthKeysService is gRPC-only).
import { Net } from '@signalapp/libsignal-client/dist/net.js';
import { loadEnv } from './env.mjs';

export const USER_AGENT = 'Signal-Desktop/7.80.0 heliograph-e2e';

/** A Net in localTestServer mode pointed at the stack's HTTPS port. */
export function makeNet(env = loadEnv()) {
    const port = env.httpsPort;
    return new Net({
        localTestServer: true,
        userAgent: USER_AGENT,
        TESTING_localServer_chatPort: port,
        TESTING_localServer_cdsiPort: port,
        TESTING_localServer_svr2Port: port,
        TESTING_localServer_svrBPort: port,
        TESTING_localServer_rootCertificateDer: env.caDer,
    });
}

/**
 * Fails fast when the chat websocket cannot be opened. libsignal's RegistrationService keeps
 * retrying a failed upgrade with growing back-off (observed 2 s, 7 s, 14 s, 26 s, ...), so a
 * missing relay would otherwise show up as a hung test instead of an error.
 */
export async function assertChatReachable(net) {
    let chat;
    try {
        chat = await net.connectUnauthenticatedChat({ onConnectionInterrupted() {} });
    } catch (e) {
        throw new Error(`chat websocket (GET /v1/websocket/) not usable: ${e.message}`);
    }
    await chat.disconnect();
}

/** A listener that records what the server pushes; tests inspect its arrays. */
export function recordingListener() {
    const l = {
        interrupted: [],
        envelopes: [],
        queueEmpty: 0,
        alerts: null,
        serverTimestamp: null,
        waiters: [],
        onConnectionInterrupted(cause) { l.interrupted.push(cause); },
        onIncomingMessage(envelope, timestamp, ack) {
            l.envelopes.push({ envelope, timestamp, ack });
            l.waiters.splice(0).forEach((w) => w());
        },
        onQueueEmpty() { l.queueEmpty++; l.waiters.splice(0).forEach((w) => w()); },
        onReceivedAlerts(alerts) { l.alerts = alerts; },
        onServerTimestamp(ts) { l.serverTimestamp = ts; },
        /** Resolves once pred() holds, rejects after ms. */
        async waitFor(pred, ms = 5000, what = 'condition') {
            const deadline = Date.now() + ms;
            while (!pred()) {
                const left = deadline - Date.now();
                if (left <= 0) throw new Error(`timed out waiting for ${what}`);
                await new Promise((r) => {
                    const t = setTimeout(r, Math.min(left, 100));
                    l.waiters.push(() => { clearTimeout(t); r(); });
                });
            }
        },
    };
    return l;
}

function headerValue(headers, name) {
    const n = name.toLowerCase();
    for (const [k, v] of headers ?? []) if (k.toLowerCase() === n) return v;
    return undefined;
}

/**
 * Sends one request over a chat connection. `json` is serialized with content-type
 * application/json; `body` (bytes or string) is sent as is. Returns {status, headers,
 * header(name), text, json} where json is the parsed body or undefined.
 */
export async function chatRequest(conn, verb, path, { json, body, headers = [] } = {}) {
    const hdrs = [...headers];
    let bytes;
    if (json !== undefined) {
        bytes = new TextEncoder().encode(JSON.stringify(json));
        hdrs.push(['content-type', 'application/json']);
    } else if (body !== undefined) {
        bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    }
    const req = { verb, path, headers: hdrs, timeoutMillis: 10000 };
    if (bytes) req.body = new Uint8Array(bytes);
    const resp = await conn.fetch(req);
    const text = resp.body ? Buffer.from(resp.body).toString('utf8') : '';
    let parsed;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return {
        status: resp.status,
        headers: resp.headers,
        header: (n) => headerValue(resp.headers, n),
        text,
        json: parsed,
    };
}
