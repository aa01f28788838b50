/*
 * date.h: calendar dates (proleptic Gregorian, no time zone) as the form
 * engine sees them: "YYYY-MM-DD" on the wire, day counts for windows.
 */
#ifndef KIOSK_DATE_H
#define KIOSK_DATE_H

#include <stdbool.h>

struct kdate {
	int y, m, d;
};

/* Parse exactly "YYYY-MM-DD" of a date that exists; -1 otherwise. */
int date_parse(const char *s, struct kdate *out);
/* Format as "YYYY-MM-DD" (11 bytes incl. NUL). */
void date_format(struct kdate, char out[11]);
/* Whether y-m-d is a real calendar date (years 1000..9999). */
bool date_valid(int y, int m, int d);
/* Days from 1970-01-01 (negative before). */
long date_days(struct kdate);
/* Today in the local time zone; KIOSK_TODAY=YYYY-MM-DD overrides (tests). */
struct kdate date_today(void);
/* Whole years between birth and on (age on that day). */
int date_years_between(struct kdate from, struct kdate to);

#endif
