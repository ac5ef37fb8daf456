#include "feedback.h"

static uint8_t magnitude(uint64_t count)
{
	uint8_t m = 0;
	while (count) {
		m++;
		count >>= 1;
	}
	return m;
}

void mml_feedback(const struct mml_result *r, uint8_t out[MML_FEEDBACK_SIZE])
{
	for (int c = 0; c < MML_CLASS_COUNT; c++)
		for (int f = 0; f < 2; f++)
			out[MML_FB_VIOLATIONS + 2 * c + f] = magnitude(r->count[c][f]);
	for (int b = 0; b < MML_SWEEP_BUCKETS; b++)
		out[MML_FB_SWEEPS + b] = magnitude(r->sweep_values[b]);
	out[MML_FB_HOLES] = magnitude(r->holes);
	out[MML_FB_RACING] = magnitude(r->racing_reads);
	out[MML_FB_SHARED_CPU] = magnitude(r->shared_cpu_reads);
	out[MML_FB_EARLY_NEW] = magnitude(r->early_new);
	for (int k = 0; k < MML_OP_COUNT; k++)
		for (int b = 0; b < MML_LATENCY_BUCKETS; b++)
			out[MML_FB_LATENCY + k * MML_LATENCY_BUCKETS + b] =
				magnitude(r->op_latency[k][b]);
}
