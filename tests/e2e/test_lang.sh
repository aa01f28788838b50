#!/bin/sh
# Spanish beside English, and every client text readable at 80x24: a walk
# of every page of the shipped form in each language that fails on any
# cut text; a whole Spanish check-in checked on screen and in `kiosk
# export`; switching language mid-form keeps every answer and shows the
# consent again; a form that lists a language and lacks a text for it
# fails `kiosk check` naming the item; staff screens speak staff.language.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

walk() {
	kiosk_start
	"$PY" "$E2E_ROOT/tests/e2e/walk80x24.py" "$SOCK" "$FORM" "$1" >"$T/walk.out" 2>&1 ||
		{ cat "$T/walk.out"; fail "text cut at 80x24 in \"$1\""; }
	cat "$T/walk.out"
}

t_walk_en() {
	walk en
}

t_walk_es() {
	walk es
}

# fill_details_es GIVEN FAMILY DDMMYYYY PHONE
fill_details_es() {
	type_text "$1"
	send Tab
	type_text "$2"
	send Tab
	type_text "$3"
	send Tab
	type_text "$4"
	wait_for "$4"
	send Enter Enter
}

t_spanish_checkin() {
	kiosk_start
	expect_screen "1 English · 2 Español"
	send 2
	wait_for "Pulse Intro o toque la pantalla para registrarse"
	expect_screen "Registro para micropunción (microneedling)" "Intro: registrarse"
	send Enter
	wait_for "Sobre la micropunción"
	expect_screen "F2: English" "[ Continuar ]"
	send Enter
	wait_for "Sus datos"
	expect_screen "Nombre" "Apellidos" "Fecha de nacimiento" "Día / mes / año"
	fill_details_es "María José" "García Núñez" 12041990 "612 345 678"
	wait_for "Sus objetivos para la piel"
	expect_screen "Líneas de expresión y arrugas" "Marque todas las que correspondan."
	send 1 Tab 1 Enter
	wait_for "Pregunta 1 de 23"
	expect_screen "Algunas preguntas sobre su salud" "( ) 1. Sí" \
	    "No estoy seguro/a" "¿Está embarazada o en periodo de lactancia?"
	send n Enter
	wait_for "Pregunta 2 de 23"
	# "s" answers Sí; Esc goes back, and the answer can be changed.
	send s
	wait_for "(*) 1. Sí"
	send Escape
	wait_for "Pregunta 1 de 23"
	send Enter
	wait_for "Pregunta 2 de 23"
	expect_screen "(*) 1. Sí"
	send n Enter
	k=3
	while [ "$k" -le 30 ]; do
		e2e_end=$(($(date +%s) + WAIT_S))
		until screen >"$T/screen.txt"; grep -q "Pregunta $k de\|Revise sus respuestas" "$T/screen.txt"; do
			[ "$(date +%s)" -ge "$e2e_end" ] && fail "timed out waiting for Pregunta $k"
			sleep 0.05
		done
		grep -q "Revise sus respuestas" "$T/screen.txt" && break
		send n Enter
		k=$((k + 1))
	done
	wait_for "Revise sus respuestas"
	expect_screen "María José" "García Núñez" "12 abr 1990" "Cara" "F2: English"
	expect_no_screen "Yes" "Question" "Please" "Back" "Continue"
	send Enter
	wait_for "Consentimiento, versión 2026.11-1"
	expect_screen "Consentimiento para el tratamiento" "(lea hasta el final para continuar)"
	send End
	wait_for "[ Continuar ]"
	send Enter
	wait_for "Compromiso 1 de 5"
	expect_screen "No me maquillaré durante las 24 horas" "[ Acepto ]" "[ No acepto ]"
	send s
	wait_for "Compromiso 2 de 5"
	send Enter Enter Enter Enter
	wait_for "Escriba su nombre y apellidos como firma"
	type_text "Maria Jose"
	send Enter
	wait_for "Escriba el nombre que indicó en la primera página"
	type_text " Garcia Nunez"
	send Enter
	wait_for "Gracias, María José. Su registro está hecho."
	expect_screen "Su código de recibo:" "Tome asiento, por favor"
	expect_no_screen "Thank you" "receipt" "Enter:"
	receipt=$(screen_receipt)
	"$PY" -c 'import json, sys; sys.stdout.write(json.load(open(sys.argv[1], encoding="utf-8"))["consent"]["text"]["es"])' \
	    "$FORM" >"$T/es_consent.txt" || fail "reading the form"
	sha=$(sha256sum <"$T/es_consent.txt" | cut -d' ' -f1)
	expect_export <<END
lines                 1
receipt               $receipt
language              es
client.given_name     María José
client.family_name    García Núñez
consent.status        accepted
consent.language      es
consent.text_sha256   $sha
consent.text          ~ ^Lea este texto hasta el final antes de aceptar\.
consent.signature     Maria Jose Garcia Nunez
answers.0.text        ~ ^¿En qué le gustaría
outcome               clear
END
	"$PY" -c '
import json, sys
doc = json.loads(open(sys.argv[1], encoding="utf-8").read().splitlines()[-1])
sys.exit(0 if doc["consent"]["text"] == open(sys.argv[2], encoding="utf-8").read() else 1)
' "$T/export.jsonl" "$T/es_consent.txt" || fail "consent.text is not exactly the Spanish consent text"
}

