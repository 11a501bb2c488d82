#!/usr/bin/env python3
"""Integration test of heliograph-relay against a running stack (tests/stack/start.sh), speaking
raw WebSocket to the relay port: REST over the socket, ping/pong, text frames, malformed and
oversized frames (1007/1009), bad credentials (403 on the upgrade), and the provisioning socket
end to end through a doorbell ring written straight into memcached (BELL_PROVISION).
Stdlib only. Usage: relay_test.py HELIOGRAPH_ENV [--idle N]  (--idle N: hold N idle sockets and
print the relay's RSS per socket). Exit 0 when every check passed, 77 when the relay is absent."""
import base64
import os
import socket
import struct
import sys
import time


def env_file(path):
    d = {}
    for line in open(path):
        if '=' in line and not line.startswith('#'):
            k, v = line.rstrip('\n').split('=', 1)
            d[k] = v
    return d


def conf_file(path):
    d = {}
    for line in open(path):
        p = line.split(None, 1)
        if len(p) == 2 and not line.startswith('#'):
            d[p[0]] = p[1].strip()
    return d


# ---- protobuf, by hand ------------------------------------------------------------------------
def varint(n):
    out = b''
    while True:
        b, n = n & 0x7f, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def fld(no, wt, val):
    if wt == 0:
        return varint(no << 3) + varint(val)
    return varint(no << 3 | 2) + varint(len(val)) + val


def pb_parse(buf):
    """{field: [values]} for one message level (varints as int, length-delimited as bytes)."""
    out, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        no, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(buf, i)
        elif wt == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError('wire type %d' % wt)
        out.setdefault(no, []).append(v)
    return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def ws_request(verb, path, rid, headers=(), body=None):
    r = fld(1, 2, verb.encode()) + fld(2, 2, path.encode())
    if body is not None:
        r += fld(3, 2, body)
    r += fld(4, 0, rid)
    for h in headers:
        r += fld(5, 2, h.encode())
    return fld(1, 0, 1) + fld(2, 2, r)


def ws_response(rid, status, msg='OK'):
    return fld(1, 0, 2) + fld(3, 2, fld(1, 0, rid) + fld(2, 0, status) + fld(3, 2, msg.encode()))


# ---- WebSocket client ------------------------------------------------------------------------
class WS:
    def __init__(self, port, path, headers=()):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ('GET %s HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
               'Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n' % (path, key))
        for h in headers:
            req += h + '\r\n'
        self.s.sendall((req + '\r\n').encode())
        buf = b''
        while b'\r\n\r\n' not in buf:
            c = self.s.recv(4096)
            if not c:
                break
            buf += c
        head, _, self.rest = buf.partition(b'\r\n\r\n')
        self.status = int(head.split(b' ')[1]) if head else 0

    def send(self, payload, opcode=2, fin=True):
        b0 = (0x80 if fin else 0) | opcode
        n = len(payload)
        if n < 126:
            hdr = struct.pack('!BB', b0, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack('!BBH', b0, 0x80 | 126, n)
        else:
            hdr = struct.pack('!BBQ', b0, 0x80 | 127, n)
        mask = os.urandom(4)
        self.s.sendall(hdr + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload)))

    def _read(self, n):
        while len(self.rest) < n:
            c = self.s.recv(65536)
            if not c:
                raise EOFError
            self.rest += c
        out, self.rest = self.rest[:n], self.rest[n:]
        return out

    def recv(self):
        """(opcode, payload); for a close, payload is (code, reason)."""
        b0, b1 = self._read(2)
        n = b1 & 0x7f
        if n == 126:
            n = struct.unpack('!H', self._read(2))[0]
        elif n == 127:
            n = struct.unpack('!Q', self._read(8))[0]
        p = self._read(n)
        op = b0 & 0x0f
        if op == 8:
            return op, (struct.unpack('!H', p[:2])[0] if len(p) >= 2 else None, p[2:].decode())
        return op, p

    def recv_msg(self):
        op, p = self.recv()
        assert op == 2, 'expected a binary frame, got opcode %d %r' % (op, p)
        m = pb_parse(p)
        return m[1][0], pb_parse(m[2 if m[1][0] == 1 else 3][0])

    def close(self):
        self.s.close()


# ---- memcached, text protocol ------------------------------------------------------------------
def mc_cmd(port, line, data=None):
    s = socket.create_connection(('127.0.0.1', port), timeout=3)
    s.sendall(line.encode() + b'\r\n' + (data + b'\r\n' if data is not None else b''))
    buf = b''
    while not (buf.endswith(b'END\r\n') or buf.endswith(b'STORED\r\n') or
               buf.endswith(b'NOT_STORED\r\n') or buf.endswith(b'ERROR\r\n')):
        c = s.recv(65536)
        if not c:
            break
        buf += c
    s.close()
    return buf


