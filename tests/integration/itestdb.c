/*
 * itestdb.c - the library's db handle for suites that need one.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mihwar.h"
#include "itestdb.h"

struct db *
itestdb_open(struct conf *conf)
{
	const char	*err = "";

	conf_init(conf);
	if (!conf_load(conf, getenv("MIHWAR_CONF"), &err)) {
		fprintf(stderr, "configuration: %s\n", err);
		return NULL;
	}
	return db_new(conf);
}
