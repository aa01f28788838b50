#!/bin/sh
# A client checks in: every page on the way, going back, changing an answer
# from the review page, and names in any script, checked on screen and in
# `kiosk export`.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

t_clear_client() {
	kiosk_start
	expect_screen "The Skin Clinic" "Microneedling check-in"

	send Enter
	wait_for "About microneedling"
	expect_screen "[ Back ]" "[ Continue ]"
	send Enter

	wait_for "About you"
	expect_screen "First name" "Last name" "Date of birth" "Mobile phone" "Email"
	# Continue on an empty page: every problem marked at once.
	send BTab Enter
	wait_for "Please check the 4 answers marked above."
	[ "$(grep -c '! Please fill this in.' "$T/screen.txt")" -ge 3 ] ||
		fail "expected a mark beside each empty field"
	type_text "Anna-Lena"
	send Tab
	type_text "van der Berg"
	send Tab
	type_text 12041990		# Day, Month, Year: each moves on when full
	wait_for "Day 12    Month 04    Year 1990"
	send Tab
	type_text "07700 900123"
	wait_for "07700 900123"
	expect_screen "Anna-Lena" "van der Berg"
	send Enter		# Enter in a field before the last: next field
	wait_settled
	expect_screen "About you"
	screen | grep -q '^  > .*Email\|^  > *$' ||
		screen | grep -A1 'Email' | grep -q '^  >' ||
		fail "Enter in the phone field did not move focus to Email"
	send Enter

	wait_for "Your skin goals"
	send 1 3
	send Tab
	send 1
	wait_for "[x] 1. Face"
	expect_screen "[x] 1. Lines and wrinkles" "[x] 3. Large pores" "[ ] 2. A more"
	send Enter

	wait_for "Question 1 of 23"
	expect_screen "A few health questions" "Are you pregnant or breastfeeding?" \
	    "( ) 1. Yes" "( ) 2. No" "( ) 3. Not sure"
	send n
	wait_for "(*) 2. No"
	send Enter
	wait_for "Question 2 of 23"
	expect_screen "keloid"
	answer_health_from 2

	wait_for "Please check your answers"
	expect_screen "Anna-Lena" "van der Berg" "12 Apr 1990" "07700 900123" \
	    "Lines and wrinkles, Large pores" "Face"
	expect_focus "[ Continue ]"
	send Enter

	wait_for "Consent version 2026.11-1"
	expect_screen "Consent to treatment" "(read to the end to continue)"
	expect_no_screen "[ Continue ]"
	send NPage NPage NPage NPage NPage NPage
	wait_for "[ Continue ]"
	send Enter

	wait_for "Agreement 1 of 5"
	expect_screen "I will not wear makeup for 24 hours"
	send Enter
	wait_for "Agreement 2 of 5"
	send y
	wait_for "Agreement 3 of 5"
	send Enter
	wait_for "Agreement 4 of 5"
	send y
	wait_for "Agreement 5 of 5"
	expect_screen "I consent to"
	send Enter

	wait_for "Type your full name as your signature"
	type_text "Anna-Lena van der Berg"
	wait_for "Anna-Lena van der Berg"
	send Enter

	wait_for "Thank you, Anna-Lena. You are checked in."
	expect_screen "Your receipt code:" "After your treatment:" "sun exposure"
	expect_no_screen "go over a few of your answers"
	receipt=$(screen_receipt)
	[ -n "$receipt" ] || fail "no receipt code on the thank-you page"

	expect_export <<EOF
lines                   1
schema                  kiosk.intake/1
kiosk_id                e2e-$e2e_n
receipt                 $receipt
outcome                 clear
flags.#                 0
client.given_name       Anna-Lena
client.family_name      van der Berg
client.birth_date       1990-04-12
client.phone            07700 900123
client.email            null
answers.0.id            goals
answers.0.value         ["lines", "pores"]
answers.1.value         ["face"]
answers.2.id            pregnant
answers.2.value         no
consent.status          accepted
consent.version         2026.11-1
consent.clauses.#       5
consent.clauses.*.id    no_makeup_24h,sun_protection,no_actives_exercise,answers_true,consent_treatment
consent.signature       Anna-Lena van der Berg
consent.signed_at       ~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$
completed_at            ~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$
id                      ~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$
EOF

	# Enter ends the visit; the next client sees nothing of this one.
	send Enter
	wait_for "$WELCOME"
	expect_no_screen "Anna-Lena" "$receipt"
}

