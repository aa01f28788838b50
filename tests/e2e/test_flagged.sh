#!/bin/sh
# Answers that raise a flag, and a declined consent: stored with the right
# outcome, flags and consent status, while the client only ever sees
# neutral words (docs/design.md "What a client sees when something is flagged").
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

NEUTRAL="A member of our team will go over a few of your answers"

# expect_nothing_flag_related: the screen names no condition, flag code,
# or staff-facing reason from the form (case-insensitive).
expect_nothing_flag_related() {
	"$PY" -c '
import json, sys
form = json.load(open(sys.argv[1], encoding="utf-8"))
for sec in form["sections"]:
    for it in sec.get("items", []):
        f = it.get("flag")
        if f:
            print(f["code"])
            print(f["reason"])
' "$FORM" >"$T/forbidden.txt"
	printf '%s\n' pregnan breastfeed exclude unsure contraindicat >>"$T/forbidden.txt"
	screen >"$T/screen.txt"
	while IFS= read -r word; do
		grep -qiF -- "$word" "$T/screen.txt" &&
			fail "the client's screen shows staff-only words: $word"
	done <"$T/forbidden.txt"
	return 0
}

t_pregnant_excluded() {
	kiosk_start
	walk_client "Eva" "Lind" "Eva Lind" y
	expect_screen "Thank you, Eva." "Your receipt code:" "$NEUTRAL"
	expect_no_screen "After your treatment"
	expect_nothing_flag_related
	receipt=$(screen_receipt)
	expect_export <<EOF
lines            1
receipt          $receipt
outcome          exclude
flags.#          1
flags.0.code     PREGNANT
flags.0.level    exclude
flags.0.item     pregnant
answers.2.value  yes
consent.status   accepted
EOF
}

t_not_sure_reviewed() {
	kiosk_start
	walk_client "Ida" "Holm" "Ida Holm" 3
	expect_screen "Thank you, Ida." "$NEUTRAL"
	expect_no_screen "After your treatment" "not sure"
	expect_nothing_flag_related
	expect_export <<EOF
lines            1
outcome          review
flags.*.code     PREGNANT_UNSURE
flags.0.level    review
answers.2.value  not_sure
EOF
}

# focus_by_tab TEXT: press Tab (at most 4 times) until the button TEXT
# has the focus; false if it never does.
focus_by_tab() {
	has_focus "$1" && return 0
	for i in 1 2 3 4; do
		send Tab
		wait_settled
		has_focus "$1" && return 0
	done
	return 1
}

# decline_by_keys PAGE-TEXT: focus [ Decline ] with Tab and press Enter;
# if that opens the decline page, Esc back to PAGE-TEXT. Records PAGE-TEXT
# in $unreachable otherwise.
decline_by_keys() {
	if focus_by_tab "[ Decline ]"; then
		send Enter
		wait_for "Decline the consent?"
		send Escape
		wait_for "$1"
	else
		unreachable="$unreachable '$1'"
	fi
}

# the key contract (README "Keys"): Tab moves between fields and buttons; Enter confirms the
# focused one. So [ Decline ] on the consent, clause and signature pages
# must be reachable without a mouse.
t_decline_by_keyboard() {
	kiosk_start
	start_checkin
	fill_details "Kai" "Moe" 05061999 "0612345678"
	fill_goals "1" "1"
	answer_health
	wait_for "Please check your answers"
	send Enter
	wait_for "Consent version"
	unreachable=""
	decline_by_keys "Consent version"
	send NPage NPage NPage NPage NPage NPage
	wait_for "[ Continue ]"
	focus_by_tab "[ Continue ]" || fail "consent: Tab never focuses [ Continue ]"
	send Enter
	wait_for "Agreement 1 of 5"
	decline_by_keys "Agreement 1 of 5"
	for i in 1 2 3 4 5; do
		wait_for "Agreement $i of 5"
		send y
	done
	wait_for "Type your full name as your signature"
	decline_by_keys "Type your full name as your signature"
	[ -z "$unreachable" ] ||
		fail "[ Decline ] cannot be focused with Tab on these pages:$unreachable"
}

# Touch [ Decline ] on the consent page, then [ Decline consent ].
t_declined_stored() {
	kiosk_start
	start_checkin
	fill_details "Lou" "Park" 05061999 "0612345678"
	fill_goals "1" "1"
	answer_health
	wait_for "Please check your answers"
	send Enter
	wait_for "Consent version"
	wait_for "[ Decline ]"
	click 22 5
	wait_for "Decline the consent?"
	expect_screen "[ Go back ]" "[ Decline consent ]"
	click 22 60
	wait_for "Thank you, Lou."
	expect_screen "Your receipt code:" "A member of our team will talk with you"
	expect_no_screen "After your treatment"
	expect_export <<EOF
lines              1
consent.status     declined
consent.signature  null
consent.signed_at  null
consent.clauses.#  0
client.given_name  Lou
EOF
}

# A touch is one press and one release. The release must not act as a
# second touch on whatever page is showing when the next key arrives.
t_touch_acts_once() {
	kiosk_start
	start_checkin
	fill_details "Mo" "Dahl" 05061999 "0612345678"
	fill_goals "1" "1"
	answer_health
	read_consent
	click 22 5			# [ Decline ] on "Agreement 1 of 5"
	wait_for "Decline the consent?"
	expect_focus "[ Go back ]"
	send Tab			# now focus [ Decline consent ]
	wait_settled
	expect_screen "Decline the consent?"
	expect_focus "[ Decline consent ]"
	send Enter
	wait_for "Thank you, Mo."
	expect_export <<EOF
lines              1
consent.status     declined
consent.signature  null
EOF
}

run_test "pregnant: outcome exclude, flag PREGNANT; the client sees only neutral words" t_pregnant_excluded
run_test "Not sure on pregnancy: outcome review, flag PREGNANT_UNSURE; neutral words" t_not_sure_reviewed
run_test "[ Decline ] reachable by keyboard (Tab, Enter) on consent, clause and signature pages" t_decline_by_keyboard
run_test "declined consent is stored: status declined, no signature" t_declined_stored
run_test "a touch acts once: touch [ Decline ], then Tab stays on the decline page" t_touch_acts_once
