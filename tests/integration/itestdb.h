/*
 * itestdb.h - for the suites that use the library's own db handle (not
 * itest.h, whose db_query helper would clash with the library's).
 */
#ifndef ITESTDB_H
#define ITESTDB_H

struct conf;

/* A handle on the stack's database, as MIHWAR_CONF configures it (conf is
 * loaded into *conf; the caller frees both); NULL when that fails. */
struct db	*itestdb_open(struct conf *);

#endif
