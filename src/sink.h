/* A sink: formatted text appended to a fixed buffer, stopping quietly
 * when the buffer is full (reports and program text are bounded, and a cut
 * line is better than none). */
#ifndef MMLITMUS_SINK_H
#define MMLITMUS_SINK_H

#include <stddef.h>

struct mml_sink {
	char *buf;
	size_t len, used;
};

void mml_sink_put(struct mml_sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
