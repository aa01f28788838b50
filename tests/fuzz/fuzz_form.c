/*
 * fuzz_form.c: libFuzzer target for everything a clinic-edited file goes
 * through: JSON reading (jsonfile), the config loader and the form
 * loader with its own test cases. Any input must load or fail with a
 * message, never crash, leak or read out of bounds.
 * Build and run: make fuzz (FUZZ_SECONDS=60 for longer).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int fd = -1;
static char path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct form *form = NULL;
	struct config *cfg = NULL;
	char *cause = NULL;

	if (fd == -1) {
		fd = memfd_create("fuzz", 0);
		/* Private like a real config: one holding PIN hashes must be. */
		if (fd == -1 || fchmod(fd, 0600) != 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, len, 0) != (ssize_t)len)
		abort();
	if (form_load(path, &form, &cause) == 0) {
		free(cause);
		cause = NULL;
		form_run_cases(form, &cause);
		form_free(form);
	}
	free(cause);
	cause = NULL;
	if (config_load(path, &cfg, &cause) == 0)
		config_free(cfg);
	free(cause);
	return 0;
}
