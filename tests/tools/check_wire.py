#!/usr/bin/env python3
"""Validate JSON lines against the wire format's JSON Schema.

usage: check_wire.py intake|review FILE...
Each non-empty line of each FILE must be one JSON object valid against
docs/kiosk.intake-1.schema.json (or docs/kiosk.review-1.schema.json).
Prints every problem as FILE:LINE: PATH: MESSAGE and exits 1 if any.
"""
import json
import os
import sys

import jsonschema

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("intake", "review"):
        sys.exit(__doc__.strip())
    with open(os.path.join(DOCS, "kiosk.%s-1.schema.json" % sys.argv[1]),
              encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except ValueError as e:
                    print("%s:%d: not JSON: %s" % (path, n, e))
                    bad += 1
                    continue
                for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path)):
                    where = ".".join(str(p) for p in e.path) or "(top)"
                    print("%s:%d: %s: %s" % (path, n, where, e.message))
                    bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
