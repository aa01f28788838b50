/*
 * fuzz_answers.c: libFuzzer target for what a client types and what a
 * server answers: arbitrary bytes as an answer to every item of the
 * shipped form (validation, enable_when, flags), as a server's body
 * to the sync engine's receipt checks (kiosk and FHIR), and as a stored
 * payload to the FHIR mapping.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhir.h"
#include "form.h"
#include "http.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct form *form;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct kdate today = { 2026, 6, 1 };
	struct http_result r;
	struct sync_outcome o;
	struct flag_hit *hits = NULL;
	struct answers *a;
	enum flag_level outcome;
	char *s, *msg = NULL;
	size_t i, n;

	if (form == NULL && form_load("etc/forms/microneedling.json", &form,
	    &msg) != 0)
		abort();
	s = malloc(len + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	a = answers_new(form);
	for (i = 0; i < form->nitems; i++) {
		if (answers_set(a, i, s, today, &msg) != 0)
			free(msg);
		msg = NULL;
	}
	n = form_evaluate(form, a, today, &hits, &outcome);
	flags_free(hits, n);
	answers_free(a);
	memset(&r, 0, sizeof r);
	r.status = 201;
	r.body = s;
	r.len = len;
	r.retry_after_s = -1;
	sync_classify(&r, s, &o);
	sync_outcome_free(&o);
	sync_classify_fhir(&r, 3, &o);
	sync_outcome_free(&o);
	r.status = 412;
	sync_classify_fhir(&r, 3, &o);
	sync_outcome_free(&o);
	fhir_free(fhir_intake_bundle(form, s, &msg));
	free(msg);
	msg = NULL;
	fhir_free(fhir_review_bundle(form, s, &msg));
	free(msg);
	free(s);
	return 0;
}
