// A local stand-in for the two push providers, speaking their HTTP/2 protocols either in
// cleartext (h2c with prior knowledge, what libcurl uses for http:// base URLs) or over TLS with
// ALPN h2 (opts.tls = { key, cert }, for https:// base URLs as in production):
//
//   APNs  POST /3/device/{token}          ES256 provider token checked against the test public
//                                         key (kid, iss, iat), headers and payload checked
//   OAuth POST /token                     JWT-bearer grant: RS256 assertion checked against the
//                                         service account's public key -> access_token
//   FCM   POST /v1/projects/{p}/messages:send   Bearer access token and HTTP v1 body checked
//   GET   /_log                           every request seen, as JSON (for the test)
//
// Tokens choose the answer, so a test can provoke each provider behaviour:
//   APNs: "dead…" 410 Unregistered, "bad0…" 400 BadDeviceToken, "5030…" 503 once then 200,
//         "ffff0000…" never answered (a hung provider)
//   FCM:  "unreg…" 404 UNREGISTERED, "flaky…" 503 once then 200, "invalid…" 400 INVALID_ARGUMENT
// A request that breaks the protocol is answered the way the provider would (400/403 with a
// reason) and its problems are listed in the log entry.
//
// Library use: import { startStandin } from './push_standin.mjs'.
// Standalone:  node push_standin.mjs CONFIG.json PORT_FILE  (CONFIG: see startStandin's options)
import crypto from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';

const APNS_PAYLOAD = {
  alert: { aps: { alert: { 'loc-key': 'APN_Message' }, 'mutable-content': 1 } },
  background: { aps: { 'content-available': 1 } },
};
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function b64urlJson(s) {
  return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
}

// Verify a compact JWS; returns { header, claims } or throws with the reason.
function verifyJws(jws, alg, publicKey) {
  const parts = String(jws).split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const header = b64urlJson(parts[0]);
  const claims = b64urlJson(parts[1]);
  if (header.alg !== alg) throw new Error(`alg ${header.alg}, expected ${alg}`);
  const sig = Buffer.from(parts[2], 'base64url');
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const key = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
  if (alg === 'ES256' && sig.length !== 64) throw new Error(`ES256 signature of ${sig.length} bytes`);
  if (!crypto.verify('sha256', data, key, sig)) throw new Error('bad signature');
  return { header, claims };
}