t_switch_keeps_answers() {
	kiosk_start
	start_checkin
	fill_details "Ana" "Lee" 12041990 "07700 900123"
	fill_goals "1 3" "1"
	send n Enter
	wait_for "Question 2 of 23"
	send F2
	wait_for "Pregunta 2 de 23"
	expect_screen "F2: English" "¿Ha tenido alguna vez cicatrices queloides"
	send Escape
	wait_for "Pregunta 1 de 23"
	expect_screen "(*) 2. No"
	send Escape
	wait_for "Sus objetivos para la piel"
	expect_screen "[x] 1. Líneas de expresión y arrugas" "[x] 3. Poros dilatados"
	send Escape
	wait_for "Sus datos"
	expect_screen "Ana" "Lee" "Día 12    Mes 04    Año 1990" "07700 900123"
	send F2
	wait_for "About you"
	expect_screen "Ana" "Lee" "Day 12    Month 04    Year 1990" "F2: Español"
	send BTab Enter
	wait_for "Your skin goals"
	send BTab Enter
	wait_for "Question 1 of 23"
	expect_screen "(*) 2. No"
	answer_health
	wait_for "Please check your answers"
	send Enter
	wait_for "Consent version"
	send End
	wait_for "[ Continue ]"
	send Enter
	wait_for "Agreement 1 of 5"
	# Switching after the consent was read: it is shown again, unread.
	send F2
	wait_for "(lea hasta el final para continuar)"
	expect_no_screen "[ Continuar ]"
	send End
	wait_for "[ Continuar ]"
	send Enter
	wait_for "Compromiso 1 de 5"
	send Enter Enter Enter Enter Enter
	wait_for "Escriba su nombre y apellidos como firma"
	type_text "Ana Lee"
	send Enter
	wait_for "Gracias, Ana."
	expect_export <<END
lines                 1
language              es
consent.language      es
consent.text          ~ ^Lea este texto
client.given_name     Ana
client.phone          07700 900123
answers.0.value       ["lines", "pores"]
answers.2.id          pregnant
answers.2.value       no
END
	send Enter
	wait_for "$WELCOME"
	expect_screen "F2: Español"
}

t_missing_translation() {
	"$PY" -c '
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
for s in f["sections"]:
    for it in s["items"]:
        if it["id"] == "allergy":
            del it["help"]["es"]
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
' "$FORM" "$T/form.json" || fail "could not write the test form"
	printf '{"kiosk_id":"e2e","state_dir":"state","form":"%s"}\n' "$T/form.json" >"$CFG"
	"$KIOSK_CLI" --config "$CFG" check >"$T/out" 2>"$T/err" &&
		fail "kiosk check passed a form missing a Spanish text"
	grep -q '"allergy"' "$T/err" && grep -q 'missing the "es" text' "$T/err" ||
		fail "kiosk check should name the item and the language: $(cat "$T/err")"
}

t_staff_language() {
	printf '{"kiosk_id":"e2e-%s","state_dir":"state","form":"%s","staff":{"language":"es"}}\n' \
	    "$e2e_n" "$FORM" >"$CFG"
	kiosk_start
	send C-a
	wait_for "Acceso del personal"
	expect_screen "PIN (de 6 a 12 cifras):" "Intro: entrar  Esc: volver"
	send Escape
	wait_for "$WELCOME"
	expect_screen "1 English · 2 Español" "Enter: check in"
}

run_test "every page of the form at 80x24 in English: no text cut" t_walk_en
run_test "every page of the form at 80x24 in Spanish: no text cut" t_walk_es
run_test "a whole check-in in Spanish, on screen and in kiosk export" t_spanish_checkin
run_test "F2 switches language mid-form, keeps answers, consent read again" t_switch_keeps_answers
run_test "a form listing es with one text missing fails kiosk check, naming it" t_missing_translation
run_test "staff screens speak staff.language" t_staff_language
