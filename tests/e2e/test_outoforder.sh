#!/bin/sh
# "Out of order" instead of a blank or scrolling terminal: when `kiosk
# run` cannot start (a config or form error, a store it cannot open), the
# terminal shows a calm notice in English and Spanish, never the reason,
# keeps it up without using CPU, ignores a client's keys, ends on a staff
# key (F12, Ctrl-A), after KIOSK_OUT_OF_ORDER_S, or on SIGTERM, restores
# the terminal and exits with the sysexits code (78 config, 73 store).
. "$(dirname "$0")/lib.sh"

OOO="This check-in terminal is out of order."
OOO_ES="Este terminal de registro está fuera de servicio."
E2E_START_WAIT=$OOO
export E2E_START_WAIT

broken_form() {
	printf '{"kiosk_id":"e2e-ooo","state_dir":"state","form":"%s/missing-form.json"}\n' "$T" >"$CFG"
}

# The reason is for the log; a client reading the screen sees none of it.
expect_no_reason() {
	screen >"$T/screen.txt"
	for word in "missing-form" "cannot read" "kiosk:" "state" "error"; do
		grep -qi -- "$word" "$T/screen.txt" &&
			fail "the screen shows the reason ($word)"
	done
	return 0
}

t_config_error() {
	broken_form
	kiosk_start KIOSK_OUT_OF_ORDER_S=3
	expect_screen "$OOO" "Please check in at reception." "$OOO_ES" "regístrese en la recepción"
	expect_no_reason
	wait_for "KIOSK EXITED rc=78" 10
	expect_screen "TTY RESTORED"
}

t_store_error() {
	# state_dir is a file: the store cannot be opened.
	printf 'not a directory\n' >"$T/state"
	kiosk_start KIOSK_OUT_OF_ORDER_S=3
	expect_screen "$OOO"
	expect_no_reason
	wait_for "KIOSK EXITED rc=73" 10
	expect_screen "TTY RESTORED"
}

t_client_keys_ignored_staff_key_ends() {
	broken_form
	kiosk_start KIOSK_OUT_OF_ORDER_S=120
	send Enter
	send_bytes 61 20 03 1a 1c	# 'a', space, Ctrl-C, Ctrl-Z, Ctrl-\
	click 10 10
	wait_settled
	expect_alive
	expect_screen "$OOO"
	send F12
	wait_for "KIOSK EXITED rc=78" 5
	expect_screen "TTY RESTORED"
}

t_ctrl_a_ends() {
	broken_form
	kiosk_start KIOSK_OUT_OF_ORDER_S=120
	send C-a
	wait_for "KIOSK EXITED rc=78" 5
}

t_idle_no_cpu() {
	broken_form
	kiosk_start KIOSK_OUT_OF_ORDER_S=120
	pid=$(kiosk_pid)
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep 2
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	[ $((t1 - t0)) -le 2 ] || fail "it used $((t1 - t0)) clock ticks of CPU in 2 s while waiting"
	kill -s TERM "$pid"
	wait_for "KIOSK EXITED rc=78" 5
	expect_screen "TTY RESTORED"
}

t_tiny_terminal() {
	broken_form
	kiosk_start KIOSK_OUT_OF_ORDER_S=120
	resize 20 5
	wait_for "This check-in" 5
	expect_alive
	resize 80 24
	wait_for "$OOO" 5
	send F12
	wait_for "KIOSK EXITED rc=78" 5
}

run_test "config error: out of order in English and Spanish, no reason shown, exit 78 after the delay" t_config_error
run_test "store that cannot be opened: out of order, exit 73" t_store_error
run_test "a client's keys and touches change nothing; F12 ends it" t_client_keys_ignored_staff_key_ends
run_test "Ctrl-A ends it" t_ctrl_a_ends
run_test "no CPU while it waits; SIGTERM ends it and restores the terminal" t_idle_no_cpu
run_test "a 20x5 terminal shows what fits, and the full notice after it grows" t_tiny_terminal
