/*
 * fuzz_conf.c - conf_parse over configuration file text, then the checks
 * of conf_finish, as conf_load runs them (the environment is left out).
 */
#include <stdlib.h>
#include <string.h>

#include "mihwar.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	const char	*err = NULL;

	conf_init(&c);
	if (conf_parse(&c, (const char *)data, size, &err)) {
		err = NULL;
		if (conf_finish(&c, &err)) {
			/* Accepted: the invariants the rest relies on. */
			if (c.master_key_hex == NULL ||
			    strlen(c.master_key_hex) != 64 ||
			    (c.db_socket == NULL && c.db_host == NULL) ||
			    c.log_level == NULL || c.db_port < 0 ||
			    c.db_port > 65535 || c.max_body_bytes < 1024 ||
			    c.worker_poll_ms < 10)
				abort();
		} else if (err == NULL)
			abort();
	} else if (err == NULL || strlen(err) > 200)
		abort();
	conf_cleanup(&c);
	return 0;
}
