#!/usr/bin/env python3
"""Smoke test of build/host/winc-cert-fw-host through its pty (protocol v1).
Usage: host_smoke.py [--job] ; starts the host build itself.
With --job it also runs a full provisioning job against a local TLS 1.2 server
(openssl-generated CA + server certificate) after trusting the CA via WRITE_FLASH."""
import os, subprocess, struct, sys, time, tempfile, ssl, threading, http.server, socketserver, termios, tty

HERE = os.path.dirname(os.path.abspath(__file__))
FW = os.path.join(HERE, '..', 'build', 'host', 'winc-cert-fw-host')

def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc

def cobs_enc(data):
    out, blk = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(blk) + 1]) + blk; blk = bytearray()
        else:
            blk.append(b)
            if len(blk) == 254:
                out += b'\xff' + blk; blk = bytearray()
    out += bytes([len(blk) + 1]) + blk
    return bytes(out)

def cobs_dec(data):
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]; i += 1
        out += data[i:i + code - 1]; i += code - 1
        if code != 0xFF and i < len(data):
            out.append(0)
    return bytes(out)

class Link:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = bytearray()
        self.id = 0
        self.events = []
    def send(self, typ, payload=b'', flags=0, rid=None):
        if rid is None:
            self.id += 1; rid = self.id
        raw = struct.pack('<BBHBH', 1, typ, rid, flags, len(payload)) + payload
        raw += struct.pack('<H', crc16(raw))
        os.write(self.fd, b'\x00' + cobs_enc(raw) + b'\x00')
        return rid
    def frame(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if 0 in self.buf:
                i = self.buf.index(0)
                enc = bytes(self.buf[:i]); del self.buf[:i + 1]
                if not enc:
                    continue
                raw = cobs_dec(enc)
                if len(raw) < 9 or crc16(raw[:-2]) != struct.unpack('<H', raw[-2:])[0]:
                    print('bad frame', raw.hex()); continue
                v, typ, rid, flags, ln = struct.unpack('<BBHBH', raw[:7])
                return typ, rid, flags, raw[7:7 + ln]
            import select
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                self.buf += os.read(self.fd, 4096)
        return None
    def request(self, typ, payload=b'', timeout=10, verbose=False):
        rid = self.send(typ, payload)
        while True:
            f = self.frame(timeout)
            if f is None:
                raise TimeoutError('no response to 0x%02x' % typ)
            if f[0] == typ | 0x80 and f[1] == rid:
                return f
            self.events.append(f)
            if verbose:
                print('  event 0x%02x id %d %s' % (f[0], f[1], f[3][:80]))

def s8(s):
    b = s.encode(); return bytes([len(b)]) + b

def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        check.failed += 1
check.failed = 0

def err_code(f):
    return struct.unpack('<H', f[3][:2])[0] if f[2] & 1 else 0

def main():
    job = '--job' in sys.argv
    tmp = tempfile.mkdtemp()
    proc = subprocess.Popen([FW, '--flash-out', os.path.join(tmp, 'flash.bin')], stdout=subprocess.PIPE, text=True)
    path = proc.stdout.readline().strip()
    check(path.startswith('/dev/pts/'), 'first stdout line is the pty path: ' + path)
    L = Link(path)
    try:
        os.write(L.fd, b'\x00')
        f = L.request(0x01, struct.pack('<H', 4096))
        check(f[0] == 0x81 and f[3][0] == 1, 'HELLO answered')
        # protocol 1.1: the WINC starts in the background; HELLO's last byte says WINC_STARTING (bit 0)
        deadline = time.time() + 8
        while f[3][-1] & 1 and time.time() < deadline:
            time.sleep(0.05)
            f = L.request(0x01, struct.pack('<H', 4096))
        check(f[3][-1] & 1 == 0, 'WINC started (HELLO status)')
        caps = struct.unpack('<I', f[3][5:9])[0]
        check(caps & 2, 'HOST_BUILD capability')
        p = f[3][25:]
        ver = p[1:1 + p[0]].decode(); p = p[1 + p[0]:]
        chip, = struct.unpack('<I', p[:4]); fw = tuple(p[4:7]); fsz, = struct.unpack('<I', p[10:14])
        check(chip == 0x1503A0 and fw == (19, 6, 1) and fsz == 524288, 'HELLO WINC chip %x fw %s flash %d' % (chip, fw, fsz))
        f = L.request(0x02, b'hello' * 100)
        check(f[3] == b'hello' * 100, 'PING echo 500 bytes')
        f = L.request(0x20, struct.pack('<IH', 0, 4096))
        check(len(f[3]) == 4096 and f[3] == b'\xff' * 4096, 'READ_FLASH 4096 bytes of erased flash')
        f = L.request(0x21, struct.pack('<I', 0x3000) + b'x')
        check(err_code(f) == 10, 'WRITE_FLASH below 0x4000 refused ADDRESS_NOT_ALLOWED')
        f = L.request(0x22, struct.pack('<II', 0x4001, 4096))
        check(err_code(f) == 11, 'ERASE_FLASH unaligned refused ALIGNMENT')
        f = L.request(0x21, struct.pack('<I', 0x4010) + bytes(range(256)) * 4)
        check(f[2] == 0, 'WRITE_FLASH 1024 bytes')
        f = L.request(0x20, struct.pack('<IH', 0x4010, 1024))
        check(f[3] == bytes(range(256)) * 4, 'READ_FLASH returns what was written')
        f = L.request(0x23)
        check(f[2] == 0, 'ERASE_ROOT_STORE')
        f = L.request(0x20, struct.pack('<IH', 0x4000, 4096))
        check(f[3] == b'\xff' * 4096, 'root store erased')
        f = L.request(0x25)
        check(f[2] == 0 and struct.unpack('<I', f[3][:4])[0] == 0x1503A0, 'REINIT_WINC')
        f = L.request(0x13)
        check(err_code(f) == 7, 'RUN_JOB before configuration: NOT_CONFIGURED')
        f = L.request(0x03)
        check(f[2] == 0 and len(f[3]) == 20, 'GET_STATS')
        # retransmit: same id + flag returns the stored response without re-executing
        rid = L.id
        L.send(0x03, b'', flags=2, rid=rid)
        f = L.frame(5)
        check(f and f[1] == rid and f[0] == 0x83, 'retransmitted request answered from cache')
        if job:
            run_job(L, tmp)
        if '--app-serve' in sys.argv:
            run_app_serve(L, tmp)
    finally:
        proc.kill()
    print('%d failed' % check.failed)
    sys.exit(1 if check.failed else 0)

def sh(*a):
    subprocess.run(a, check=True, capture_output=True)

def run_job(L, tmp):
    ca_key, ca_crt = os.path.join(tmp, 'ca.key'), os.path.join(tmp, 'ca.pem')
    srv_key, srv_csr, srv_crt = os.path.join(tmp, 'srv.key'), os.path.join(tmp, 'srv.csr'), os.path.join(tmp, 'srv.pem')
    sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca_key, '-out', ca_crt, '-days', '30', '-subj', '/CN=Smoke Test CA')
    sh('openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', srv_key, '-out', srv_csr, '-subj', '/CN=localhost')
    ext = os.path.join(tmp, 'ext.cnf'); open(ext, 'w').write('subjectAltName=DNS:localhost,IP:127.0.0.1\n')
    sh('openssl', 'x509', '-req', '-in', srv_csr, '-CA', ca_crt, '-CAkey', ca_key, '-CAcreateserial', '-out', srv_crt, '-days', '30', '-extfile', ext)
    sh('openssl', 'x509', '-in', ca_crt, '-outform', 'DER', '-out', os.path.join(tmp, 'ca.der'))
    sh('openssl', 'x509', '-in', srv_crt, '-outform', 'DER', '-out', os.path.join(tmp, 'srv.der'))
    served = os.path.join(tmp, 'www'); os.makedirs(served)
    import shutil
    for src, dst in [('ca.der', 'root.cer'), ('srv.key', 'winc.key'), ('srv.der', 'winc.cer'), ('ca.der', 'ca.cer')]:
        shutil.copy(os.path.join(tmp, src), os.path.join(served, dst))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers('AES128-SHA256:AES128-GCM-SHA256:AES128-SHA')
    ctx.load_cert_chain(srv_crt, srv_key)
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=served, **k)
        def log_message(self, *a):
            pass
        def do_GET(self):
            if self.path == '/slow.cer':  # trickles its body: lets the test cancel a running download
                self.send_response(200); self.send_header('Content-Length', '100'); self.end_headers()
                for _ in range(100):
                    try:
                        self.wfile.write(b'x'); self.wfile.flush(); time.sleep(0.2)
                    except OSError:
                        return
                return
            if self.path == '/missing.cer':
                self.send_error(404)
                return
            super().do_GET()
    socketserver.TCPServer.allow_reuse_address = True
    httpd = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    job_payload = bytes([0, 4]) + bytes([1, 0]) + s8('root.cer') + bytes([2, 2]) + s8('winc.key') + bytes([2, 0]) + s8('winc.cer') + bytes([2, 0]) + s8('ca.cer')
    f = L.request(0x10, bytes([1]) + s8('lab') + s8('password123'))
    check(f[2] == 0, 'CONFIGURE_WIFI')
    f = L.request(0x11, s8('127.0.0.1') + struct.pack('<H', port) + s8('localhost') + b'\x00')
    check(f[2] == 0, 'CONFIGURE_SERVER')
    f = L.request(0x12, job_payload)
    check(f[2] == 0, 'SET_JOB')
    # without the CA in the root store the module must refuse the server
    f = L.request(0x13, timeout=60)
    check(err_code(f) == 21, 'RUN_JOB against an untrusted server: CERT_VERIFICATION_FAILED (%s)' % f[3][8:].decode(errors='replace'))
    # trust the server: write a root store holding the CA (built by the board itself via a job with REPLACE
    # would need trust first, so write the section directly from a tiny C-free encoder: reuse the vector tool output)
    store = build_root_store(os.path.join(tmp, 'ca.der'))
    L.request(0x23)
    for off in range(0, 4096, 1024):
        L.request(0x21, struct.pack('<I', 0x4000 + off) + store[off:off + 1024])
    f = L.request(0x20, struct.pack('<IH', 0x4000, 4096))
    check(f[3] == store, 'trusted the CA via ERASE/WRITE/READ of the root store')
    L.events = []
    f = L.request(0x13, timeout=60, verbose=False)
    ok = f[2] == 0
    check(ok, 'RUN_JOB succeeded: %s' % (f[3].hex() if ok else f[3][8:].decode(errors='replace')))
    types = [e[0] for e in L.events]
    for t, name in [(0x50, 'WIFI_CONNECTED'), (0x51, 'DOWNLOAD_STARTED'), (0x53, 'FILE_DOWNLOADED'), (0x54, 'CERTIFICATE_FOUND'),
                    (0x55, 'WINC_DOWNLOAD_MODE'), (0x56, 'SECTION_VERIFIED'), (0x57, 'ROOT_CERT_WRITTEN'), (0x58, 'TLS_STORE_WRITTEN'), (0x59, 'WINC_READY')]:
        check(t in types, 'event ' + name)
    f = L.request(0x20, struct.pack('<IH', 0x5000, 4096))
    check(f[3][:8] == bytes.fromhex('abfe185b70c34692'), 'TLS store written at 0x5000')
    # HTTP error status
    f = L.request(0x12, bytes([0, 1, 1, 0]) + s8('missing.cer'))
    f = L.request(0x13, timeout=60)
    check(err_code(f) == 22 and b'404' in f[3], 'missing file: HTTP_STATUS with the status line')
    # BUSY, HELLO during a job, CANCEL of a running download
    f = L.request(0x12, bytes([0, 1, 1, 0]) + s8('slow.cer'))
    rid = L.send(0x13)
    first = L.frame(2)
    check(first is not None and first[0] == 0x42 and first[1] == rid, 'STATE(RUNNING) with the RUN_JOB id right away')
    time.sleep(1.0)
    f = L.request(0x10, bytes([1]) + s8('lab') + s8('password123'))
    check(err_code(f) == 5, 'other request while the job runs: BUSY')
    f = L.request(0x01, struct.pack('<H', 4096))
    check(f[2] == 0, 'HELLO answered while the job runs')
    f = L.request(0x3F, struct.pack('<H', rid))
    check(f[2] == 0, 'CANCEL acknowledged')
    end = time.time() + 20
    res = None
    while time.time() < end:
        fr = L.frame(1)
        if fr and fr[0] == 0x93 and fr[1] == rid:
            res = fr; break
    check(res is not None and err_code(res) == 6, 'RUN_JOB ends with CANCELLED')
    httpd.shutdown()

