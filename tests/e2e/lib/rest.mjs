// Plain HTTPS REST client for the stack (undici fetch with the stack's CA), the way
// non-libsignal clients and scripts talk to the server.
import { Agent, fetch } from 'undici';
import { loadEnv } from './env.mjs';
import { USER_AGENT } from './net.mjs';

let agent = null;

function getAgent(env) {
    if (!agent) agent = new Agent({ connect: { ca: env.caPem, servername: 'localhost' } });
    return agent;
}

export function basic(user, pass) {
    return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

/**
 * One REST request. opts: method, json (object → JSON body with content-type), body (raw
 * string/bytes), headers (object), auth ([user, pass] → Basic header). Returns {status,
 * headers (Headers), text, json (parsed or undefined)}.
 */
export async function rest(path, opts = {}) {
    const env = loadEnv();
    const headers = { 'user-agent': USER_AGENT, ...(opts.headers ?? {}) };
    let body;
    if (opts.json !== undefined) {
        body = JSON.stringify(opts.json);
        headers['content-type'] = 'application/json';
    } else if (opts.body !== undefined) {
        body = opts.body;
    }
    if (opts.auth) headers.authorization = basic(opts.auth[0], opts.auth[1]);
    const res = await fetch(`https://localhost:${env.httpsPort}${path}`, {
        method: opts.method ?? 'GET',
        headers,
        body,
        dispatcher: getAgent(env),
    });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
}

/** Closes the shared connection pool so the test process can exit promptly. */
export async function closeRest() {
    if (agent) { const a = agent; agent = null; await a.close(); }
}
