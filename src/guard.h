/* Guarded reads and writes: a load from the region that turns SIGSEGV or
 * SIGBUS into a HOLE observation instead of a crash, and its twin for the
 * stores of writer mode.
 *
 * The handler jumps back only when the faulting thread is inside a guarded
 * access and the address is inside the region it guards; any other fault
 * gets the previous action back and is delivered again, so a bug in the
 * harness still crashes where it happened.  sigsetjmp(buf, 0) keeps the
 * load free of syscalls; SA_NODEFER keeps the signal unblocked after the
 * jump, and each reader thread has its own alternate signal stack. */
#ifndef MMLITMUS_GUARD_H
#define MMLITMUS_GUARD_H

#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mml_guard {
	sigjmp_buf jump;
	volatile sig_atomic_t armed;
	uintptr_t lo, hi;
	void *altstack;
};

/* Process-wide handlers for SIGSEGV and SIGBUS; returns 0 or -errno. */
int mml_guard_install(void);
void mml_guard_uninstall(void);

/* Per thread: guard loads from [lo, lo + len); returns 0 or -errno. */
int mml_guard_enter(struct mml_guard *g, const void *lo, size_t len);
void mml_guard_leave(struct mml_guard *g);

/* Returns false when the load faulted. */
static inline bool mml_guard_load(struct mml_guard *g,
				  const _Atomic uint64_t *word, uint64_t *out)
{
	if (sigsetjmp(g->jump, 0))
		return false;
	g->armed = 1;
	atomic_signal_fence(memory_order_seq_cst);
	*out = atomic_load_explicit(word, memory_order_acquire);
	atomic_signal_fence(memory_order_seq_cst);
	g->armed = 0;
	return true;
}

/* Returns false when the store faulted.  A faulting store does not
 * retire, so then nothing was written anywhere.  Relaxed: the callers'
 * acquire loads before it already keep it after everything they knew. */
static inline bool mml_guard_store(struct mml_guard *g, _Atomic uint64_t *word,
				   uint64_t value)
{
	if (sigsetjmp(g->jump, 0))
		return false;
	g->armed = 1;
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(word, value, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	g->armed = 0;
	return true;
}

#endif