t_esc_back_changes_answer() {
	kiosk_start
	start_checkin
	fill_details "Maja" "Berg" 01021985 "0612345678"
	fill_goals "2" "2"
	send y
	wait_for "(*) 1. Yes"
	send Enter
	wait_for "Question 2 of"
	send Escape
	wait_for "Question 1 of"
	expect_screen "Are you pregnant or breastfeeding?" "(*) 1. Yes"
	send n
	wait_for "(*) 2. No"
	expect_screen "( ) 1. Yes"
	send Enter
	answer_health_from 2
	wait_for "Please check your answers"
	grep -q "Are you pregnant or breastfeeding? *No" "$T/screen.txt" ||
		fail "review does not show No for the pregnancy question"
	read_consent
	accept_and_sign "Maja Berg"
	expect_screen "After your treatment:"
	expect_export <<EOF
lines            1
outcome          clear
flags.#          0
answers.2.id     pregnant
answers.2.value  no
EOF
}

# README: Enter alone never means "Yes" (or anything else).
t_enter_alone_no_answer() {
	kiosk_start
	start_checkin
	fill_details "Nina" "Ek" 03031993 "0612345678"
	fill_goals "5" "1"
	send Enter
	wait_for "Please choose an answer."
	expect_screen "Question 1 of" "( ) 1. Yes" "( ) 2. No" "( ) 3. Not sure"
	send n
	wait_for "(*) 2. No"
	send Enter
	wait_for "Question 2 of"
	expect_no_screen "Please choose an answer."
}

t_change_from_review() {
	kiosk_start
	start_checkin
	fill_details "Ole" "Hansen" 30111975 "+45 20 12 34 56"
	fill_goals "4" "1 2"
	answer_health
	wait_for "Please check your answers"
	expect_focus "[ Continue ]"
	# Down from Continue wraps to the first row; the pregnancy question is
	# the eighth (first, last name, birth, phone, email, goals, area).
	send Down Down Down Down Down Down Down Down
	wait_settled
	expect_focus "Are you pregnant or breastfeeding?"
	send Enter
	wait_for "Question 1 of"
	expect_screen "Are you pregnant or breastfeeding?" "(*) 2. No"
	send y
	wait_for "(*) 1. Yes"
	send Enter
	wait_for "Please check your answers"
	grep -q "Are you pregnant or breastfeeding? *Yes" "$T/screen.txt" ||
		fail "review does not show the changed answer Yes"
	expect_screen "Ole" "Hansen"
	read_consent
	accept_and_sign "Ole Hansen"
	expect_export <<EOF
lines            1
outcome          exclude
flags.*.code     PREGNANT
answers.2.value  yes
client.given_name Ole
EOF
}

# Picking "Last name" on the review page and typing must change the last
# name, not whatever field happens to come first on that page.
t_review_focuses_picked_field() {
	kiosk_start
	start_checkin
	fill_details "Ole" "Hansen" 30111975 "+45 20 12 34 56"
	fill_goals "4" "1"
	answer_health
	wait_for "Please check your answers"
	send Down Down		# Continue -> First name -> Last name
	wait_settled
	expect_focus "Last name"
	send Enter
	wait_for "About you"
	send End BSpace BSpace BSpace BSpace BSpace BSpace
	type_text "Jensen"
	send Enter
	wait_for "Please check your answers"
	if ! grep -q "Last name *Jensen" "$T/screen.txt" ||
	    ! grep -q "First name *Ole" "$T/screen.txt"; then
		fail "picked 'Last name' on the review and typed Jensen: the review should show First name Ole, Last name Jensen"
	fi
}

