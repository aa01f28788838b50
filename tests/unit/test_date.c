/*
 * test_date.c: calendar dates (kiosk/date.c). Tables of parse, validity,
 * day counts and ages, with the leap-year and century boundaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"

/* date_parse: exactly YYYY-MM-DD of a date that exists. */
static void
test_parse(void **state)
{
	static const struct {
		const char *s;
		int ok, y, m, d;
	} rows[] = {
		{ "2026-01-01", 1, 2026, 1, 1 },
		{ "2024-02-29", 1, 2024, 2, 29 },	/* leap year */
		{ "2026-02-29", 0, 0, 0, 0 },		/* common year */
		{ "1900-02-29", 0, 0, 0, 0 },		/* century, not leap */
		{ "2000-02-29", 1, 2000, 2, 29 },	/* 400: leap */
		{ "2026-04-31", 0, 0, 0, 0 },
		{ "2026-04-30", 1, 2026, 4, 30 },
		{ "2026-12-31", 1, 2026, 12, 31 },
		{ "2026-13-01", 0, 0, 0, 0 },
		{ "2026-00-10", 0, 0, 0, 0 },
		{ "2026-01-00", 0, 0, 0, 0 },
		{ "2026-01-32", 0, 0, 0, 0 },
		{ "0999-12-31", 0, 0, 0, 0 },		/* before year 1000 */
		{ "1000-01-01", 1, 1000, 1, 1 },
		{ "9999-12-31", 1, 9999, 12, 31 },
		{ "2026-1-01", 0, 0, 0, 0 },
		{ "2026-01-1", 0, 0, 0, 0 },
		{ "2026-01-011", 0, 0, 0, 0 },
		{ "2026/01/01", 0, 0, 0, 0 },
		{ " 2026-01-01", 0, 0, 0, 0 },
		{ "2026-01-01 ", 0, 0, 0, 0 },
		{ "2026-0a-01", 0, 0, 0, 0 },
		{ "+026-01-01", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "2026", 0, 0, 0, 0 },
		{ "2026-01", 0, 0, 0, 0 },
	};
	struct kdate k;
	size_t i;
	int rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		k.y = k.m = k.d = -7;
		rc = date_parse(rows[i].s, &k);
		if ((rc == 0) != rows[i].ok)
			fail_msg("date_parse(\"%s\") returned %d", rows[i].s,
			    rc);
		if (!rows[i].ok) {
			assert_int_equal(k.y, -7);	/* untouched */
			continue;
		}
		assert_int_equal(k.y, rows[i].y);
		assert_int_equal(k.m, rows[i].m);
		assert_int_equal(k.d, rows[i].d);
	}
	assert_int_equal(date_parse(NULL, &k), -1);
}

/* date_valid: months, leap years, the year range. */
static void
test_valid(void **state)
{
	static const struct {
		int y, m, d;
		bool ok;
	} rows[] = {
		{ 2026, 1, 31, true }, { 2026, 2, 28, true },
		{ 2026, 2, 29, false }, { 2028, 2, 29, true },
		{ 2100, 2, 29, false }, { 2400, 2, 29, true },
		{ 2026, 4, 31, false }, { 2026, 6, 31, false },
		{ 2026, 9, 31, false }, { 2026, 11, 31, false },
		{ 2026, 3, 31, true }, { 2026, 12, 31, true },
		{ 2026, 0, 1, false }, { 2026, 13, 1, false },
		{ 2026, 1, 0, false }, { 2026, 1, -1, false },
		{ 999, 1, 1, false }, { 10000, 1, 1, false },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (date_valid(rows[i].y, rows[i].m, rows[i].d) != rows[i].ok)
			fail_msg("date_valid(%d, %d, %d) should be %d",
			    rows[i].y, rows[i].m, rows[i].d, rows[i].ok);
	}
}

/* date_format pads to YYYY-MM-DD and round-trips with date_parse. */
static void
test_format(void **state)
{
	struct kdate k = { 2026, 3, 7 }, back;
	char buf[11];

	date_format(k, buf);
	assert_string_equal(buf, "2026-03-07");
	assert_int_equal(date_parse(buf, &back), 0);
	assert_int_equal(back.y, 2026);
	assert_int_equal(back.m, 3);
	assert_int_equal(back.d, 7);
	k.y = 1000;
	k.m = 12;
	k.d = 31;
	date_format(k, buf);
	assert_string_equal(buf, "1000-12-31");
}

