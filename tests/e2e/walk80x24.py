#!/usr/bin/env python3
"""Walk every page of a form as a client, in one language, on the kiosk
running in tmux (80x24), and fail if any of the form's text is cut.

Usage: walk80x24.py SOCKET FORM LANG

The kiosk must show its welcome page. Answers are chosen so that every
follow-up question appears and the outcome stays clear (so the thank-you
page shows the aftercare). On every page the form's own words for that
page (title, questions, help, options, about, consent, clauses,
signature prompt, aftercare, and the review's question and answer
columns) must each appear whole: the screen, joined and with runs of
spaces folded, must contain each text (each paragraph of a long one).
Text longer than the page is read by scrolling, the screens merged.
Exit 0 when all is there, else 1 with what was missing and the screen.
"""
import json
import os
import re
import subprocess
import sys
import time

SOCK, FORM, LANG = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT = float(os.environ.get("E2E_WAIT_S", "8"))
COLS, LINES = 80, 24

form = json.load(open(FORM, encoding="utf-8"))
assert LANG in form["languages"], "%s not in the form's languages" % LANG


def tr(t):
    return t[LANG]


def fold(s):
    return re.sub(r"\s+", " ", s).strip()


def screen():
    out = subprocess.run(["tmux", "-L", SOCK, "capture-pane", "-p", "-t", "k"],
                         capture_output=True, text=True, check=True).stdout
    rows = out.split("\n")[:LINES]
    return rows + [""] * (LINES - len(rows))


def send(*keys):
    subprocess.run(["tmux", "-L", SOCK, "send-keys", "-t", "k"] + list(keys),
                   check=True)


def typed(text):
    subprocess.run(["tmux", "-L", SOCK, "send-keys", "-t", "k", "-l", "--",
                    text], check=True)


def die(msg, rows=None):
    print("walk (%s): %s" % (LANG, msg))
    rows = rows if rows is not None else screen()
    print("screen (80 columns, '|' marks the edges):")
    for r in rows:
        print("|%s|" % r)
    sys.exit(1)


def wait(pred, what):
    end = time.time() + WAIT
    while True:
        rows = screen()
        if pred(rows):
            return rows
        if time.time() > end:
            die("timed out waiting for " + what, rows)
        time.sleep(0.05)


def wait_text(text):
    return wait(lambda r: text in "\n".join(r), repr(text))


def wait_change(before):
    return wait(lambda r: r != before, "the screen to change")


def body(rows, top=2, bottom=LINES - 5):
    return [r.rstrip() for r in rows[top:bottom + 1]]


def joined(lines):
    return fold(" ".join(lines))


def expect_in(texts, captures, page):
    """Each text (folded) is whole in at least one capture (folded)."""
    for t in texts:
        want = fold(t)
        if not want:
            continue
        if not any(want in c for c in captures):
            die("%s: cut or missing: %r" % (page, want))


def paragraphs(text):
    return [p for p in text.split("\n") if p.strip()]


def merge(acc, lines):
    """Append a scrolled view to the lines read so far (they overlap)."""
    if not acc:
        return list(lines)
    for k in range(min(len(acc), len(lines)), 0, -1):
        if acc[-k:] == lines[:k]:
            return acc + lines[k:]
    return acc + lines


def has_more_below(rows, row):
    return re.search(r"v \S+\s*$", rows[row]) is not None


def read_scroll(top, bottom, mark_row, page):
    """Read a scrolling block to its end with PgDn; its lines merged."""
    rows = screen()
    acc = merge([], body(rows, top, bottom))
    for _ in range(40):
        if not has_more_below(rows, mark_row):
            return acc
        send("NPage")
        rows = wait_change(rows)
        acc = merge(acc, body(rows, top, bottom))
    die(page + ": still more after 40 pages")


# Answers that reach every follow-up and keep the outcome clear.
BOOL = {"chemo_ever": "y", "isotretinoin_now": "n", "isotretinoin_past": "y",
        "microneedling_before": "y"}
DATES = {"chemo_end": "01012010", "isotretinoin_stop": "01012010",
         "last_session": "01012020"}
YES = {"en": "y", "es": "s"}
answers = {"chemo_ever": "yes", "isotretinoin_now": "no",
           "isotretinoin_past": "yes", "microneedling_before": "yes"}


def enabled(item):
    w = item.get("enable_when")
    if not w:
        return True
    eq = w["equals"] if isinstance(w["equals"], list) else [w["equals"]]
    return answers.get(w["item"], "no") in eq


# ---------------------------------------------------------------- walk

wait_text("·")
idx = form["languages"].index(LANG) + 1
send(str(idx))
wait_text("F2: ")
send("Enter")

# About: every paragraph, read to its end.
wait_text(tr(form["about_title"]))
about = joined(read_scroll(4, LINES - 5, LINES - 4, "about"))
expect_in(paragraphs(tr(form["about"])), [about], "about")
send("Enter")

