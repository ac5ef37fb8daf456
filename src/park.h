/* Parking: how the mapper and the reader threads wait for each other
 * between iterations.  A waiter spins a while (the other side is usually a
 * few microseconds away on another CPU) and then sleeps on a futex; a
 * waker makes the futex call only when someone sleeps. */
#ifndef MMLITMUS_PARK_H
#define MMLITMUS_PARK_H

#include <stdatomic.h>
#include <stdint.h>

struct mml_parking {
	_Atomic uint32_t word;
	_Atomic uint32_t sleepers;
};

/* The pause a spinning thread makes, so that its sibling hyperthread and
 * the memory bus are not starved. */
static inline void mml_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Wait until word != old; returns the new value. */
uint32_t mml_park_while(struct mml_parking *p, uint32_t old);
/* The same without spinning first: for waits that last longer than a
 * spin would, such as a thread idle between runs. */
uint32_t mml_park_sleep_while(struct mml_parking *p, uint32_t old);
/* Store (or add) and wake whoever sleeps on it. */
void mml_park_store(struct mml_parking *p, uint32_t value);
uint32_t mml_park_add(struct mml_parking *p, uint32_t delta);

#endif