t_utf8_names() {
	kiosk_start
	start_checkin
	fill_details "Zoë" "Núñez-O'Brien" 12041990 "07700 900123"
	fill_goals "1" "1"
	answer_health
	wait_for "Please check your answers"
	expect_screen "Zoë" "Núñez-O'Brien"
	read_consent
	accept_and_sign "Zoë Núñez-O'Brien"
	wait_for "Thank you, Zoë."
	send Enter
	wait_for "$WELCOME"

	start_checkin
	expect_no_screen "Zoë"
	fill_details "小龍" "李" 27111940 "+852 2345 6789"
	fill_goals "2" "1"
	answer_health
	wait_for "Please check your answers"
	expect_screen "小龍" "李"
	read_consent
	accept_and_sign "李小龍"
	wait_for "Thank you, 小龍."
	expect_export <<EOF
lines                  2
1:client.given_name    Zoë
1:client.family_name   Núñez-O'Brien
1:consent.signature    Zoë Núñez-O'Brien
2:client.given_name    小龍
2:client.family_name   李
2:client.birth_date    1940-11-27
2:consent.signature    李小龍
EOF
}

t_backspace_one_character() {
	kiosk_start
	start_checkin
	type_text "Zoëx"
	wait_for "Zoëx"
	send BSpace
	wait_gone "Zoëx"
	expect_screen "Zoë"
	send Tab
	type_text "李x"
	wait_for "李x"
	send BSpace
	wait_gone "李x"
	send Tab
	type_text 12041990
	send Tab
	type_text "0612345678"
	wait_for "0612345678"
	send Enter Enter	# to Email, then submit
	wait_for "Your skin goals"
	fill_goals "1" "1"
	answer_health
	read_consent
	accept_and_sign "Zoë 李"
	expect_export <<EOF
lines               1
client.given_name   Zoë
client.family_name  李
EOF
}

# Bytes that are not UTF-8 (a stray 0xff, an overlong "/", an encoded
# surrogate, a lead byte without its continuation) must be dropped, and
# typing must go on normally.
t_invalid_utf8_dropped() {
	kiosk_start
	start_checkin
	type_text "Zo"
	send_bytes ff fe c0 af ed a0 80 c3
	type_text "ë"
	wait_for "Zoë" 5
	send Tab
	type_text "Núñez"
	wait_for "Núñez"
	send_bytes c3			# a lead byte, then Tab: the Tab still counts
	send Tab
	type_text 12041990
	wait_for "Day 12    Month 04    Year 1990"
	send Tab
	type_text "0612345678"
	wait_for "0612345678"
	send Enter Enter	# to Email, then submit
	wait_for "Your skin goals"
	fill_goals "1" "1"
	answer_health
	read_consent
	accept_and_sign "Zoë Núñez"
	expect_export <<EOF
lines               1
client.given_name   Zoë
client.family_name  Núñez
EOF
}

run_test "clear client start to finish: every page, export matches the screen" t_clear_client
run_test "Esc back to a health question and change Yes to No: outcome clear" t_esc_back_changes_answer
run_test "Enter alone on a yes/no question does not answer it" t_enter_alone_no_answer
run_test "review page: pick a row (Up/Down, Enter), change it, back to the review" t_change_from_review
run_test "review page: picking Last name puts the cursor in Last name" t_review_focuses_picked_field
run_test "UTF-8 names (Zoë Núñez-O'Brien, 李小龍) round trip to export" t_utf8_names
run_test "Backspace removes one whole character (ë, 李)" t_backspace_one_character
run_test "invalid UTF-8 bytes in a name are dropped and typing goes on" t_invalid_utf8_dropped
