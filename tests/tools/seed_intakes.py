#!/usr/bin/env python3
"""Queue N synthetic, completed intakes in a kiosk store, as if N clients
had checked in while the kiosk was offline. The database must already exist
(run `kiosk status` once to create and migrate it). Payloads follow the
wire format; names are synthetic. Prints nothing.

usage: seed_intakes.py DB N [--kiosk-id ID] [--payloads FILE]
  --payloads FILE  also write each payload as one JSON line to FILE
"""
import argparse
import hashlib
import json
import sqlite3
import time
import uuid


def payload(i, kiosk_id, now):
    iid = str(uuid.uuid4())
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    stamp_ms = stamp[:-1] + ".000Z"
    text = "Synthetic consent text."
    return iid, {
        "schema": "kiosk.intake/1", "id": iid, "receipt": "SYN-%03d" % (i % 1000),
        "kiosk_id": kiosk_id, "started_at": stamp, "completed_at": stamp_ms,
        "language": "en", "form": {"id": "microneedling", "version": "2026.11-1"},
        "client": {"given_name": "Zoë", "family_name": "Núñez-O'Brien %d" % i,
                   "birth_date": "1990-04-12", "phone": "+44 7700 900123",
                   "email": None},
        "answers": [{"id": "pregnant", "text": "Are you pregnant or breastfeeding?",
                     "value": "no"}],
        "flags": [], "outcome": "clear",
        "consent": {"status": "accepted", "version": "2026.11-1", "language": "en",
                    "text": text,
                    "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "clauses": [{"id": c, "accepted_at": stamp} for c in (
                        "no_makeup_24h", "sun_protection",
                        "no_actives_exercise", "answers_true",
                        "consent_treatment")],
                    "signature": "Zoë Núñez-O'Brien", "signed_at": stamp},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("n", type=int)
    ap.add_argument("--kiosk-id", default="seed")
    ap.add_argument("--payloads")
    a = ap.parse_args()
    db = sqlite3.connect(a.db)
    now_ms = int(time.time() * 1000)
    now = now_ms // 1000
    out = open(a.payloads, "w", encoding="utf-8") if a.payloads else None
    with db:
        for i in range(a.n):
            iid, p = payload(i, a.kiosk_id, now)
            text = json.dumps(p, ensure_ascii=False, separators=(",", ":"))
            db.execute(
                "INSERT INTO intakes (id, receipt, outcome, consent, completed_at,"
                " completed_ms, payload, payload_sha256, next_attempt_at)"
                " VALUES (?, ?, 'clear', 'accepted', ?, ?, ?, ?, ?)",
                (iid, p["receipt"], now, now_ms, text,
                 hashlib.sha256(text.encode()).hexdigest(), now))
            if out:
                out.write(text + "\n")
    if out:
        out.close()
    db.close()


if __name__ == "__main__":
    main()
