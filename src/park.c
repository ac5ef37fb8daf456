#include "park.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { SPINS = 20000 };

static void futex(_Atomic uint32_t *word, int op, uint32_t value)
{
	syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, value, NULL, NULL, 0);
}

uint32_t mml_park_while(struct mml_parking *p, uint32_t old)
{
	for (int i = 0; i < SPINS; i++) {
		uint32_t now = atomic_load_explicit(&p->word, memory_order_acquire);
		if (now != old)
			return now;
		mml_cpu_relax();
	}
	return mml_park_sleep_while(p, old);
}

uint32_t mml_park_sleep_while(struct mml_parking *p, uint32_t old)
{
	for (;;) {
		/* seq_cst on both sides: either the waker sees a sleeper, or the
		 * futex call sees the new word and returns at once. */
		atomic_fetch_add(&p->sleepers, 1);
		uint32_t now = atomic_load(&p->word);
		if (now == old)
			futex(&p->word, FUTEX_WAIT, old);
		atomic_fetch_sub(&p->sleepers, 1);
		now = atomic_load_explicit(&p->word, memory_order_acquire);
		if (now != old)
			return now;
	}
}

static void wake(struct mml_parking *p)
{
	if (atomic_load(&p->sleepers))
		futex(&p->word, FUTEX_WAKE, UINT32_MAX >> 1);
}

void mml_park_store(struct mml_parking *p, uint32_t value)
{
	atomic_store(&p->word, value);
	wake(p);
}

uint32_t mml_park_add(struct mml_parking *p, uint32_t delta)
{
	uint32_t now = atomic_fetch_add(&p->word, delta) + delta;
	wake(p);
	return now;
}
