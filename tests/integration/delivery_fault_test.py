#!/usr/bin/env python3
"""Delivery under faults (server-reference.md §1.6.8, §6.2), against a running stack, with its own
relays next to the stack's (ports RELAY+2 and RELAY+3, own relay ids):

  (a) relay killed (-9) in the middle of a stream of numbered REST sends, restarted, receiver
      reconnected: every send answered 200 arrives at least once, in per-sender order, and
      duplicates only at the start of the next connection (envelopes unacked at the kill);
  (b) memcached restarted in the middle of a stream (presence records and doorbells lost):
      delivery completes, and the relay resumes it promptly (its memcached watch registers the
      sockets again and rereads the queues); the resume time is printed and bounded;
  (c) two relays on the same store: a device on relay B receives what a device on relay A sends
      over its socket; a second socket of that device on A closes the one on B with 4409
      (relay_test.sh checks the other direction);
  (d) re-registration of a number and DELETE /v1/accounts/me close the account's socket 4401;
  (e) retention: an expired row is removed by the relay's expiry sweep.

Usage: delivery_fault_test.py ENV_FILE ACCOUNTS_JSONL RELAY_BIN REREG_SCRIPT [N]
ACCOUNTS_JSONL: at least 22 accounts from delivery_accounts.mjs. Stdlib only (plus node for
re-registration). Exit 0 when every check passed."""
import base64
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from relay_test import (check, conf_file, env_file, fld, mc_cmd, mc_get, pb_parse,  # noqa: E402
                        ws_request, ws_response, FAILS)

SENDERS = 8
RECEIVERS = 5       # per stream: the messages limiter allows 60 per sender->recipient pair


