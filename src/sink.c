#include "sink.h"

#include <stdarg.h>
#include <stdio.h>

void mml_sink_put(struct mml_sink *s, const char *fmt, ...)
{
	if (s->used >= s->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
	va_end(ap);
	s->used = n < 0 ? s->len : s->used + (size_t)n;
}
