#!/usr/bin/env python3
"""Test clinic server: the HTTPS backend the kiosk posts intakes and reviews to.

Python 3.11 standard library only. See tests/server/README.md for the options,
the ledger and received-file formats, and the fault modes.
"""

import argparse
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid

MAX_BODY = 1 << 20          # 1 MiB
HANDSHAKE_TIMEOUT = 10.0
STATUS_MODES = {"400", "401", "403", "408", "409", "413", "422", "425", "429",
                "500", "502", "503", "504"}
OTHER_MODES = {"ok", "hang", "reset", "portal", "garbage", "trickle",
               "badjson", "wrongid", "close", "slow", "hugebody", "endlessbody",
               "hugeheader", "endlessheaders", "escreceipt"}
HUGE = 8 << 20              # bytes: far past any client's sensible limit
ESC_RECEIPT = "\x1b[2J\x1b]0;pwned\x07\x9b31m"   # clear, title, C1 CSI
STOP = threading.Event()    # set on SIGTERM: ends hangs and trickles early

PORTAL_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Guest Wi-Fi</title></head>"
               b"<body><h1>Welcome to Clinic Guest Wi-Fi</h1>"
               b"<p>Please accept the terms of use to continue.</p>"
               b"<form method=\"post\" action=\"/portal/accept\">"
               b"<button>Accept</button></form></body></html>\n")
GARBAGE = b"\x00\xff\xfeSSH-2.0-OpenSSH_9.2 garbage\r\n\x16\x03\x01\x00\x00not http at all\n"


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- faults

def parse_fault(spec):
    """'503x2' -> ('503', 2); 'hang' -> ('hang', None)."""
    m = re.fullmatch(r"\s*([a-z0-9]+?)(?:x(\d+))?\s*", spec)
    if not m:
        raise ValueError("bad fault spec %r (want MODE or MODExN)" % spec)
    mode, n = m.group(1), m.group(2)
    if mode not in STATUS_MODES and mode not in OTHER_MODES:
        raise ValueError("unknown fault mode %r in %r" % (mode, spec))
    if n is not None:
        n = int(n)
        if n < 1:
            raise ValueError("fault count must be >= 1 in %r" % spec)
    return [mode, n]