# ---- a chat socket with a reader thread --------------------------------------------------------
class Sock:
    """Authenticated chat socket: acks every PUT /api/v1/message with 200 and records the
    envelopes (type, content, source), answers queue/empty, collects responses to our requests,
    and remembers the close code."""

    def __init__(self, port, login, password, label=''):
        self.label = label
        self.msgs = []                  # (time, envelope fields)
        self.responses = {}
        self.close_code = None
        self.queue_empty = False
        self.cv = threading.Condition()
        auth = base64.b64encode(('%s:%s' % (login, password)).encode()).decode()
        self.s = socket.create_connection(('127.0.0.1', port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(('GET /v1/websocket/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n'
                        'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                        'Sec-WebSocket-Version: 13\r\nAuthorization: Basic %s\r\n\r\n'
                        % (key, auth)).encode())
        buf = b''
        while b'\r\n\r\n' not in buf:
            c = self.s.recv(4096)
            if not c:
                break
            buf += c
        head, _, self.buf = buf.partition(b'\r\n\r\n')
        self.status = int(head.split(b' ')[1]) if head else 0
        self.wlock = threading.Lock()
        self.alive = self.status == 101
        self.s.settimeout(0.5)
        if self.alive:
            self.t = threading.Thread(target=self._run, daemon=True)
            self.t.start()

    def send(self, payload, opcode=2):
        n = len(payload)
        if n < 126:
            hdr = struct.pack('!BB', 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack('!BBH', 0x80 | opcode, 0x80 | 126, n)
        else:
            hdr = struct.pack('!BBQ', 0x80 | opcode, 0x80 | 127, n)
        mask = os.urandom(4)
        data = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        with self.wlock:
            try:
                self.s.sendall(hdr + mask + data)
            except OSError:
                pass

    def _frames(self):
        while True:
            if len(self.buf) < 2:
                return
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 0x7f, 2
            if n == 126:
                if len(self.buf) < 4:
                    return
                n, off = struct.unpack('!H', self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    return
                n, off = struct.unpack('!Q', self.buf[2:10])[0], 10
            if len(self.buf) < off + n:
                return
            p, self.buf = self.buf[off:off + n], self.buf[off + n:]
            yield b0 & 0x0f, p

    def _frame(self, op, p):
        if op == 8:
            with self.cv:
                self.close_code = struct.unpack('!H', p[:2])[0] if len(p) >= 2 else 1005
                self.alive = False
                self.cv.notify_all()
            return False
        if op == 9:
            self.send(p, 10)
            return True
        if op != 2:
            return True
        m = pb_parse(p)
        if m[1][0] == 1:
            r = pb_parse(m[2][0])
            path, rid = r[2][0], r[4][0]
            if path == b'/api/v1/message':
                env = pb_parse(r[3][0]) if 3 in r else {}
                with self.cv:
                    self.msgs.append((time.monotonic(), env))
                    self.cv.notify_all()
            elif path == b'/api/v1/queue/empty':
                with self.cv:
                    self.queue_empty = True
                    self.cv.notify_all()
            self.send(ws_response(rid, 200))
        else:
            r = pb_parse(m[3][0])
            with self.cv:
                self.responses[r[1][0]] = r
                self.cv.notify_all()
        return True

    def _run(self):
        while self.alive:
            try:
                c = self.s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                c = b''
            if not c:
                with self.cv:
                    self.alive = False
                    self.cv.notify_all()
                return
            self.buf += c
            for op, p in list(self._frames()):
                if not self._frame(op, p):
                    return

    def request(self, verb, path, rid, body=None, headers=()):
        self.send(ws_request(verb, path, rid, headers, body))

    def wait(self, pred, timeout):
        end = time.monotonic() + timeout
        with self.cv:
            while not pred():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cv.wait(left)
            return True

    def close(self):
        self.alive = False
        try:
            self.s.close()
        except OSError:
            pass


def tagged(env, prefix):
    """(sender, seq) from a message of ours ("<prefix>:<sender>:<seq>" content), else None."""
    c = env.get(8, [b''])[0]
    if not c.startswith(prefix + b':'):
        return None
    _, s, q = c.split(b':')
    return int(s), int(q)


# ---- processes ---------------------------------------------------------------------------------
class Relay:
    def __init__(self, binp, conf, port, rid, log, extra=()):
        self.args = [binp, '-f', conf, '-o', 'relay_port=%d' % port, '-o', 'relay_id=%s' % rid]
        self.args += [a for kv in extra for a in ('-o', kv)]
        self.port, self.log = port, log
        self.p = None
        self.start()

    def start(self):
        self.p = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                  stdout=open(self.log, 'ab'), stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('relay on %d did not start' % self.port)

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def restart_memcached(run_dir, down_s):
    """Stop the stack's memcached, wait down_s, start it again with the same command line (its
    pid file updated for stop.sh). Returns the time it answered again."""
    pidf = os.path.join(run_dir, 'memcached.pid')
    pid = int(open(pidf).read().strip())
    argv = open('/proc/%d/cmdline' % pid, 'rb').read().split(b'\0')[:-1]
    port = int(argv[argv.index(b'-p') + 1])
    os.kill(pid, signal.SIGTERM)
    while os.path.exists('/proc/%d' % pid) and \
            open('/proc/%d/stat' % pid).read().split()[2] != 'Z':
        time.sleep(0.01)
    time.sleep(down_s)
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    open(pidf, 'w').write('%d\n' % p.pid)
    while True:
        try:
            c = socket.create_connection(('127.0.0.1', port), timeout=1)
            c.sendall(b'version\r\n')
            up = c.recv(64).startswith(b'VERSION')
            c.close()
            if up:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(0.01)


# ---- REST ------------------------------------------------------------------------------------
def basic(a):
    return 'Basic ' + base64.b64encode(('%s.1:%s' % (a['aci'], a['password'])).encode()).decode()


def message_body(dst, content):
    return json.dumps({'messages': [{'type': 1, 'destinationDeviceId': 1,
                                     'destinationRegistrationId': dst['registrationId'],
                                     'content': base64.b64encode(content).decode()}],
                       'online': False, 'urgent': True,
                       'timestamp': int(time.time() * 1000)})


class Sender(threading.Thread):
    """Sends n numbered messages from one account over REST, number k to dsts[k % len(dsts)],
    one at a time, so that the accepted ones have a defined per-sender order; 429 waits and
    sends the same number again."""

    def __init__(self, http_port, idx, src, dsts, n, prefix):
        super().__init__(daemon=True)
        self.http_port, self.idx, self.src, self.dsts, self.n = http_port, idx, src, dsts, n
        self.prefix = prefix
        self.accepted, self.unknown, self.other = [], [], {}

    def run(self):
        c = http.client.HTTPConnection('127.0.0.1', self.http_port, timeout=10)
        hdr = {'Authorization': basic(self.src), 'Content-Type': 'application/json'}
        seq = 0
        while seq < self.n:
            dst = self.dsts[seq % len(self.dsts)]
            body = message_body(dst, b'%s:%d:%d' % (self.prefix, self.idx, seq))
            try:
                c.request('PUT', '/v1/messages/' + dst['aci'], body, hdr)
                r = c.getresponse()
                r.read()
            except (OSError, http.client.HTTPException):
                self.unknown.append(seq)
                c.close()
                c = http.client.HTTPConnection('127.0.0.1', self.http_port, timeout=10)
                seq += 1
                continue
            if r.status == 200:
                self.accepted.append(seq)
            elif r.status == 429:
                time.sleep(min(float(r.getheader('Retry-After', '0.05') or 0.05), 0.2) or 0.02)
                continue
            elif r.status >= 500:
                self.unknown.append(seq)        # may or may not be stored
            else:
                self.other[r.status] = self.other.get(r.status, 0) + 1
            seq += 1
        c.close()


def run_senders(http_port, senders, dsts, per, prefix):
    ts = [Sender(http_port, i, s, dsts, per, prefix) for i, s in enumerate(senders)]
    for t in ts:
        t.start()
    return ts


def verify_stream(what, rsocks, senders, prefix, killed_before):
    """rsocks[j]: receiver j's sockets in connection order; killed_before[k]: connection k-1
    ended by a fault (so duplicates may open connection k)."""
    accepted = sum(len(t.accepted) for t in senders)
    unknown = sum(len(t.unknown) for t in senders)
    seen, order_ok, dup_ok, dups = {}, True, True, 0
    for k, s in [(k, s) for socks in rsocks for k, s in enumerate(socks)]:
        last = {}
        fresh = {}                             # sender -> a new message came on this connection
        for _, env in s.msgs:
            t = tagged(env, prefix)
            if t is None:
                continue
            snd, q = t
            if snd in last and q <= last[snd]:
                order_ok = False
            last[snd] = q
            if q in seen.setdefault(snd, set()):
                dups += 1
                if not killed_before[k] or fresh.get(snd):
                    dup_ok = False              # a redelivery must come first on its connection
            else:
                fresh[snd] = True
                seen[snd].add(q)
    missing = sum(len(set(t.accepted) - seen.get(t.idx, set())) for t in senders)
    others = {}
    for t in senders:
        for k2, v in t.other.items():
            others[k2] = others.get(k2, 0) + v
    print('     %s: %d accepted, %d unknown (5xx/transport), other statuses %r, %d received, '
          '%d duplicates' % (what, accepted, unknown, others,
                             sum(len(v) for v in seen.values()), dups))
    check(accepted > 0 and missing == 0,
          '%s: every send answered 200 was delivered (%d missing)' % (what, missing))
    check(order_ok, '%s: per-sender order on every connection' % what)
    check(dup_ok, '%s: duplicates only for envelopes unacked at the fault, first on the next '
          'connection' % what)


def received_all(rsocks, senders, prefix):
    want = {(t.idx, q) for t in senders for q in t.accepted}
    got = set()
    for s in [s for socks in rsocks for s in socks]:
        with s.cv:
            for _, env in s.msgs:
                t = tagged(env, prefix)
                if t is not None:
                    got.add(t)
    return want <= got


def wait_all(socks, senders, prefix, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if all(not t.is_alive() for t in senders) and received_all(socks, senders, prefix):
            return True
        time.sleep(0.05)
    return False


def connect(port, acc, label, timeout=10):
    end = time.monotonic() + timeout
    while True:
        try:
            s = Sock(port, acc['aci'] + '.1', acc['password'], label)
            if s.status == 101:
                return s
            s.close()
        except OSError:
            pass
        if time.monotonic() > end:
            raise RuntimeError('cannot connect %s to %d' % (label, port))
        time.sleep(0.1)


def count_of(socks, prefix):
    n = 0
    for s in socks:
        with s.cv:
            n += sum(1 for _, e in s.msgs if tagged(e, prefix) is not None)
    return n


def wait_count(socks, prefix, n, timeout):
    end = time.monotonic() + timeout
    while count_of(socks, prefix) < n and time.monotonic() < end:
        time.sleep(0.01)


# ---- scenarios -------------------------------------------------------------------------------
def scenario_kill(env, relay, accts, n):
    senders, rs = accts[:SENDERS], accts[SENDERS:SENDERS + RECEIVERS]
    first = [connect(relay.port, r, 'R%d' % j) for j, r in enumerate(rs)]
    for s in first:
        s.wait(lambda: s.queue_empty, 5)
    ts = run_senders(int(env['HELIOGRAPH_HTTP_PORT']), senders, rs, n // SENDERS, b'a')
    wait_count(first, b'a', n // 4, 20)
    at_kill = count_of(first, b'a')
    relay.kill9()
    t_kill = time.monotonic()
    time.sleep(0.3)
    relay.start()
    second = [connect(relay.port, r, 'R%d again' % j) for j, r in enumerate(rs)]
    t_back = time.monotonic()
    rsocks = [[a, b] for a, b in zip(first, second)]
    ok = wait_all(rsocks, ts, b'a', 30)
    t_done = time.monotonic()
    print('     (a) %d received before kill -9; relay down %.2f s; all delivered %.2f s after the '
          'reconnect' % (at_kill, t_back - t_kill, t_done - t_back))
    check(ok, '(a) delivery completes after kill -9 + restart of the relay')
    verify_stream('(a)', rsocks, ts, b'a', [False, True])
    for s in first:
        s.close()
    return second


def scenario_memcached(env, relay, accts, n):
    """Half the stream is sent and delivered; memcached restarts (presence and doorbells gone,
    the queues idle); the other half is sent: only the relay's memcached watch (presence
    registered again, queues reread) gets it delivered promptly, instead of the 30 s presence
    refresh or the 60 s periodic queue check."""
    senders = accts[:SENDERS]
    rs = accts[SENDERS + RECEIVERS:SENDERS + 2 * RECEIVERS]
    http_port = int(env['HELIOGRAPH_HTTP_PORT'])
    socks = [connect(relay.port, r, 'R%d' % j) for j, r in enumerate(rs)]
    for s in socks:
        s.wait(lambda: s.queue_empty, 5)
    run_dir = os.path.join(os.path.dirname(env['HELIOGRAPH_CONF']), 'run')
    ts1 = run_senders(http_port, senders, rs, n // 2 // SENDERS, b'b')
    ok1 = wait_all([[s] for s in socks], ts1, b'b', 30)
    t_up = restart_memcached(run_dir, 0.5)
    ts2 = run_senders(http_port, senders, rs, n // 2 // SENDERS, b'B')
    wait_count(socks, b'B', 1, 30)
    t_first = time.monotonic()
    ok2 = wait_all([[s] for s in socks], ts2, b'B', 30)
    t_done = time.monotonic()
    sent = max(t.accepted[-1] if t.accepted else 0 for t in ts2)
    print('     (b) memcached back; first of the second half delivered after %.2f s, all %d after '
          '%.2f s' % (t_first - t_up, sent and sum(len(t.accepted) for t in ts2), t_done - t_up))
    check(ok1 and ok2, '(b) delivery completes across a memcached restart')
    check(t_done - t_up < 10, '(b) the half sent after the restart is delivered within 10 s '
          '(%.2f s)' % (t_done - t_up))
    verify_stream('(b) first half', [[s] for s in socks], ts1, b'b', [False])
    verify_stream('(b) second half', [[s] for s in socks], ts2, b'B', [False])
    mcport = int(env['HELIOGRAPH_MEMCACHED_PORT'])
    key = 'pr:%s.1' % rs[0]['aci'].replace('-', '')
    holder = None
    for _ in range(30):
        holder = mc_get(mcport, key)
        if holder:
            break
        time.sleep(0.1)
    check(holder is not None and holder.split()[0].decode() == 'relay-fault-%d' % relay.port,
          '(b) presence registered again after the restart (%r)' % (holder,))
    for s in socks:
        s.close()


EXTRA = SENDERS + 2 * RECEIVERS      # accounts after the streams'


def scenario_two_relays(env, relay_b, accts):
    port_a = int(env['HELIOGRAPH_RELAY_PORT'])
    s_acc, r_acc = accts[EXTRA], accts[EXTRA + 1]
    rb = connect(relay_b.port, r_acc, 'R on B')
    rb.wait(lambda: rb.queue_empty, 5)
    sa = connect(port_a, s_acc, 'S on A')
    sa.wait(lambda: sa.queue_empty, 5)
    n, ok200 = 50, 0                        # within the messages limiter's burst
    for i in range(n):
        body = message_body(r_acc, b'c:0:%d' % i).encode()
        sa.request('PUT', '/v1/messages/' + r_acc['aci'], 1000 + i, body,
                   ['content-type:application/json'])
        if sa.wait(lambda: (1000 + i) in sa.responses, 5) and \
                sa.responses[1000 + i][2][0] == 200:
            ok200 += 1
    wait_count([rb], b'c', ok200, 10)
    got = [tagged(e, b'c')[1] for _, e in rb.msgs if tagged(e, b'c') is not None]
    check(ok200 == n and got == list(range(n)),
          '(c) device on relay B received, in order, all %d messages sent over a socket on relay '
          'A (%d accepted, %d received)' % (n, ok200, len(got)))
    # sender receipts went back to A
    sa.wait(lambda: sum(1 for _, e in sa.msgs if e.get(1, [0])[0] == 5) >= n, 10)
    check(sum(1 for _, e in sa.msgs if e.get(1, [0])[0] == 5) >= n,
          '(c) delivery receipts reached the sender on relay A')
    ra = connect(port_a, r_acc, 'R on A')
    rb.wait(lambda: not rb.alive, 5)
    check(rb.close_code == 4409, '(c) a second socket on relay A closes the older one on relay B '
          'with 4409 (%r)' % (rb.close_code,))
    ra.close()
    sa.close()


def scenario_4401(env, accts, rereg_script):
    port_a = int(env['HELIOGRAPH_RELAY_PORT'])
    d1, d2 = accts[EXTRA + 2], accts[EXTRA + 3]
    s1 = connect(port_a, d1, 'D1')
    s1.wait(lambda: s1.queue_empty, 5)
    time.sleep(0.1)                            # presence_set runs on a worker
    t0 = time.monotonic()
    p = subprocess.run(['node', rereg_script, d1['e164']], capture_output=True, text=True,
                       timeout=30, env=dict(os.environ, HELIOGRAPH_ENV=ENVF))
    if p.returncode != 0:
        print(p.stdout + p.stderr)
    s1.wait(lambda: not s1.alive, 5)
    check(p.returncode == 0 and s1.close_code == 4401,
          '(d) re-registration of the number closes the old socket with 4401 (%r, %.2f s)'
          % (s1.close_code, time.monotonic() - t0))
    s2 = connect(port_a, d2, 'D2')
    s2.wait(lambda: s2.queue_empty, 5)
    time.sleep(0.1)
    c = http.client.HTTPConnection('127.0.0.1', int(env['HELIOGRAPH_HTTP_PORT']), timeout=10)
    c.request('DELETE', '/v1/accounts/me', headers={'Authorization': basic(d2)})
    r = c.getresponse()
    r.read()
    s2.wait(lambda: not s2.alive, 5)
    check(r.status in (200, 204) and s2.close_code == 4401,
          '(d) DELETE /v1/accounts/me (%d) closes the socket with 4401 (%r)'
          % (r.status, s2.close_code))
    s1.close()
    s2.close()


def mariadb(env, sql):
    return subprocess.run(['mariadb', '--no-defaults', '--protocol=socket',
                           '--socket=' + env['HELIOGRAPH_DB_SOCKET'], '-uroot', '-N', '-B',
                           'heliograph', '-e', sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def scenario_expiry(env, relay_bin, port, log, acc):
    """A row whose expiry is in the past is removed by the sweep of a relay started with a short
    relay_expire_s (the memcached lock of an earlier sweep is removed first)."""
    mcport = int(env['HELIOGRAPH_MEMCACHED_PORT'])
    aci_hex = acc['aci'].replace('-', '')
    guid = os.urandom(16).hex()
    # seq 1: the sweep walks the oldest rows first (uniform retention) and stops at a live one
    mariadb(env, "INSERT INTO messages (aci, device_id, seq, guid, server_ts_ms, expires_ms, "
                 "envelope) VALUES (UNHEX('%s'), 1, 1, UNHEX('%s'), 1000, 2000, 'x')"
                 % (aci_hex, guid))
    c = socket.create_connection(('127.0.0.1', mcport), timeout=3)
    c.sendall(b'delete lock:msgs-expire\r\n')
    c.recv(64)
    c.close()
    r = Relay(relay_bin, env['HELIOGRAPH_CONF'], port, 'relay-fault-exp', log,
              ['relay_expire_s=2'])
    left = '1'
    for _ in range(100):
        left = mariadb(env, "SELECT COUNT(*) FROM messages WHERE guid = UNHEX('%s')" % guid)
        if left == '0':
            break
        time.sleep(0.1)
    r.stop()
    check(left == '0', '(e) the relay\'s expiry sweep removed an expired row')
    check(mc_get(mcport, 'lock:msgs-expire') is not None,
          '(e) the sweep holds the memcached lock for its interval')


def main():
    global ENVF
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    ENVF, accts_path, relay_bin, rereg = sys.argv[1:5]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # so that finally stops the relays
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
    env = env_file(ENVF)
    accts = [json.loads(line) for line in open(accts_path)]
    if len(accts) < EXTRA + 4:
        print('need %d accounts' % (EXTRA + 4))
        return 2
    base = int(env['HELIOGRAPH_RELAY_PORT'])
    logdir = os.path.join(os.path.dirname(env['HELIOGRAPH_CONF']), 'log')
    rx = Relay(relay_bin, env['HELIOGRAPH_CONF'], base + 2, 'relay-fault-%d' % (base + 2),
               os.path.join(logdir, 'relay-fault-x.log'))
    rb = Relay(relay_bin, env['HELIOGRAPH_CONF'], base + 3, 'relay-fault-%d' % (base + 3),
               os.path.join(logdir, 'relay-fault-b.log'))
    t0 = time.monotonic()
    try:
        for s in scenario_kill(env, rx, accts, n):
            s.close()
        scenario_memcached(env, rx, accts, n)
        scenario_two_relays(env, rb, accts)
        scenario_4401(env, accts, rereg)
        rb.stop()
        scenario_expiry(env, relay_bin, base + 3, os.path.join(logdir, 'relay-fault-e.log'),
                        accts[EXTRA])
    finally:
        rx.stop()
        rb.stop()
        sys.stdout.flush()
    print('delivery_fault_test: %d failed (%.1f s)' % (len(FAILS), time.monotonic() - t0))
    return 1 if FAILS else 0


ENVF = None

if __name__ == '__main__':
    sys.exit(main())
