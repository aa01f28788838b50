/*
 * date.c: calendar dates for the form engine. Day counts come from the
 * days-from-civil algorithm (proleptic Gregorian), never from time_t or
 * mktime, so time zones and DST cannot shift a window by a day. Only
 * date_today looks at the clock.
 */
#include "date.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Days in month m of year y. */
static int
date_month_days(int y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m == 2 && leap)
		return 29;
	return days[m - 1];
}

bool
date_valid(int y, int m, int d)
{
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	return d <= date_month_days(y, m);
}

/* Value of n ASCII digits at s, or -1 when one is not a digit. */
static int
date_digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
date_parse(const char *s, struct kdate *out)
{
	int y, m, d;

	if (s == NULL)
		return -1;
	/* Check byte by byte: s may be shorter than 10 bytes. */
	if ((y = date_digits(s, 4)) < 0 || s[4] != '-')
		return -1;
	if ((m = date_digits(s + 5, 2)) < 0 || s[7] != '-')
		return -1;
	if ((d = date_digits(s + 8, 2)) < 0 || s[10] != '\0')
		return -1;
	if (!date_valid(y, m, d))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	return 0;
}

void
date_format(struct kdate k, char out[11])
{
	snprintf(out, 11, "%04d-%02d-%02d", k.y, k.m, k.d);
}

/* Days from 1970-01-01: Howard Hinnant's days_from_civil. */
long
date_days(struct kdate k)
{
	long y = k.m <= 2 ? k.y - 1 : k.y;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = k.m > 2 ? k.m - 3 : k.m + 9;
	long doy = (153 * mp + 2) / 5 + k.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct kdate
date_today(void)
{
	struct kdate k;
	struct tm tm;
	const char *env;
	time_t now;

	env = getenv("KIOSK_TODAY");
	if (env != NULL && date_parse(env, &k) == 0)
		return k;
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL) {
		k.y = 1970;
		k.m = 1;
		k.d = 1;
		return k;
	}
	k.y = tm.tm_year + 1900;
	k.m = tm.tm_mon + 1;
	k.d = tm.tm_mday;
	return k;
}

/*
 * Age on `to` of someone born on `from`: the year difference, less one
 * when the birthday has not come yet that year (a 29 February birthday
 * comes on 1 March in common years). Negative when `to` is earlier.
 */
int
date_years_between(struct kdate from, struct kdate to)
{
	int years = to.y - from.y;

	if (to.m < from.m || (to.m == from.m && to.d < from.d))
		years--;
	return years;
}