def mc_get(port, key):
    r = mc_cmd(port, 'get ' + key)
    if not r.startswith(b'VALUE'):
        return None
    return r.split(b'\r\n')[1]


def mc_append(port, key, data):
    r = mc_cmd(port, 'append %s 0 0 %d' % (key, len(data)), data)
    if r.startswith(b'NOT_STORED'):
        r = mc_cmd(port, 'add %s 0 180 %d' % (key, len(data)), data)
    return r


# ---- checks ------------------------------------------------------------------------------------
FAILS = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        FAILS.append(what)


def main():
    env = env_file(sys.argv[1])
    if env.get('HELIOGRAPH_RELAY') != 'running':
        print('relay not running: skip')
        return 77
    port = int(env['HELIOGRAPH_RELAY_PORT'])
    mcport = int(env['HELIOGRAPH_MEMCACHED_PORT'])
    conf = conf_file(env['HELIOGRAPH_CONF'])
    frame_max = int(conf.get('frame_max', '524288'))

    w = WS(port, '/v1/websocket/')
    check(w.status == 101, 'unauthenticated upgrade answers 101')
    w.send(ws_request('GET', '/v1/keepalive', 7))
    t, r = w.recv_msg()
    check(t == 2 and r[1][0] == 7 and r[2][0] == 200 and r[3][0] == b'OK',
          'GET /v1/keepalive -> RESPONSE id 7, 200 OK')
    hdrs = [h.decode() for h in r.get(5, [])]
    check('Content-Length:0' in hdrs and any(h.startswith('X-Signal-Timestamp:') for h in hdrs),
          'response carries Content-Length and X-Signal-Timestamp')
    w.send(b'hello', opcode=9)                         # ping
    op, p = w.recv()
    check(op == 10 and p == b'hello', 'ping is answered with a pong')
    w.send(b'some text', opcode=1)                     # text frames are ignored
    half = ws_request('GET', '/v1/accounts/whoami', 8)
    w.send(half[:5], fin=False)                        # fragmented binary message
    w.send(half[5:], opcode=0)
    t, r = w.recv_msg()
    check(r[1][0] == 8 and r[2][0] == 401, 'fragmented whoami without auth -> 401 (text ignored)')
    w.send(ws_request('GET', '/v1/nope', 9))
    t, r = w.recv_msg()
    check(r[2][0] == 404, 'unknown path -> 404')
    w.send(b'\xff\xff\xff')
    op, p = w.recv()
    check(op == 8 and p[0] == 1007, 'malformed frame -> close 1007 (%r)' % (p,))
    w.close()

    w = WS(port, '/v1/websocket')
    w.send(b'\x00' * (frame_max + 1))
    try:
        op, p = w.recv()
        check(op == 8 and p[0] == 1009, 'oversized frame -> close 1009 (%r)' % (p,))
    except (EOFError, ConnectionError):
        check(False, 'oversized frame -> close 1009 (connection dropped)')
    w.close()

    bad = base64.b64encode(b'00000000-0000-4000-8000-000000000000:nope').decode()
    w = WS(port, '/v1/websocket/', ['Authorization: Basic ' + bad])
    check(w.status == 403, 'bad credentials -> 403 on the upgrade (got %d)' % w.status)
    w.close()
    w = WS(port, '/v1/websocket/?login=00000000-0000-4000-8000-000000000000&password=x')
    check(w.status == 403, 'bad query credentials -> 403')
    w.close()
    w = WS(port, '/v2/elsewhere')
    check(w.status == 404, 'other paths -> 404')
    w.close()

    # provisioning: address, then a ring as PUT /v1/provisioning/{address} would do it
    w = WS(port, '/v1/websocket/provisioning/')
    check(w.status == 101, 'provisioning upgrade answers 101')
    t, r = w.recv_msg()
    check(t == 1 and r[1][0] == b'PUT' and r[2][0] == b'/v1/address', 'PUT /v1/address first')
    addr = pb_parse(r[3][0])[1][0].decode()
    check(len(addr) == 24 and addr.endswith('=='), 'address is url-safe base64 of 16 bytes')
    w.send(ws_response(r[4][0], 200))
    holder = None
    for _ in range(50):
        holder = mc_get(mcport, 'prov:' + addr)
        if holder:
            break
        time.sleep(0.02)
    check(holder is not None, 'address registered in memcached (prov:<address>)')
    if holder:
        relay_id, conn = holder.decode().split()
        raw = base64.urlsafe_b64decode(addr)
        env_bytes = b'\x0a\x21' + b'\x05' * 33 + b'\x12\x04body'
        line = 'P %s.0 %s %s\n' % (raw.hex(), conn, base64.b64encode(env_bytes).decode())
        mc_append(mcport, 'bell:' + relay_id, line.encode())
        t, r = w.recv_msg()
        check(t == 1 and r[2][0] == b'/v1/message' and r[3][0] == env_bytes,
              'BELL_PROVISION -> PUT /v1/message with the ProvisionEnvelope')
        w.send(ws_response(r[4][0], 200))
        op, p = w.recv()
        check(op == 8 and p == (1000, 'Closed'), 'provisioning socket closes 1000 "Closed" (%r)'
              % (p,))
    w.close()

    if '--login' in sys.argv:
        i = sys.argv.index('--login')
        second = int(sys.argv[sys.argv.index('--second-port') + 1]) \
            if '--second-port' in sys.argv else None
        displacement(port, second, mcport, sys.argv[i + 1], sys.argv[i + 2])

    if '--idle' in sys.argv:
        idle(port, int(sys.argv[sys.argv.index('--idle') + 1]), env)
    print('relay_test: %d failed' % len(FAILS))
    return 1 if FAILS else 0