/* date_days against values computed independently (Python's date). */
static void
test_days(void **state)
{
	static const struct {
		struct kdate k;
		long days;
	} rows[] = {
		{ { 1970, 1, 1 }, 0 },
		{ { 1969, 12, 31 }, -1 },
		{ { 2000, 3, 1 }, 11017 },
		{ { 2024, 2, 29 }, 19782 },
		{ { 2026, 1, 1 }, 20454 },
		{ { 1000, 1, 1 }, -354285 },
		{ { 9999, 12, 31 }, 2932896 },
	};
	size_t i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (date_days(rows[i].k) != rows[i].days)
			fail_msg("date_days(%d-%d-%d) = %ld, want %ld",
			    rows[i].k.y, rows[i].k.m, rows[i].k.d,
			    date_days(rows[i].k), rows[i].days);
	}
}

/* Every day from 1999 to 2031 is exactly one more than the day before. */
static void
test_days_consecutive(void **state)
{
	struct kdate k = { 1999, 1, 1 };
	long prev = date_days(k) - 1;
	int n = 0;

	for (k.y = 1999; k.y <= 2031; k.y++) {
		for (k.m = 1; k.m <= 12; k.m++) {
			for (k.d = 1; date_valid(k.y, k.m, k.d); k.d++) {
				assert_int_equal(date_days(k), prev + 1);
				prev++;
				n++;
			}
		}
	}
	assert_int_equal(n, 33 * 365 + 8);	/* 8 leap days 2000..2028 */
}

/* Age on a day: birthdays today and tomorrow, 29 February births. */
static void
test_years_between(void **state)
{
	static const struct {
		struct kdate from, to;
		int years;
	} rows[] = {
		{ { 2008, 6, 1 }, { 2026, 6, 1 }, 18 },	/* birthday today */
		{ { 2008, 6, 2 }, { 2026, 6, 1 }, 17 },	/* tomorrow */
		{ { 2008, 5, 31 }, { 2026, 6, 1 }, 18 },
		{ { 2008, 12, 31 }, { 2026, 1, 1 }, 17 },
		{ { 2008, 2, 29 }, { 2026, 2, 28 }, 17 },	/* not yet */
		{ { 2008, 2, 29 }, { 2026, 3, 1 }, 18 },	/* 1 March */
		{ { 2008, 2, 29 }, { 2028, 2, 29 }, 20 },
		{ { 2008, 2, 29 }, { 2028, 2, 28 }, 19 },
		{ { 2026, 6, 1 }, { 2026, 6, 1 }, 0 },
		{ { 2026, 6, 2 }, { 2026, 6, 1 }, -1 },	/* future: negative */
	};
	size_t i;
	int got;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		got = date_years_between(rows[i].from, rows[i].to);
		if (got != rows[i].years)
			fail_msg("row %zu: %d years, want %d", i, got,
			    rows[i].years);
	}
}

/* KIOSK_TODAY overrides the clock only when it holds a valid date. */
static void
test_today(void **state)
{
	struct kdate k, now;
	struct tm tm;
	time_t t;

	setenv("KIOSK_TODAY", "2024-02-29", 1);
	k = date_today();
	assert_int_equal(k.y, 2024);
	assert_int_equal(k.m, 2);
	assert_int_equal(k.d, 29);

	setenv("KIOSK_TODAY", "2026-02-30", 1);	/* invalid: the clock */
	k = date_today();
	unsetenv("KIOSK_TODAY");
	now = date_today();
	t = time(NULL);
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(now.y, tm.tm_year + 1900);
	assert_int_equal(now.m, tm.tm_mon + 1);
	assert_true(date_valid(now.y, now.m, now.d));
	assert_int_equal(k.y, now.y);
	assert_int_equal(k.m, now.m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_days_consecutive),
		cmocka_unit_test(test_years_between),
		cmocka_unit_test(test_today),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
