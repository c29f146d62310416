/*
 * fuzz.h - the libFuzzer entry points, declared once for the standalone
 * driver (driver.c) and every target (fuzz_*.c). The same target sources
 * build unchanged against real libFuzzer (see README).
 */
#ifndef MIHWAR_FUZZ_H
#define MIHWAR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* One input; returns 0. A crash is the sanitizer aborting the process. */
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Optional one-time setup, called before the first input if defined. */
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

#endif /* MIHWAR_FUZZ_H */
