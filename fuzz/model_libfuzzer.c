/* libFuzzer target: the streaming oracle against the reference checker on
 * the kernel model's traces (src/model.h).  The bytes choose a program and
 * the schedule of a legal execution and of an arbitrary trace; a false
 * finding, a false violation or an undecided reference aborts. */
#include <stdlib.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mml_model_fuzz(data, size) != MML_FAULT_NONE)
		abort();
	return 0;
}