def expect_queue_empty(w, what):
    t, r = w.recv_msg()
    ok = t == 1 and r[2][0] == b'/api/v1/queue/empty'
    check(ok, what)
    if ok:
        w.send(ws_response(r[4][0], 200))


def expect_close(w, code, what):
    try:
        while True:
            op, p = w.recv()
            if op == 8:
                check(p[0] == code, '%s (%r)' % (what, p))
                return
    except (EOFError, ConnectionError, socket.timeout) as e:
        check(False, '%s (%r)' % (what, e))


def displacement(port, second, mcport, login, password):
    """A second socket of one device displaces the first with 4409, on one relay directly and
    across relays through the older relay's doorbell (BELL_KICK)."""
    auth = ['Authorization: Basic ' + base64.b64encode(('%s:%s' % (login, password)).encode())
            .decode()]
    a1 = WS(port, '/v1/websocket/', auth)
    check(a1.status == 101, 'authenticated upgrade answers 101')
    expect_queue_empty(a1, 'empty queue -> PUT /api/v1/queue/empty')
    a1.send(ws_request('GET', '/v1/accounts/whoami', 3))
    t, r = a1.recv_msg()
    check(r[2][0] == 200, 'whoami over the authenticated socket -> 200')
    a2 = WS(port, '/v1/websocket/?login=%s&password=%s' % (login, password.replace('+', '%2B')))
    check(a2.status == 101, 'query-parameter credentials accepted')
    expect_close(a1, 4409, 'older socket on the same relay closed 4409')
    expect_queue_empty(a2, 'second socket gets its queue/empty')
    aci, dev = login.split('.')
    key = 'pr:%s.%s' % (aci.replace('-', ''), dev)
    time.sleep(0.2)
    holder = mc_get(mcport, key)
    check(holder is not None and holder.split()[0].decode() == 'relay-%d' % port,
          'presence names this relay (%r)' % (holder,))
    if second is not None:
        b = WS(second, '/v1/websocket/', auth)
        check(b.status == 101, 'second relay accepts the device')
        expect_close(a2, 4409, 'socket on the first relay displaced through its doorbell: 4409')
        time.sleep(0.2)
        holder = mc_get(mcport, key)
        check(holder is not None and holder.split()[0].decode() == 'relay-%d' % second,
              'presence moved to the second relay (%r)' % (holder,))
        b.close()
    a2.close()
    a1.close()


def rss_kb(pid):
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
    return 0


def idle(port, n, env):
    pid = int(open(os.path.join(os.path.dirname(env['HELIOGRAPH_CONF']), 'run', 'relay.pid'))
              .read())
    time.sleep(0.5)
    before = rss_kb(pid)
    socks = []
    for i in range(n):
        w = WS(port, '/v1/websocket/', ['User-Agent: Signal-Desktop/7.80.0 idle-test',
                                        'X-Signal-Agent: OWD'])
        if w.status != 101:
            print('idle socket %d refused: %d' % (i, w.status))
            break
        socks.append(w)
    time.sleep(3)
    after = rss_kb(pid)
    print('idle: %d sockets, relay RSS %d kB -> %d kB: %.0f bytes per idle socket'
          % (len(socks), before, after, (after - before) * 1024.0 / max(len(socks), 1)))
    for w in socks:
        w.close()


if __name__ == '__main__':
    sys.exit(main())
