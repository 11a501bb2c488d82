// Integration test of the push sender (shared/push/, run by hg_push_sender exactly as the relay
// runs push_sender_run) against a real MariaDB and the provider stand-in (push_standin.mjs).
//
// Env: HG_TEST_CONF     heliograph.conf of a running stack (tests/stack/start.sh); unset = skip
//      HG_PUSH_SENDER   the hg_push_sender binary (default: ./tests/integration/hg_push_sender)
// Keys are generated for the run with openssl; nothing secret is kept.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { startStandin } from './push_standin.mjs';

const run = promisify(execFile);
const SKIP = 77;

let failures = 0;
let checks = 0;
function ok(cond, what, detail) {
  checks++;
  if (cond) {
    console.log(`ok ${checks} - ${what}`);
  } else {
    failures++;
    console.log(`not ok ${checks} - ${what}${detail !== undefined ? `: ${JSON.stringify(detail)}` : ''}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readConf(file, depth = 0) {
  const out = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(t);
    if (m[1] === 'include' && depth < 4) {
      try {
        Object.assign(out, readConf(m[2], depth + 1));
      } catch {
        /* unreadable includes are the stack's business */
      }
    } else {
      out[m[1]] = m[2];
    }
  }
  return out;
}

const confPath = process.env.HG_TEST_CONF;
if (!confPath || !fs.existsSync(confPath)) {
  console.log('push integration: skipped, HG_TEST_CONF not set');
  process.exit(SKIP);
}
const conf = readConf(confPath);
const sender = path.resolve(process.env.HG_PUSH_SENDER || './tests/integration/hg_push_sender');
if (!fs.existsSync(sender)) {
  console.log(`push integration: skipped, ${sender} not built`);
  process.exit(SKIP);
}
const dbArgs = ['--no-defaults', `--user=${conf.db_user || 'root'}`, '-N', '-B'];
if (conf.db_socket) dbArgs.push('--protocol=socket', `--socket=${conf.db_socket}`);
else dbArgs.push(`--host=${conf.db_host || '127.0.0.1'}`, `--port=${conf.db_port || 3306}`);
if (conf.db_password) dbArgs.push(`--password=${conf.db_password}`);
dbArgs.push(conf.db_name || 'heliograph');

async function sql(q) {
  const { stdout } = await run('mariadb', [...dbArgs, '-e', q]);
  return stdout.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}
try {
  await sql('SELECT 1 FROM push_queue LIMIT 1');
  await sql('SELECT 1 FROM push_background LIMIT 1');
} catch (e) {
  console.log(`push integration: skipped, database not reachable or schema missing (${e.message.split('\n')[0]})`);
  process.exit(SKIP);
}

// ---- keys and a TLS certificate (generated now), stand-ins ------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hg-push-'));
const apnsKey = path.join(dir, 'AuthKey_TESTKEY123.p8');
const saKey = path.join(dir, 'sa-key.pem');
const tlsKey = path.join(dir, 'tls-key.pem');
const tlsCert = path.join(dir, 'tls-cert.pem');
await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', apnsKey]);
await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', saKey]);
await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
  '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
  '-keyout', tlsKey, '-out', tlsCert]);
const pub = (f) => crypto.createPublicKey(fs.readFileSync(f)).export({ type: 'spki', format: 'pem' });

const ids = {
  teamId: 'TEAMID1234',
  keyId: 'TESTKEY123',
  topic: 'org.heliograph.test',
  email: 'push@hg-test.iam.gserviceaccount.com',
  project: 'hg-test-project',
};
// A stand-in plus the service-account file naming its token endpoint.
async function makeStandin(tls) {
  const st = await startStandin({
    apnsPublicKey: pub(apnsKey),
    apnsKeyId: ids.keyId,
    apnsTeamId: ids.teamId,
    apnsTopic: ids.topic,
    saPublicKey: pub(saKey),
    saClientEmail: ids.email,
    projectId: ids.project,
    tls: tls ? { key: fs.readFileSync(tlsKey), cert: fs.readFileSync(tlsCert) } : undefined,
  });
  st.saFile = path.join(dir, `service-account-${tls ? 'tls' : 'h2c'}.json`);
  fs.writeFileSync(st.saFile, JSON.stringify({
    type: 'service_account',
    project_id: ids.project,
    private_key_id: 'sa-kid-1',
    private_key: fs.readFileSync(saKey, 'utf8'),
    client_email: ids.email,
    token_uri: `${st.url}/token`,
  }), { mode: 0o600 });
  return st;
}

// ---- devices and queued pushes ----------------------------------------------------------------
const hex = (n) => crypto.randomBytes(n).toString('hex');
const run8 = hex(4);    // makes this run's tokens unique
const now = Date.now();
const q = (v) => (v === undefined ? 'NULL' : `'${v}'`);
const allAcis = [];
// cases: name -> { apn, gcm, urgent, dev, device (false: no devices row), bg (last background
// ms), nb (not_before_ms) }; fills in c.aci.
async function insertCases(cases) {
  for (const c of Object.values(cases)) {
    c.aci = hex(16);
    c.dev = c.dev || 1;
    allAcis.push(c.aci);
    if (c.device !== false) {
      await sql(`INSERT INTO devices (aci, device_id, auth_hash, auth_salt, registration_id,
        apn_token, gcm_token, created_ms, last_seen_ms) VALUES (UNHEX('${c.aci}'), ${c.dev}, 'x',
        'y', 1, ${q(c.apn)}, ${q(c.gcm)}, ${now}, ${now})`);
    }
    if (c.bg) await sql(`INSERT INTO push_background VALUES (UNHEX('${c.aci}'), ${c.dev}, ${c.bg})`);
    await sql(`INSERT INTO push_queue (aci, device_id, urgent, attempts, not_before_ms, created_ms)
      VALUES (UNHEX('${c.aci}'), ${c.dev}, ${c.urgent}, 0, ${c.nb || now}, ${now})`);
  }
}
const inList = (cases) => Object.values(cases).map((c) => `UNHEX('${c.aci}')`).join(',');
const queueRows = async (cases) => new Map((await sql(
  `SELECT HEX(aci), not_before_ms, attempts FROM push_queue WHERE aci IN (${inList(cases)})`))
  .map(([a, nb, at]) => [a.toLowerCase(), { nb: Number(nb), attempts: Number(at) }]));
const tokensOf = async (c) => {
  const r = await sql(`SELECT IFNULL(apn_token,'-'), IFNULL(gcm_token,'-') FROM devices
    WHERE aci = UNHEX('${c.aci}') AND device_id = ${c.dev}`);
  return r.length ? { apn: r[0][0] === '-' ? null : r[0][0], gcm: r[0][1] === '-' ? null : r[0][1] } : null;
};

function startSender(st, extra, logName) {
  const args = ['-f', confPath, '-v',
    '-o', 'push_enabled=1',
    '-o', `apns_base_url=${st.url}`,
    '-o', `apns_team_id=${ids.teamId}`,
    '-o', `apns_key_id=${ids.keyId}`,
    '-o', `apns_key_file=${apnsKey}`,
    '-o', `apns_bundle_id=${ids.topic}`,
    '-o', `fcm_base_url=${st.url}`,
    '-o', `fcm_service_account_file=${st.saFile}`,
    ...extra.flatMap((kv) => ['-o', kv])];
  const child = spawn(sender, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = { text: '', name: logName };
  child.stderr.on('data', (d) => { log.text += d; });
  const exited = new Promise((r) => child.on('exit', (code, sig) => r({ code, sig })));
  return { child, log, exited };
}

// Run a sender until every row of cases except expectLeft is gone (or 30 s); returns the rows
// left and the sender's log.
async function drain(st, extra, cases, expectLeft, logName) {
  const s = startSender(st, extra, logName);
  const left = new Set(expectLeft.map((c) => c.aci));
  let rows;
  const deadline = Date.now() + 30000;
  for (;;) {
    rows = await queueRows(cases);
    if ([...rows.keys()].every((a) => left.has(a)) || Date.now() > deadline) break;
    await sleep(200);
  }
  s.child.kill('SIGTERM');
  const ex = await s.exited;
  fs.writeFileSync(path.join(dir, logName), s.log.text);
  ok(ex.code === 0, `${logName}: sender stops cleanly on SIGTERM`, ex);
  ok([...rows.keys()].every((a) => left.has(a)), `${logName}: queue drained (all due rows done)`,
    [...rows.keys()]);
  return { rows, log: s.log.text };
}

const reqsOf = (st) => (kind, token) => st.log.filter((e) => e.kind === kind && (token === undefined || e.token === token));
function noProblems(st, what) {
  const problems = st.log.filter((e) => e.problems.length).map((e) => ({ path: e.kind, p: e.problems }));
  ok(problems.length === 0, `${what}: every request protocol-correct (headers, JWTs, payloads)`, problems);
  ok(!st.log.some((e) => e.kind === 'other'), `${what}: no unexpected paths`);
}

const h2c = await makeStandin(false);
const tls = await makeStandin(true);
const cases = {
  apnUrgent: { apn: `aa${run8}${hex(28)}`, urgent: 1 },
  apnBackground: { apn: `bb${run8}${hex(28)}`, urgent: 0 },
  apnUnregistered: { apn: `dead${run8}${hex(26)}`, urgent: 1 },
  apnBadToken: { apn: `bad0${run8}${hex(26)}`, urgent: 1 },
  apnFlaky: { apn: `5030${run8}${hex(26)}`, urgent: 1 },
  fcmUrgent: { gcm: `fcm-ok-${run8}:APA91b${hex(20)}`, urgent: 1 },
  fcmNormal: { gcm: `fcm-nu-${run8}:APA91b${hex(20)}`, urgent: 0, dev: 2 },
  fcmUnregistered: { gcm: `unreg-${run8}:APA91b${hex(20)}`, urgent: 1 },
  fcmFlaky: { gcm: `flaky-${run8}:APA91b${hex(20)}`, urgent: 1 },
  fcmInvalid: { gcm: `invalid-${run8}:${hex(10)}`, urgent: 1 },
  bothTokens: { apn: `cc${run8}${hex(28)}`, gcm: `fcm-both-${run8}:${hex(10)}`, urgent: 1 },
  noToken: { urgent: 1 },
  noDevice: { device: false, urgent: 1 },
  throttled: { apn: `ee${run8}${hex(28)}`, urgent: 0, bg: now - 5 * 60 * 1000 },
  future: { apn: `ff${run8}${hex(28)}`, urgent: 1, nb: now + 3600 * 1000 },
};
const tlsCases = {
  a1: { apn: `a1${run8}${hex(28)}`, urgent: 1 },
  a2: { apn: `a2${run8}${hex(28)}`, urgent: 1 },
  a3: { apn: `a3${run8}${hex(28)}`, urgent: 0 },
  aFlaky: { apn: `5030${run8}${hex(26)}`, urgent: 1 },
  f1: { gcm: `fcm-t1-${run8}:${hex(10)}`, urgent: 1 },
  f2: { gcm: `fcm-t2-${run8}:${hex(10)}`, urgent: 0 },
  fUnreg: { gcm: `unreg-t-${run8}:${hex(10)}`, urgent: 1 },
};
await insertCases(cases);
let exitCode = 1;
try {
  // ---- 1. disabled: logs once, idles, leaves the queue alone -----------------------------------
  {
    const s = startSender(h2c, ['push_enabled=0'], 'idle.log');
    await sleep(1500);
    s.child.kill('SIGTERM');
    const ex = await s.exited;
    ok(ex.code === 0, 'disabled sender stops cleanly on SIGTERM', ex);
    ok((s.log.text.match(/push_enabled is 0/g) || []).length === 1, 'disabled sender logs once', s.log.text);
    ok((await queueRows(cases)).size === Object.keys(cases).length, 'disabled sender leaves the queue alone');
    ok(h2c.log.length === 0, 'disabled sender sends nothing', h2c.log.length);
  }

  // ---- 2. every provider behaviour, over h2c (prior knowledge) ---------------------------------
  {
    const { rows, log } = await drain(h2c, [], cases, [cases.throttled, cases.future], 'sender-h2c.log');
    const reqs = reqsOf(h2c);
    noProblems(h2c, 'h2c');

    const au = reqs('apns', cases.apnUrgent.apn);
    ok(au.length === 1 && au[0].status === 200, 'APNs urgent: one request, 200', au.map((e) => e.status));
    if (au.length) {
      const h = au[0].headers;
      ok(h['apns-push-type'] === 'alert' && h['apns-priority'] === '10' &&
        h['apns-collapse-id'] === 'incoming-message' && h['apns-topic'] === ids.topic,
      'APNs urgent headers: alert / 10 / incoming-message / topic', h);
      ok(au[0].payload?.aps?.alert?.['loc-key'] === 'APN_Message' && au[0].payload.aps['mutable-content'] === 1,
        'APNs urgent payload', au[0].payload);
      ok(h[':scheme'] === 'http' && h[':method'] === 'POST', 'APNs over HTTP/2 POST', h[':scheme']);
    }
    const ab = reqs('apns', cases.apnBackground.apn);
    ok(ab.length === 1 && ab[0].status === 200, 'APNs background: one request, 200');
    if (ab.length) {
      const h = ab[0].headers;
      ok(h['apns-push-type'] === 'background' && h['apns-priority'] === '5' && h['apns-collapse-id'] === undefined,
        'APNs background headers: background / 5 / no collapse id', h);
      ok(ab[0].payload?.aps?.['content-available'] === 1, 'APNs background payload', ab[0].payload);
    }
    const bgRow = await sql(`SELECT last_sent_ms FROM push_background WHERE aci = UNHEX('${cases.apnBackground.aci}')`);
    ok(bgRow.length === 1 && Number(bgRow[0][0]) >= now, 'background push recorded in push_background', bgRow);
    const jwts = new Set(h2c.log.filter((e) => e.kind === 'apns' && e.jwt).map((e) => e.jwt));
    ok(jwts.size === 1, 'one APNs provider token reused for every request', jwts.size);

    ok(reqs('apns', cases.apnUnregistered.apn).map((e) => e.status).join() === '410', 'APNs 410 Unregistered');
    ok((await tokensOf(cases.apnUnregistered)).apn === null, 'APNs 410: apn_token cleared');
    ok(reqs('apns', cases.apnBadToken.apn).map((e) => e.status).join() === '400', 'APNs 400 BadDeviceToken');
    ok((await tokensOf(cases.apnBadToken)).apn === null, 'APNs BadDeviceToken: apn_token cleared');
    const af = reqs('apns', cases.apnFlaky.apn);
    ok(af.map((e) => e.status).join() === '503,200', 'APNs 503 retried, then 200', af.map((e) => e.status));
    if (af.length === 2) {
      const gap = af[1].at - af[0].at;
      ok(gap >= 900, 'APNs retry waited (Retry-After 1 s / back-off)', gap);
    }
    ok((await tokensOf(cases.apnFlaky)).apn === cases.apnFlaky.apn, 'APNs 503: token kept');

    const oauth = h2c.log.filter((e) => e.kind === 'oauth');
    ok(oauth.length === 1 && oauth[0].status === 200, 'one OAuth2 token request (access token cached)', oauth.length);
    if (oauth.length) {
      ok(oauth[0].claims?.iss === ids.email && oauth[0].claims?.aud === `${h2c.url}/token`,
        'JWT-bearer assertion claims', oauth[0].claims);
    }
    const fu = reqs('fcm', cases.fcmUrgent.gcm);
    ok(fu.length === 1 && fu[0].status === 200, 'FCM urgent: one request, 200');
    if (fu.length) {
      ok(fu[0].payload?.message?.android?.priority === 'high', 'FCM urgent: priority high', fu[0].payload);
      ok(fu[0].headers.authorization === 'Bearer ya29.standin-1', 'FCM Bearer access token', fu[0].headers.authorization);
      ok(fu[0].path === `/v1/projects/${ids.project}/messages:send`, 'FCM HTTP v1 path', fu[0].path);
    }
    const fnu = reqs('fcm', cases.fcmNormal.gcm);
    ok(fnu.length === 1 && fnu[0].payload?.message?.android?.priority === 'normal', 'FCM non-urgent: priority normal',
      fnu.map((e) => e.payload));
    ok(reqs('fcm', cases.fcmUnregistered.gcm).map((e) => e.status).join() === '404', 'FCM 404 UNREGISTERED');
    ok((await tokensOf(cases.fcmUnregistered)).gcm === null, 'FCM UNREGISTERED: gcm_token cleared');
    const ff = reqs('fcm', cases.fcmFlaky.gcm);
    ok(ff.map((e) => e.status).join() === '503,200', 'FCM 503 retried, then 200', ff.map((e) => e.status));
    const fi = reqs('fcm', cases.fcmInvalid.gcm);
    ok(fi.map((e) => e.status).join() === '400', 'FCM INVALID_ARGUMENT: sent once, not retried', fi.map((e) => e.status));
    ok((await tokensOf(cases.fcmInvalid)).gcm === cases.fcmInvalid.gcm,
      'FCM INVALID_ARGUMENT: token kept (Signal clears on UNREGISTERED only)');

    ok(reqs('fcm', cases.bothTokens.gcm).length === 1 && reqs('apns', cases.bothTokens.apn).length === 0,
      'device with both tokens: FCM preferred');
    const thr = rows.get(cases.throttled.aci);
    ok(thr && reqs('apns', cases.throttled.apn).length === 0 &&
      Math.abs(thr.nb - (cases.throttled.bg + 20 * 60 * 1000)) < 5 && thr.attempts === 0,
    'background push within 20 min of the last one: deferred to last + 20 min, not sent', thr);
    const fut = rows.get(cases.future.aci);
    ok(fut && fut.nb === cases.future.nb && reqs('apns', cases.future.apn).length === 0,
      'row not yet due: untouched', fut);
    ok(/push: sender running \(APNs on, FCM on\)/.test(log), 'sender logs that it runs');
    ok(!log.includes(cases.apnUrgent.apn) && !log.includes(cases.fcmUrgent.gcm), 'device tokens never logged');
  }

  // ---- 3. over TLS (ALPN h2, as in production): connections are kept and multiplexed -----------
  {
    await insertCases(tlsCases);
    await drain(tls, [`push_ca_file=${tlsCert}`], tlsCases, [], 'sender-tls.log');
    const reqs = reqsOf(tls);
    noProblems(tls, 'TLS');
    const sent = (c, kind) => reqs(kind, kind === 'apns' ? c.apn : c.gcm).map((e) => e.status).join();
    ok(['a1', 'a2', 'a3'].every((k) => sent(tlsCases[k], 'apns') === '200'), 'TLS: APNs sends 200');
    ok(sent(tlsCases.aFlaky, 'apns') === '503,200', 'TLS: APNs 503 retried');
    ok(sent(tlsCases.f1, 'fcm') === '200' && sent(tlsCases.f2, 'fcm') === '200', 'TLS: FCM sends 200');
    ok(sent(tlsCases.fUnreg, 'fcm') === '404' && (await tokensOf(tlsCases.fUnreg)).gcm === null,
      'TLS: FCM UNREGISTERED clears the token');
    ok(tls.log.every((e) => e.headers[':scheme'] === 'https'), 'TLS: https scheme');
    const apnsSessions = new Set(reqs('apns').map((e) => e.session));
    const fcmSessions = new Set([...reqs('fcm'), ...reqs('oauth')].map((e) => e.session));
    ok(apnsSessions.size === 1, 'TLS: one APNs connection for every send (HTTP/2 kept open)', [...apnsSessions]);
    ok(fcmSessions.size === 1, 'TLS: one connection for FCM and its token endpoint', [...fcmSessions]);
  }
  // ---- 4. two senders at once take disjoint rows (FOR UPDATE SKIP LOCKED + lease) ------------
  {
    const many = {};
    for (let i = 0; i < 40; i++) many[`m${i}`] = { apn: `d${String(i).padStart(2, '0')}${run8}${hex(27)}`, urgent: 1 };
    await insertCases(many);
    const before = h2c.log.length;
    const s1 = startSender(h2c, [], 'sender-a.log');
    const s2 = startSender(h2c, [], 'sender-b.log');
    const deadline = Date.now() + 30000;
    while ((await queueRows(many)).size > 0 && Date.now() < deadline) await sleep(200);
    s1.child.kill('SIGTERM');
    s2.child.kill('SIGTERM');
    const [e1, e2] = await Promise.all([s1.exited, s2.exited]);
    ok(e1.code === 0 && e2.code === 0, 'two senders stop cleanly', [e1, e2]);
    ok((await queueRows(many)).size === 0, 'two senders drain the queue');
    const got = h2c.log.slice(before).filter((e) => e.kind === 'apns');
    const perToken = new Map();
    for (const e of got) perToken.set(e.token, (perToken.get(e.token) || 0) + 1);
    ok(Object.values(many).every((c) => perToken.get(c.apn) === 1),
      'two senders: every device pushed exactly once', got.length);
    // each sender signs its own provider token, so the JWTs tell who sent what
    const bySender = new Map();
    for (const e of got) bySender.set(e.jwt, (bySender.get(e.jwt) || 0) + 1);
    console.log(`# pushes per sender: ${[...bySender.values()].join(', ')}`);
  }

  // ---- 5. a hung provider does not hold up shutdown ---------------------------------------------
  {
    const hung = { h: { apn: `ffff0000${run8}${hex(24)}`, urgent: 1 } };
    await insertCases(hung);
    const s = startSender(h2c, [], 'sender-hung.log');
    const deadline = Date.now() + 10000;
    while (!h2c.log.some((e) => e.token === hung.h.apn) && Date.now() < deadline) await sleep(50);
    ok(h2c.log.some((e) => e.token === hung.h.apn), 'hung provider: request in flight');
    const t0 = Date.now();
    s.child.kill('SIGTERM');
    const ex = await s.exited;
    const took = Date.now() - t0;
    ok(ex.code === 0 && took < 2000, 'hung provider: SIGTERM stops the sender at once', { ex, took });
    const row = (await queueRows(hung)).get(hung.h.aci);
    ok(row !== undefined, 'hung provider: the row stays queued for a later try', row);
  }
  exitCode = failures === 0 ? 0 : 1;
} catch (e) {
  console.log(`not ok - test crashed: ${e.stack}`);
  exitCode = 1;
} finally {
  if (allAcis.length) {
    const list = allAcis.map((a) => `UNHEX('${a}')`).join(',');
    await sql(`DELETE FROM push_queue WHERE aci IN (${list})`).catch(() => {});
    await sql(`DELETE FROM push_background WHERE aci IN (${list})`).catch(() => {});
    await sql(`DELETE FROM devices WHERE aci IN (${list})`).catch(() => {});
  }
  await h2c.close();
  await tls.close();
  if (exitCode === 0) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`# artefacts (keys, sender logs) kept in ${dir}`);
}
console.log(`1..${checks}`);
console.log(`push integration: ${checks - failures}/${checks} passed`);
process.exit(exitCode);
