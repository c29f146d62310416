/*
 * boot.c - what every main does first: configuration, log level, crypto.
 */
#include "core/core.h"

/*
 * Load configuration from path (NULL: $MIHWAR_CONF or var/mihwar.conf)
 * and set up logging and libsodium. 1 on success; logs why not.
 */
int
boot_load(struct conf *conf, const char *prog, const char *path)
{
	const char	*err = "unknown error";

	log_set_prefix(prog);
	conf_init(conf);
	if (!conf_load(conf, path, &err)) {
		log_error("configuration: %s", err);
		conf_cleanup(conf);
		return 0;
	}
	log_set_level_name(conf->log_level);
	if (!crypto_init(conf->master_key)) {
		log_error("libsodium failed to initialise");
		conf_cleanup(conf);
		return 0;
	}
	return 1;
}