sections = form["sections"]

# The details page: the texts, checked as the fields are filled in.
s0 = sections[0]
rows = wait_text(tr(s0["title"]))
caps = [joined(body(rows))]
fill = ["María José", "García Núñez", "12041990", "612 345 678"]
for i, value in enumerate(fill):
    typed(value)
    rows = wait_change(rows)
    send("Tab" if i < len(fill) - 1 else "Enter")
    rows = wait_change(rows)
    caps.append(joined(body(rows)))
texts = [tr(s0["title"])]
for it in s0["items"]:
    texts += [tr(it["text"])] + ([tr(it["help"])] if "help" in it else [])
expect_in(texts, caps, "details")
send("Enter")

# The goals page: two multiple choices.
s1 = sections[1]
rows = wait(lambda r: tr(s1["items"][0]["text"])[:30] in "\n".join(r),
            "the goals page")
caps = [joined(body(rows))]
for it in s1["items"]:
    send("1")
    rows = wait_change(rows)
    caps.append(joined(body(rows)))
    # Walk the cursor down every option so each is brought into view.
    for _ in it["options"][1:]:
        send("Down")
        rows = wait_change(rows)
        caps.append(joined(body(rows)))
    if it is not s1["items"][-1]:
        send("Tab")
        rows = wait_change(rows)
        caps.append(joined(body(rows)))
texts = [tr(s1["title"])]
for it in s1["items"]:
    texts += [tr(it["text"])] + ([tr(it["help"])] if "help" in it else [])
    texts += [tr(o["label"]) for o in it["options"]]
expect_in(texts, caps, "goals")
send("Enter")

# The health questions, one a page.
s2 = sections[2]
k = 0
for it in s2["items"]:
    if not enabled(it):
        continue
    k += 1
    rows = wait(lambda r: tr(it["text"])[:20] in "\n".join(r) and
                re.search(r"\b%d\b" % k, r[0]) is not None,
                "health question %d (%s)" % (k, it["id"]))
    texts = [tr(s2["title"]), tr(it["text"])]
    if "help" in it:
        texts.append(tr(it["help"]))
    expect_in(texts, [joined(body(rows)), fold(rows[2])], it["id"])
    if it["type"] == "date":
        typed(DATES[it["id"]])
        rows = wait_change(rows)
    else:
        send(YES[LANG] if BOOL.get(it["id"], "n") == "y" else "n")
        rows = wait_change(rows)
    send("Enter")
    wait_change(rows)

# The review: every question and answer, read row by row.
rows = screen()
qw = COLS // 2 - 2
left, right = [], []


def columns(rows):
    b = body(rows)
    return (joined([r[2:2 + qw] for r in b]),
            joined([r[qw + 4:qw + 4 + COLS - qw - 8] for r in b]))


shown = [it for s in sections for it in s["items"]
         if it["type"] != "display" and enabled(it)]
l, r = columns(rows)
left.append(l)
right.append(r)
for _ in range(len(shown) + 1):
    send("Down")
    rows = wait_change(rows)
    l, r = columns(rows)
    left.append(l)
    right.append(r)
expect_in([tr(it["text"]) for it in shown], left, "review (questions)")
labels = [tr(s1["items"][0]["options"][0]["label"]),
          tr(s1["items"][1]["options"][0]["label"]), "María José",
          "García Núñez"]
expect_in(labels, right, "review (answers)")
# The cursor is on Back: on to Continue.
send("Down", "Enter")

# The consent, read to its end.
c = form["consent"]
wait_text(tr(c["title"]))
text = joined(read_scroll(4, LINES - 5, LINES - 4, "consent"))
expect_in(paragraphs(tr(c["text"])), [text], "consent")
rows = wait(lambda r: re.search(r"\[ \S.* \]\s*$", r[LINES - 2]) and
            r[LINES - 2].count("[") == 2, "the consent's Continue button")
send("Enter")
for i, cl in enumerate(c["clauses"]):
    rows = wait(lambda r: tr(cl["text"])[:20] in "\n".join(r),
                "clause %d" % (i + 1))
    expect_in([tr(cl["text"])], [joined(body(rows))], "clause %s" % cl["id"])
    send("Enter")
rows = wait_text(tr(c["signature"])[:20])
expect_in([tr(c["signature"])], [joined(body(rows))], "signature")
typed("maria jose garcia nunez")
rows = wait_change(rows)
send("Enter")

# The thank-you page: the aftercare, read to its end.
rows = wait(lambda r: "María José" in r[4], "the thank-you page")
text = joined(read_scroll(8, LINES - 5, LINES - 4, "thank-you"))
expect_in(paragraphs(tr(form["aftercare"])), [text], "thank-you")
print("walk (%s): every text whole at 80x24" % LANG)
