/*
 * fuzz_jsonw.c - jsonw.c, the writer of item and list answers, against
 * json-c: whatever bytes go in (NUL, control characters, broken UTF-8),
 * jsonw_escape writes the bytes json-c writes for the same string, and
 * json-c reads back exactly the string, alone and as a member of an
 * object the writer put around it.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mihwar.h"
#include "fuzz.h"

#define JSONC_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* 1 when o is the string s[0..n). */
static int
is_string(struct json_object *o, const char *s, size_t n)
{
	return o != NULL && json_object_is_type(o, json_type_string) &&
	    (size_t)json_object_get_string_len(o) == n &&
	    memcmp(json_object_get_string(o), s, n) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data;
	struct json_object	*jc, *o, *v;
	struct jsonw		 w;
	struct buf		 b;

	if (size > 1 << 16)
		return 0;
	buf_init(&b);
	if (!jsonw_escape(&b, s, size))
		abort();
	/* The bytes json-c prints for the same string. */
	jc = json_object_new_string_len(s, (int)size);
	if (strcmp(b.data, json_object_to_json_string_ext(jc, JSONC_FLAGS)))
		abort();
	json_object_put(jc);
	/* json-c reads back exactly the string. */
	o = json_tokener_parse(b.data);
	if (!is_string(o, s, size))
		abort();
	json_object_put(o);

	/* As a member and an element: {"k":s,"a":[s,null]}. */
	b.len = 0;
	jsonw_init(&w, &b);
	jsonw_obj_open(&w, NULL);
	jsonw_strn(&w, "k", s, size);
	jsonw_arr_open(&w, "a");
	jsonw_strn(&w, NULL, s, size);
	jsonw_null(&w, NULL);
	jsonw_arr_close(&w);
	jsonw_obj_close(&w);
	if (!jsonw_done(&w) || (o = json_tokener_parse(b.data)) == NULL)
		abort();
	if (!json_object_object_get_ex(o, "k", &v) || !is_string(v, s, size) ||
	    !json_object_object_get_ex(o, "a", &v) ||
	    json_object_array_length(v) != 2 ||
	    !is_string(json_object_array_get_idx(v, 0), s, size) ||
	    json_object_array_get_idx(v, 1) != NULL)
		abort();
	json_object_put(o);
	buf_cleanup(&b);
	return 0;
}