function deepEqual(a, b) {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

/**
 * Start the stand-in. opts: { apnsPublicKey (PEM), apnsKeyId, apnsTeamId, apnsTopic,
 * saPublicKey (PEM), saClientEmail, projectId, port (0 = any), host ('127.0.0.1'),
 * tls ({ key, cert } PEM for a certificate valid for "localhost"; absent = cleartext h2c) }.
 * Resolves to { port, url, log, close() }.
 */
export function startStandin(opts) {
  const log = [];
  const seen = new Map();           // token -> number of requests (for the "once" failures)
  const accessTokens = new Set();
  let nextId = 1;
  const server = opts.tls
    ? http2.createSecureServer({ key: opts.tls.key, cert: opts.tls.cert, allowHTTP1: false })
    : http2.createServer();
  let nextSession = 1;
  const sessions = new Set();
  server.on('session', (sess) => {
    sess.hgId = nextSession++;
    sessions.add(sess);
    sess.on('close', () => sessions.delete(sess));
  });

  const count = (tok) => {
    const n = (seen.get(tok) || 0) + 1;
    seen.set(tok, n);
    return n;
  };

  function reply(stream, status, body, headers = {}) {
    stream.respond({ ':status': status, 'content-type': 'application/json', ...headers });
    stream.end(body === undefined ? '' : JSON.stringify(body));
  }

  function apns(stream, h, token, raw, entry) {
    const problems = entry.problems;
    let auth = null;
    try {
      const m = /^bearer (.+)$/.exec(h.authorization || '');
      if (!m) throw new Error('no bearer provider token');
      auth = verifyJws(m[1], 'ES256', opts.apnsPublicKey);
      entry.jwt = m[1];
      if (auth.header.kid !== opts.apnsKeyId) throw new Error(`kid ${auth.header.kid}`);
      if (auth.claims.iss !== opts.apnsTeamId) throw new Error(`iss ${auth.claims.iss}`);
      const age = Date.now() / 1000 - auth.claims.iat;
      if (!(age > -300 && age < 3600)) throw new Error(`iat ${auth.claims.iat} too old`);
    } catch (e) {
      problems.push(`provider token: ${e.message}`);
      return reply(stream, 403, { reason: 'InvalidProviderToken' });
    }
    const type = h['apns-push-type'];
    if (h['apns-topic'] !== opts.apnsTopic) problems.push(`apns-topic ${h['apns-topic']}`);
    if (type !== 'alert' && type !== 'background') problems.push(`apns-push-type ${type}`);
    const wantPrio = type === 'alert' ? '10' : '5';
    if (h['apns-priority'] !== wantPrio) problems.push(`apns-priority ${h['apns-priority']}`);
    const exp = Number(h['apns-expiration']);
    const ttl = exp - Date.now() / 1000;
    if (!(ttl > 29 * 86400 && ttl <= 30 * 86400 + 60)) problems.push(`apns-expiration ${exp}`);
    const collapse = type === 'alert' ? 'incoming-message' : undefined;
    if (h['apns-collapse-id'] !== collapse) problems.push(`apns-collapse-id ${h['apns-collapse-id']}`);
    let payload = null;
    try {
      payload = JSON.parse(raw);
    } catch {
      problems.push('payload is not JSON');
    }
    entry.payload = payload;
    if (payload && APNS_PAYLOAD[type] && !deepEqual(payload, APNS_PAYLOAD[type])) {
      problems.push(`payload ${raw}`);
    }
    if (!/^[0-9a-fA-F]+$/.test(token)) problems.push('token not hex');
    if (problems.length) return reply(stream, 400, { reason: 'BadRequest' });

    if (token.startsWith('dead')) {
      return reply(stream, 410, { reason: 'Unregistered', timestamp: Date.now() });
    }
    if (token.startsWith('bad0')) return reply(stream, 400, { reason: 'BadDeviceToken' });
    if (token.startsWith('ffff0000')) return undefined;     // hang until the client gives up
    if (token.startsWith('5030') && count(token) === 1) {
      return reply(stream, 503, { reason: 'ServiceUnavailable' }, { 'retry-after': '1' });
    }
    stream.respond({ ':status': 200, 'apns-id': crypto.randomUUID() });
    stream.end();
  }

  function oauth(stream, h, raw, entry) {
    const form = new URLSearchParams(raw);
    try {
      if (!(h['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
        throw new Error(`content-type ${h['content-type']}`);
      }
      if (form.get('grant_type') !== JWT_BEARER) throw new Error(`grant_type ${form.get('grant_type')}`);
      const { claims } = verifyJws(form.get('assertion'), 'RS256', opts.saPublicKey);
      entry.claims = claims;
      if (claims.iss !== opts.saClientEmail) throw new Error(`iss ${claims.iss}`);
      if (claims.aud !== `${serverUrl()}/token`) throw new Error(`aud ${claims.aud}`);
      if (!String(claims.scope).split(' ').includes(FCM_SCOPE)) throw new Error(`scope ${claims.scope}`);
      const now = Date.now() / 1000;
      if (!(claims.exp > now && claims.exp - claims.iat <= 3600)) throw new Error('exp/iat');
    } catch (e) {
      entry.problems.push(`assertion: ${e.message}`);
      return reply(stream, 400, { error: 'invalid_grant', error_description: e.message });
    }
    const tok = `ya29.standin-${nextId++}`;
    accessTokens.add(tok);
    reply(stream, 200, { access_token: tok, expires_in: 3599, token_type: 'Bearer' });
  }

  function fcmError(stream, status, rpcStatus, code) {
    reply(stream, status, {
      error: {
        code: status,
        message: code,
        status: rpcStatus,
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code }],
      },
    });
  }

  function fcm(stream, h, project, raw, entry) {
    const problems = entry.problems;
    const m = /^Bearer (.+)$/.exec(h.authorization || '');
    if (!m || !accessTokens.has(m[1])) {
      problems.push('unknown access token');
      return reply(stream, 401, { error: { code: 401, status: 'UNAUTHENTICATED' } });
    }
    if (project !== opts.projectId) problems.push(`project ${project}`);
    let body = null;
    try {
      body = JSON.parse(raw);
    } catch {
      problems.push('body is not JSON');
    }
    const msg = body && body.message;
    entry.payload = body;
    const token = msg && msg.token;
    entry.token = token;
    if (!msg || typeof token !== 'string' || !token) problems.push('message.token missing');
    if (msg) {
      const a = msg.android || {};
      if (a.priority !== 'high' && a.priority !== 'normal') problems.push(`priority ${a.priority}`);
      if (a.ttl !== '2419200s') problems.push(`ttl ${a.ttl}`);
      if (!deepEqual(msg.data, { newMessageAlert: '' })) problems.push(`data ${JSON.stringify(msg.data)}`);
      if (msg.notification !== undefined) problems.push('not a data-only message');
    }
    if (problems.length) return fcmError(stream, 400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT');
    if (token.startsWith('unreg')) return fcmError(stream, 404, 'NOT_FOUND', 'UNREGISTERED');
    if (token.startsWith('invalid')) return fcmError(stream, 400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT');
    if (token.startsWith('flaky') && count(token) === 1) {
      return fcmError(stream, 503, 'UNAVAILABLE', 'UNAVAILABLE');
    }
    reply(stream, 200, { name: `projects/${project}/messages/${nextId++}` });
  }

  let boundPort = 0;
  const serverUrl = () => (opts.tls
    ? `https://localhost:${boundPort}`
    : `http://${opts.host || '127.0.0.1'}:${boundPort}`);

  server.on('stream', (stream, h) => {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = h[':path'] || '';
      const method = h[':method'];
      if (method === 'GET' && path === '/_log') return reply(stream, 200, log);
      const entry = {
        at: Date.now(), method, path, headers: { ...h }, problems: [], session: stream.session?.hgId,
      };
      log.push(entry);
      const done = stream.respond.bind(stream);
      stream.respond = (hdrs, o) => {
        entry.status = hdrs[':status'];
        return done(hdrs, o);
      };
      let m;
      if (method !== 'POST') {
        entry.kind = 'other';
        entry.problems.push(`method ${method}`);
        return reply(stream, 405, { reason: 'MethodNotAllowed' });
      }
      if ((m = /^\/3\/device\/([^/?]+)$/.exec(path))) {
        entry.kind = 'apns';
        entry.token = decodeURIComponent(m[1]);
        return apns(stream, h, entry.token, raw, entry);
      }
      if (path === '/token') {
        entry.kind = 'oauth';
        return oauth(stream, h, raw, entry);
      }
      if ((m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path))) {
        entry.kind = 'fcm';
        return fcm(stream, h, m[1], raw, entry);
      }
      entry.kind = 'other';
      entry.problems.push(`unknown path ${path}`);
      reply(stream, 404, { reason: 'BadPath' });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port || 0, opts.host || '127.0.0.1', () => {
      boundPort = server.address().port;
      resolve({
        port: boundPort,
        url: serverUrl(),
        log,
        close: () => new Promise((r) => {
          server.close(() => r());
          for (const sess of sessions) sess.destroy();
        }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cfgPath, portFile] = process.argv.slice(2);
  if (!cfgPath) {
    console.error('usage: node push_standin.mjs CONFIG.json [PORT_FILE]');
    process.exit(2);
  }
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  const s = await startStandin(cfg);
  if (portFile) fs.writeFileSync(portFile, `${s.port}\n`);
  console.log(`push stand-in on ${s.url}`);
}
