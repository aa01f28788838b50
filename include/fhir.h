/*
 * fhir.h: the FHIR R4 wire format (docs/fhir.md). Pure functions from the
 * loaded form and a stored record's frozen payload to FHIR resources as
 * cJSON trees, and the reading of a FHIR server's answer. No I/O, no
 * store, no network: the sync engine decides when to call them.
 */
#ifndef KIOSK_FHIR_H
#define KIOSK_FHIR_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct form;

#define FHIR_CONTENT_TYPE "application/fhir+json"

/* 0 when the form can be sent as FHIR (it has a "url"), else -1, *cause. */
int fhir_form_check(const struct form *, char **cause);

/* The form as a Questionnaire; NULL with *cause when it has no "url". */
cJSON *fhir_questionnaire(const struct form *, char **cause);

/*
 * One intake payload (the kiosk wire format) as a transaction Bundle:
 * Patient, QuestionnaireResponse, Consent and one Flag per raised flag,
 * each entry a conditional create on its identifier. NULL with *cause
 * when the payload is not a kiosk intake or the form has no "url".
 * The tree holds personal data: free it with fhir_free.
 */
cJSON *fhir_intake_bundle(const struct form *, const char *payload,
    char **cause);

/* One staff review payload as a transaction Bundle holding one Task. */
cJSON *fhir_review_bundle(const struct form *, const char *payload,
    char **cause);

/* Print a tree unformatted as a libc string (caller wipes and frees). */
char *fhir_print(const cJSON *);
/* Wipe every string in the tree, then delete it. NULL is a no-op. */
void fhir_free(cJSON *);

/*
 * The receipt in a server's answer to a transaction of `entries`
 * entries: a transaction-response Bundle with that many entries, each
 * with a 2xx status and a location. Returns the locations joined by
 * spaces (at most max bytes; caller frees), or NULL when the body is
 * not such a receipt (a captive portal's page, say).
 */
char *fhir_receipt(const char *body, size_t entries, size_t max);

/*
 * The words of an OperationOutcome body (issue details or diagnostics),
 * at most max bytes, or NULL when the body is not one. Caller frees.
 */
char *fhir_outcome_text(const char *body, size_t max);

/* Number of entries in a Bundle tree (0 when not a Bundle). */
size_t fhir_bundle_entries(const cJSON *);

#endif