def run_app_serve(L, tmp):
    """The acceptance run: the app's own `winc-cert serve` (needs the repo's node_modules) serves the seed's
    five files (assets/samples); trust its server certificate, download, write, verify, re-init."""
    repo = os.path.abspath(os.path.join(HERE, '..', '..'))
    samples = os.path.join(repo, 'assets', 'samples')
    names = ['root_a.cer', 'root_b.cer', 'winc_rsa.key', 'winc_rsa.cer', 'module_ca.cer']
    port = 18000 + os.getpid() % 1000
    ident = os.path.join(tmp, 'identity')
    srv = subprocess.Popen(['node', '--import', 'tsx', 'src-main/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', str(port),
                            '--identity-dir', ident] + [os.path.join(samples, n) for n in names],
                           cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = srv.stdout.readline()
        check('https://' in line, 'winc-cert serve is up: ' + line.strip())
        time.sleep(0.3)
        store = build_root_store(os.path.join(ident, 'server-cert.der'))
        L.request(0x23)
        for off in range(0, 4096, 1024):
            L.request(0x21, struct.pack('<I', 0x4000 + off) + store[off:off + 1024])
        L.request(0x10, bytes([1]) + s8('lab') + s8('password123'))
        L.request(0x11, s8('127.0.0.1') + struct.pack('<H', port) + s8('') + b'\x00')
        plan = bytes([0, 5]) + bytes([1, 0]) + s8(names[0]) + bytes([1, 0]) + s8(names[1]) + bytes([2, 2]) + s8(names[2]) \
            + bytes([2, 0]) + s8(names[3]) + bytes([2, 0]) + s8(names[4])
        check(L.request(0x12, plan)[2] == 0, 'SET_JOB with the seed plan (2 roots, RSA key + 2 certificates)')
        L.events = []
        f = L.request(0x13, timeout=60)
        check(f[2] == 0 and f[3] == bytes([5, 2, 4, 3]), 'RUN_JOB: 5 files, 2 roots, 4 TLS files, 3 roots in the store (%s)' % f[3].hex())
        check(any(e[0] == 0x59 for e in L.events), 'WINC_READY after the job')
        f = L.request(0x13, timeout=60)
        check(f[2] == 0 and f[3] == bytes([5, 2, 4, 3]), 'same job again: the roots are not stored twice (%s)' % f[3].hex())
        L.request(0x12, bytes([1]) + plan[1:])
        f = L.request(0x13, timeout=60)
        check(f[2] == 0 and f[3] == bytes([5, 2, 4, 2]), 'REPLACE_ROOT_STORE: only the plan\'s 2 roots remain (%s)' % f[3].hex())
    finally:
        srv.kill()

def build_root_store(der_path):
    """Independent Python encoder of a one-entry V1 root store (winc-cert-store.md 2.3), using openssl for parsing."""
    import hashlib, re
    der = open(der_path, 'rb').read()
    # minimal DER walk
    def tlv(b, i):
        tag = b[i]; l = b[i + 1]; i += 2
        if l & 0x80:
            n = l & 0x7F; l = int.from_bytes(b[i:i + n], 'big'); i += n
        return tag, i, l
    t, i, l = tlv(der, 0); t, i, l = tlv(der, i)  # cert, tbs
    end = i + l
    items = []
    while i < end:
        t, j, l = tlv(der, i); items.append((t, j, l)); i = j + l
    if items[0][0] == 0xA0:
        items = items[1:]
    subj = items[4]; validity = items[3]; spki = items[5]
    h = hashlib.sha1()
    i, e = subj[1], subj[1] + subj[2]
    while i < e:
        t, j, l = tlv(der, i); _, a, al = tlv(der, j); _, o, ol = tlv(der, a); _, v, vl = tlv(der, o + ol)
        h.update(der[v:v + (vl & 0xFF)]); i = j + l
    def tm(i):
        t, j, l = tlv(der, i); s = der[j:j + l].decode()
        y = int(s[:2]); y += 2000 if y < 50 else 1900
        return struct.pack('<HBBBBBB', y, int(s[2:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), 0), j + l
    nb, nxt = tm(validity[1]); na, _ = tm(nxt)
    t, j, l = tlv(der, spki[1]); t, j, l = tlv(der, j + l)  # alg, bitstring
    t, k, kl = tlv(der, j + 1); t, n0, nl = tlv(der, k); t, e0, el = tlv(der, n0 + nl)
    N = der[n0:n0 + nl].lstrip(b'\x00'); E = der[e0:e0 + el].lstrip(b'\x00')
    wa = lambda x: (x + 3) & ~3
    entry = h.digest() + nb + na + struct.pack('<IHH', 1, len(N), len(E)) + N + E
    entry += b'\xff' * (44 + wa(len(N)) + wa(len(E)) - len(entry))
    store = bytes([0x11, 0xF1, 0x12, 0xF2, 0x13, 0xF3, 0x14, 0xF4, 0x15, 0xF5, 0x16, 0xF6, 0x17, 0xF7, 0x18, 0xF8]) + struct.pack('<I', 1) + entry
    return store + b'\xff' * (4096 - len(store))

if __name__ == "__main__":
    main()