def read_fault_file(path):
    """One MODE[xN] per line; blank lines and # comments ignored.
    A missing file is an empty queue."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for i, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            out.append(parse_fault(line))
        except ValueError as e:
            raise ValueError("%s:%d: %s" % (path, i, e))
    return out


class Faults:
    def __init__(self, queue):
        self.lock = threading.Lock()
        self.queue = queue

    def replace(self, queue):
        with self.lock:
            self.queue = queue

    def take(self):
        """The fault for the next request, or None."""
        with self.lock:
            while self.queue:
                head = self.queue[0]
                if head[1] is None:
                    return head[0]
                head[1] -= 1
                if head[1] <= 0:
                    self.queue.pop(0)
                return head[0]
            return None


# ---------------------------------------------------------------- files

def append_line(path, obj, lock):
    """Append one JSON line with a single write(2) (O_APPEND)."""
    if not path:
        return
    data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    with lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def write_atomic(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


# ---------------------------------------------------------------- idempotency store

class Store:
    """Idempotency table per kind ('intakes', 'reviews'), persisted as JSON."""

    def __init__(self, received, keys_file):
        self.received = received
        self.keys_file = keys_file
        self.lock = threading.Lock()
        self.file_lock = threading.Lock()
        self.tables = {"intakes": {}, "reviews": {}}
        self.inflight = {"intakes": set(), "reviews": set()}
        self.seq = 0
        # The keys file is a journal, one JSON line per stored key, so each
        # commit appends a line instead of rewriting the whole table.
        if keys_file and os.path.exists(keys_file):
            with open(keys_file, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    e = json.loads(line)
                    self.tables[e["kind"]][e["key"]] = {
                        "sha256": e["sha256"], "receipt": e["receipt"]}
                    self.seq = max(self.seq, int(e["seq"]))

    def begin(self, kind, key, digest):
        """-> ('new', None) | ('replay', receipt) | ('conflict', None) | ('busy', None)"""
        with self.lock:
            if key in self.inflight[kind]:
                return "busy", None
            entry = self.tables[kind].get(key)
            if entry is not None:
                if entry["sha256"] == digest:
                    return "replay", entry["receipt"]
                return "conflict", None
            self.inflight[kind].add(key)
            return "new", None

    def abort(self, kind, key):
        with self.lock:
            self.inflight[kind].discard(key)

    def commit(self, kind, key, digest, body, conn):
        with self.lock:
            self.seq += 1
            receipt = {"id": key, "receipt": "srv-%d" % self.seq, "stored_at": now_rfc3339()}
            self.tables[kind][key] = {"sha256": digest, "receipt": receipt}
            self.inflight[kind].discard(key)
            # Persist while holding the lock so files never disagree in order.
            if self.keys_file:
                append_line(self.keys_file, {
                    "seq": self.seq, "kind": kind, "key": key,
                    "sha256": digest, "receipt": receipt}, self.file_lock)
            append_line(self.received, {
                "kind": kind[:-1], "key": key, "receipt": receipt["receipt"],
                "stored_at": receipt["stored_at"], "sha256": digest, "conn": conn,
                "body": body}, self.file_lock)
            return receipt


# ---------------------------------------------------------------- strict body checks

UUID4 = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}")
TS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _ts_ok(v):
    if not isinstance(v, str) or not TS.fullmatch(v):
        return False
    try:
        datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def validate(kind, b):
    """Wire-format checks (docs/wire-format.md). Returns a list of problems."""
    errs = []

    def need(obj, key, typ, where=""):
        if not isinstance(obj, dict) or key not in obj:
            errs.append("%s%s: missing" % (where, key))
            return None
        v = obj[key]
        if typ == "ts":
            if not _ts_ok(v):
                errs.append("%s%s: not an RFC 3339 UTC timestamp" % (where, key))
        elif typ == "uuid":
            if not isinstance(v, str) or not UUID4.fullmatch(v):
                errs.append("%s%s: not a UUIDv4" % (where, key))
        elif typ == "str":
            if not isinstance(v, str) or not v:
                errs.append("%s%s: not a non-empty string" % (where, key))
        elif typ == "str?":
            if v is not None and not isinstance(v, str):
                errs.append("%s%s: not a string or null" % (where, key))
        elif isinstance(typ, tuple):
            if v not in typ:
                errs.append("%s%s: not one of %s" % (where, key, "|".join(typ)))
        elif typ is not None and not isinstance(v, typ):
            errs.append("%s%s: wrong type" % (where, key))
        return v

    if kind == "reviews":
        need(b, "id", "uuid")
        need(b, "intake_id", "uuid")
        need(b, "decision", ("cleared", "declined", "consult"))
        need(b, "note", "str?")
        need(b, "staff", "str")
        need(b, "decided_at", "ts")
        return errs

    if need(b, "schema", None) != "kiosk.intake/1":
        errs.append("schema: not \"kiosk.intake/1\"")
    need(b, "id", "uuid")
    need(b, "receipt", "str")
    need(b, "kiosk_id", "str")
    need(b, "started_at", "ts")
    need(b, "completed_at", "ts")
    need(b, "language", "str")
    form = need(b, "form", dict)
    if isinstance(form, dict):
        need(form, "id", "str", "form.")
        if "version" not in form or not isinstance(form["version"], (str, int)):
            errs.append("form.version: missing or not a string/number")
    client = need(b, "client", dict)
    if isinstance(client, dict):
        for k in ("given_name", "family_name", "birth_date", "phone", "email"):
            need(client, k, "str?", "client.")
        bd = client.get("birth_date")
        if isinstance(bd, str) and bd and not DATE.fullmatch(bd):
            errs.append("client.birth_date: not YYYY-MM-DD")
    answers = need(b, "answers", list)
    if isinstance(answers, list):
        for i, a in enumerate(answers):
            w = "answers[%d]." % i
            if not isinstance(a, dict):
                errs.append(w[:-1] + ": not an object")
                continue
            need(a, "id", "str", w)
            need(a, "text", "str?", w)
            if "value" not in a:
                errs.append(w + "value: missing")
            else:
                v = a["value"]
                ok = v is None or isinstance(v, (str, bool, int, float)) or (
                    isinstance(v, list) and all(isinstance(x, str) for x in v))
                if not ok:
                    errs.append(w + "value: not a string, array of strings or null")
    flags = need(b, "flags", list)
    levels = set()
    if isinstance(flags, list):
        for i, fl in enumerate(flags):
            w = "flags[%d]." % i
            if not isinstance(fl, dict):
                errs.append(w[:-1] + ": not an object")
                continue
            need(fl, "code", "str", w)
            levels.add(need(fl, "level", ("exclude", "review"), w))
            need(fl, "reason", "str?", w)
            need(fl, "item", "str?", w)
    outcome = need(b, "outcome", ("clear", "review", "exclude"))
    if isinstance(flags, list) and outcome in ("clear", "review", "exclude"):
        want = "exclude" if "exclude" in levels else "review" if "review" in levels else "clear"
        if outcome != want:
            errs.append("outcome: %r but the flags say %r" % (outcome, want))
    consent = need(b, "consent", dict)
    if isinstance(consent, dict):
        st = need(consent, "status", ("accepted", "declined"), "consent.")
        need(consent, "version", None, "consent.")
        need(consent, "language", "str", "consent.")
        sha = need(consent, "text_sha256", None, "consent.")
        if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)):
            errs.append("consent.text_sha256: not 64 lowercase hex digits")
        clauses = need(consent, "clauses", list, "consent.")
        if isinstance(clauses, list):
            for i, c in enumerate(clauses):
                w = "consent.clauses[%d]." % i
                need(c, "id", "str", w)
                need(c, "accepted_at", "ts", w)
        if st == "accepted":
            need(consent, "signature", "str", "consent.")
            need(consent, "signed_at", "ts", "consent.")
        else:
            need(consent, "signature", "str?", "consent.")
            if consent.get("signed_at") is not None:
                need(consent, "signed_at", "ts", "consent.")
    return errs


# ---------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "clinic-test-server/1"
    sys_version = ""

    # -- plumbing

    def setup(self):
        self.timeout = self.server.cfg.idle_timeout
        self.conn_no = getattr(self.request, "conn_no", 0)
        self.client_cn = getattr(self.request, "client_cn", None)
        self.nreq = 0
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.cfg.verbose:
            sys.stderr.write("clinic_server: conn %d: %s\n" % (self.conn_no, fmt % args))

    def send_error(self, code, message=None, explain=None):
        # Called by the base class for malformed request lines/headers.
        self.close_connection = True
        rec = self.new_record()
        self.finish_record(rec, code, error="malformed_request")
        self.send_json(code, {"error": "malformed_request", "message": message or ""})

    def new_record(self):
        return {"t": time.time(), "conn": self.conn_no,
                "method": getattr(self, "command", None),
                "path": getattr(self, "path", None),
                "key": None, "id": None, "status": None, "fault": None,
                "auth": True, "client_cert": self.client_cn, "bytes": 0,
                "error": None}

    def finish_record(self, rec, status, error=None):
        rec["status"] = None if status is None else int(status)
        if error is not None:
            rec["error"] = error
        append_line(self.server.cfg.ledger, rec, self.server.ledger_lock)

    def build(self, status, body, ctype, extra=()):
        self.nreq_close_check()
        reason = self.responses.get(status, ("Status",))[0]
        lines = ["HTTP/1.1 %d %s" % (status, reason),
                 "Date: " + self.date_time_string(),
                 "Server: " + self.server_version]
        if ctype:
            lines.append("Content-Type: " + ctype)
        lines.append("Content-Length: %d" % len(body))
        lines.append("Cache-Control: no-store")
        for h in extra:
            lines.append("%s: %s" % h)
        if self.close_connection:
            lines.append("Connection: close")
        self.log_request(status, len(body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def nreq_close_check(self):
        m = self.server.cfg.max_requests
        if m and self.nreq >= m:
            self.close_connection = True

    def send_raw(self, data):
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def send_json(self, status, obj, extra=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.send_raw(self.build(status, body, "application/json", extra))

    def error(self, rec, status, code, message, extra=()):
        self.finish_record(rec, status, error=code)
        self.send_json(status, {"error": code, "message": message}, extra)

    # -- request body

    def read_body(self, rec):
        """The request body, or None when a response (or nothing) was sent."""
        te = self.headers.get("Transfer-Encoding")
        cl = self.headers.get_all("Content-Length") or []
        if te is not None:
            if te.strip().lower() != "chunked" or cl:
                self.close_connection = True
                self.error(rec, 400, "bad_transfer_encoding", "only chunked is supported")
                return None
            return self.read_chunked(rec)
        if not cl:
            if self.command in ("POST", "PUT", "PATCH"):
                self.close_connection = True
                self.error(rec, 411, "length_required", "Content-Length required")
                return None
            return b""
        if len(set(cl)) != 1 or not cl[0].strip().isdigit():
            self.close_connection = True
            self.error(rec, 400, "bad_content_length", "invalid Content-Length")
            return None
        n = int(cl[0])
        if n > MAX_BODY:
            self.close_connection = True
            self.error(rec, 413, "body_too_large", "body exceeds %d bytes" % MAX_BODY)
            return None
        data = self.rfile.read(n) if n else b""
        if len(data) != n:
            self.close_connection = True
            rec["bytes"] = len(data)
            self.finish_record(rec, None, error="client_disconnected")
            return None
        return data

    def read_chunked(self, rec):
        out = bytearray()
        try:
            while True:
                line = self.rfile.readline(1024)
                if not line.endswith(b"\n"):
                    raise ValueError("truncated chunk size")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(8192).strip():
                        pass  # trailers
                    return bytes(out)
                if len(out) + size > MAX_BODY:
                    self.close_connection = True
                    self.error(rec, 413, "body_too_large", "body exceeds %d bytes" % MAX_BODY)
                    return None
                chunk = self.rfile.read(size)
                if len(chunk) != size or self.rfile.read(2) != b"\r\n":
                    raise ValueError("truncated chunk")
                out += chunk
        except (ValueError, OSError):
            self.close_connection = True
            rec["bytes"] = len(out)
            self.finish_record(rec, None, error="bad_chunked_body")
            return None

    # -- dispatch

    def do_any(self):
        self.nreq += 1
        cfg = self.server.cfg
        rec = self.new_record()
        keys = self.headers.get_all("Idempotency-Key") or []
        rec["key"] = keys[0] if len(keys) == 1 else (", ".join(keys) if keys else None)
        rec["auth"] = self.auth_ok()
        body = self.read_body(rec)
        if body is None:
            return
        rec["bytes"] = len(body)
        obj = None
        try:
            obj = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            obj = None
        body_id = obj.get("id") if isinstance(obj, dict) else None
        if body_id is not None and not isinstance(body_id, str):
            body_id = None
        rec["id"] = body_id
        if cfg.verbose:
            self.log_message("%s %s key=%s id=%s", self.command, self.path, rec["key"], body_id)

        fault = self.server.faults.take()
        if fault == "ok":
            fault = None
        rec["fault"] = fault
        if fault and self.apply_fault(fault, rec, obj, body, body_id):
            return

        if not rec["auth"]:
            return self.error(rec, 401, "unauthorized", "missing or wrong bearer token",
                              [("WWW-Authenticate", 'Bearer realm="kiosk"')])
        path = self.path.split("?", 1)[0]
        kind = ("intakes" if path.endswith("/intakes") else
                "reviews" if path.endswith("/reviews") else None)
        if kind is None:
            return self.error(rec, 404, "not_found", "no such endpoint")
        if self.command != "POST":
            return self.error(rec, 405, "method_not_allowed", "use POST", [("Allow", "POST")])
        ctypes = self.headers.get_all("Content-Type") or []
        if len(ctypes) > 1:
            return self.error(rec, 400, "duplicate_content_type",
                              "more than one Content-Type header")
        ctype = (ctypes[0] if ctypes else "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            return self.error(rec, 415, "unsupported_media_type",
                              "Content-Type must be application/json")
        if not isinstance(obj, dict):
            return self.error(rec, 400, "invalid_json", "body must be a JSON object")
        if not isinstance(obj.get("id"), str) or not obj["id"]:
            return self.error(rec, 400, "missing_id", "body needs a string \"id\"")
        if not keys:
            return self.error(rec, 400, "missing_idempotency_key",
                              "Idempotency-Key header required")
        if len(keys) != 1:
            return self.error(rec, 400, "malformed_idempotency_key",
                              "exactly one Idempotency-Key header")
        m = re.fullmatch(r'\s*"((?:[^"\\]|\\["\\])*)"\s*', keys[0])
        if not m:
            return self.error(rec, 400, "malformed_idempotency_key",
                              'Idempotency-Key must be a quoted string: "<id>"')
        key = re.sub(r'\\(["\\])', r"\1", m.group(1))
        if key != obj["id"]:
            return self.error(rec, 400, "idempotency_key_mismatch",
                              "Idempotency-Key does not match the body's id")
        if cfg.strict:
            problems = validate(kind, obj)
            if problems:
                self.finish_record(rec, 400, error="invalid_body")
                return self.send_json(400, {"error": "invalid_body",
                                            "message": "; ".join(problems[:20]),
                                            "problems": problems})
        self.store(kind, key, obj, body, rec, fault)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_any

    def do_HEAD(self):
        self.close_connection = True
        self.do_any()

    def auth_ok(self):
        token = self.server.cfg.token
        if token is None:
            return True
        h = self.headers.get("Authorization") or ""
        parts = h.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer":
            return False
        return hmac.compare_digest(parts[1].strip().encode(), token.encode())

    def store(self, kind, key, obj, body, rec, fault):
        st = self.server.store
        digest = hashlib.sha256(body).hexdigest()
        state, receipt = st.begin(kind, key, digest)
        if state == "busy":
            return self.error(rec, 409, "in_progress",
                              "a request with this key is still being processed",
                              [("Retry-After", "1")])
        if state == "conflict":
            return self.error(rec, 422, "idempotency_key_reused",
                              "this key was already used with a different body")
        if state == "replay":
            self.finish_record(rec, 200)
            return self.send_json(200, receipt, [("Idempotent-Replayed", "true")])
        try:
            if fault == "slow":
                STOP.wait(self.server.cfg.slow_seconds)
            receipt = st.commit(kind, key, digest, obj, self.conn_no)
        except BaseException:
            st.abort(kind, key)
            raise
        self.finish_record(rec, 201)
        if fault == "escreceipt":
            receipt = dict(receipt, receipt=receipt["receipt"] + ESC_RECEIPT)
        resp = self.build(201, json.dumps(receipt, separators=(",", ":")).encode(),
                          "application/json")
        if fault == "trickle":
            return self.trickle(resp)
        self.send_raw(resp)
        if fault == "close":
            self.close_connection = True

    # -- faults

    def apply_fault(self, fault, rec, obj, body, body_id):
        """Handle a fault. True when the request is finished."""
        cfg = self.server.cfg
        if fault in ("trickle", "close", "slow", "escreceipt"):
            return False            # stored normally; delivery differs
        if fault in ("hugebody", "endlessbody", "hugeheader", "endlessheaders"):
            return self.hostile(fault, rec, body_id)
        if fault in STATUS_MODES:
            status = int(fault)
            extra = []
            if status in (429, 503) and cfg.retry_after is not None:
                extra.append(("Retry-After", cfg.retry_after))
            if status == 401:
                extra.append(("WWW-Authenticate", 'Bearer realm="kiosk"'))
            self.error(rec, status, "fault_%d" % status, "injected fault", extra)
            return True
        if fault == "hang":
            self.finish_record(rec, None)
            self.close_connection = True
            STOP.wait(cfg.hang_seconds)
            return True
        if fault == "reset":
            self.finish_record(rec, None)
            self.close_connection = True
            try:
                self.wfile.write(b"HTTP/1.1 20")
                self.wfile.flush()
            except OSError:
                pass
            self.abort_connection()
            return True
        if fault == "garbage":
            self.finish_record(rec, None)
            self.close_connection = True
            self.send_raw(GARBAGE)
            return True
        if fault == "portal":
            self.finish_record(rec, 200)
            self.send_raw(self.build(200, PORTAL_PAGE, "text/html; charset=utf-8"))
            return True
        if fault == "badjson":
            self.finish_record(rec, 201)
            self.send_raw(self.build(201, b"not json", "application/json"))
            return True
        if fault == "wrongid":
            self.finish_record(rec, 201)
            self.send_json(201, {"id": str(uuid.uuid4()), "receipt": "srv-wrong",
                                 "stored_at": now_rfc3339()})
            return True
        raise AssertionError(fault)

    def hostile(self, fault, rec, body_id):
        """A 201 the client must refuse: nothing is stored."""
        self.finish_record(rec, 201)
        self.close_connection = True
        start = {"id": body_id, "receipt": "srv-hostile", "pad": ""}
        head = json.dumps(start)[:-2].encode()      # ... "pad": "
        lines = ["HTTP/1.1 201 Created", "Content-Type: application/json"]
        if fault == "hugebody":
            lines.append("Content-Length: %d" % (len(head) + HUGE + 2))
        elif fault == "endlessbody":
            lines.append("Transfer-Encoding: chunked")
        elif fault == "hugeheader":
            lines.append("X-Padding: " + "a" * HUGE)
        try:
            if fault == "endlessheaders":
                self.wfile.write(("\r\n".join(lines) + "\r\n").encode())
                n = 0
                while not STOP.is_set():
                    n += 1
                    self.wfile.write(b"X-More-%d: %s\r\n" % (n, b"b" * 1000))
                return True
            if fault == "hugeheader":
                lines.append("Content-Length: %d" % (len(head) + 2))
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            if fault == "hugebody":
                self.wfile.write(head + b"x" * HUGE + b'"}')
            elif fault == "endlessbody":
                chunk = b"x" * 65536
                self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
                while not STOP.is_set():
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(head + b'"}')
            self.wfile.flush()
        except OSError:
            pass
        return True

    def trickle(self, data):
        iv = self.server.cfg.trickle_interval
        for i in range(len(data)):
            try:
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
            except OSError:
                self.close_connection = True
                return
            if i + 1 < len(data) and STOP.wait(iv):
                self.close_connection = True
                return

    def abort_connection(self):
        """Close with SO_LINGER 0: the peer sees a TCP reset, no close_notify."""
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            sock.close()    # last io ref gone: the fd really closes, RST goes out
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, cfg, ctx, faults, store):
        self.cfg = cfg
        self.ctx = ctx
        self.faults = faults
        self.store = store
        self.ledger_lock = threading.Lock()
        self.connlog_lock = threading.Lock()
        self.conn_lock = threading.Lock()
        self.conn_seq = 0
        if ":" in cfg.host:
            self.address_family = socket.AF_INET6
        super().__init__((cfg.host, cfg.port), Handler, bind_and_activate=False)
        try:
            self.server_bind()
            self.server_activate()
        except BaseException:
            self.server_close()
            raise
        # Wrap the listening socket; handshakes happen in the connection's
        # own thread so a silent or broken client blocks nobody else.
        self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                      do_handshake_on_connect=False)

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)   # skip the getfqdn() lookup
        self.server_name = self.cfg.host
        self.server_port = self.server_address[1]

    def get_request(self):
        sock, addr = self.socket.accept()
        with self.conn_lock:
            self.conn_seq += 1
            sock.conn_no = self.conn_seq
        return sock, addr

    def connlog(self, sock, event, **kw):
        if not self.cfg.conn_log:
            return
        rec = {"t": time.time(), "conn": getattr(sock, "conn_no", 0), "event": event}
        rec.update(kw)
        append_line(self.cfg.conn_log, rec, self.connlog_lock)

    def finish_request(self, request, client_address):
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self.connlog(request, "handshake_failed", error=str(e))
            if self.cfg.verbose:
                sys.stderr.write("clinic_server: conn %d: handshake failed: %s\n"
                                 % (getattr(request, "conn_no", 0), e))
            return
        cn = None
        try:
            cert = request.getpeercert()
            for rdn in (cert or {}).get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
        except (ssl.SSLError, OSError, ValueError):
            pass
        request.client_cn = cn
        self.connlog(request, "handshake", tls=request.version(), client_cert=cn)
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            self.connlog(request, "closed")

    def shutdown_request(self, request):
        try:
            request.shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            pass
        self.close_request(request)

    def handle_error(self, request, client_address):
        # Client vanished mid-request, TLS error, etc.: never fatal.
        if self.cfg.verbose:
            sys.stderr.write("clinic_server: conn %d: error\n" % getattr(request, "conn_no", 0))
            traceback.print_exc()


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(prog="clinic_server.py",
                                description="Test clinic HTTPS server for the kiosk.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--port-file", help="write the chosen port here once listening")
    p.add_argument("--cert", required=True, help="server certificate (PEM, chain)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--client-ca", help="require a client certificate signed by this CA")
    p.add_argument("--token", help="require 'Authorization: Bearer TOKEN'; @FILE reads it")
    p.add_argument("--ledger", help="JSON lines, one per request")
    p.add_argument("--received", help="JSON lines, one per stored intake/review")
    p.add_argument("--keys-file", help="idempotency table (default RECEIVED.keys.json)")
    p.add_argument("--conn-log", help="JSON lines, one per TLS connection event")
    p.add_argument("--fault", action="append", default=[], metavar="MODE[xN]")
    p.add_argument("--fault-file", help="re-read on SIGUSR1 (replaces the fault queue)")
    p.add_argument("--retry-after", help="Retry-After value for 429/503 faults")
    p.add_argument("--hang-seconds", type=float, default=60.0)
    p.add_argument("--slow-seconds", type=float, default=2.0)
    p.add_argument("--trickle-interval", type=float, default=0.5)
    p.add_argument("--idle-timeout", type=float, default=60.0,
                   help="close a kept-alive connection idle this long")
    p.add_argument("--max-requests", type=int, default=0,
                   help="close a connection after this many requests (0 = no limit)")
    p.add_argument("--strict", action="store_true",
                   help="check bodies against the wire format (docs/wire-format.md) (400 if not)")
    p.add_argument("--verbose", action="store_true")
    return p.parse_args(argv)


def main(argv):
    cfg = parse_args(argv)
    prog = "clinic_server"
    try:
        queue = [parse_fault(s) for s in cfg.fault]
        if cfg.fault_file:
            queue += read_fault_file(cfg.fault_file)
    except ValueError as e:
        sys.stderr.write("%s: %s\n" % (prog, e))
        return 64
    if cfg.token is not None and cfg.token.startswith("@"):
        try:
            with open(cfg.token[1:], encoding="utf-8") as f:
                cfg.token = f.read().strip()
        except OSError as e:
            sys.stderr.write("%s: --token: %s\n" % (prog, e))
            return 66
    if cfg.token is not None and not cfg.token:
        sys.stderr.write("%s: --token: empty token\n" % prog)
        return 64
    if cfg.keys_file is None and cfg.received:
        cfg.keys_file = cfg.received + ".keys.json"
    if cfg.port_file:
        try:
            os.unlink(cfg.port_file)
        except FileNotFoundError:
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    what = "--cert/--key %s %s" % (cfg.cert, cfg.key)
    try:
        ctx.load_cert_chain(cfg.cert, cfg.key)
        if cfg.client_ca:
            what = "--client-ca " + cfg.client_ca
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cafile=cfg.client_ca)
        what = "idempotency table %s" % cfg.keys_file
        store = Store(cfg.received, cfg.keys_file)
        what = "listening on %s port %d" % (cfg.host, cfg.port)
        server = Server(cfg, ctx, Faults(queue), store)
    except (OSError, ssl.SSLError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write("%s: %s: %s\n" % (prog, what, e))
        return 1

    reloads = [0]

    def on_usr1(signum, frame):
        try:
            q = read_fault_file(cfg.fault_file) if cfg.fault_file else []
        except (OSError, ValueError) as e:
            sys.stderr.write("%s: fault file not reloaded: %s\n" % (prog, e))
            return
        server.faults.replace(q)
        reloads[0] += 1
        if cfg.fault_file:
            try:
                write_atomic(cfg.fault_file + ".loaded",
                             b"%d %d\n" % (os.getpid(), reloads[0]))
            except OSError:
                pass

    stopping = [False]

    def on_term(signum, frame):
        stopping[0] = True
        STOP.set()

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True)
    t.start()
    port = server.server_address[1]
    if cfg.port_file:
        try:
            write_atomic(cfg.port_file, b"%d\n" % port)
        except OSError as e:
            sys.stderr.write("%s: --port-file: %s\n" % (prog, e))
            return 1
    if cfg.verbose:
        sys.stderr.write("%s: listening on https://%s:%d\n" % (prog, cfg.host, port))
    while not stopping[0]:
        STOP.wait(0.5)
    server.shutdown()
    server.server_close()
    if cfg.port_file:
        try:
            os.unlink(cfg.port_file)    # a stale port must not fool the next start
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
