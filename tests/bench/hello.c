/*
 * hello.c - the stack's limit for `make bench`: a FastCGI responder that
 * answers {"ok":true} to every request and does nothing else, so that it
 * measures the web server and the FastCGI hop alone. The listening
 * socket is fd 0, as lighttpd (bin-path) and spawn-fcgi pass it.
 */
#include <fcgiapp.h>

static const char	 answer[] =
	"Status: 200 OK\r\n"
	"Content-Type: application/json\r\n"
	"Content-Length: 11\r\n"
	"\r\n"
	"{\"ok\":true}";

int
main(void)
{
	FCGX_Request	 fr;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
