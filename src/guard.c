#include "guard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { ALTSTACK_SIZE = 64 * 1024 };

static _Thread_local struct mml_guard *current;
static struct sigaction previous_segv, previous_bus;
static int installed;

static void on_fault(int sig, siginfo_t *info, void *context)
{
	(void)context;
	struct mml_guard *g = current;
	uintptr_t addr = (uintptr_t)info->si_addr;
	if (g && g->armed && addr >= g->lo && addr < g->hi) {
		g->armed = 0;
		siglongjmp(g->jump, 1);
	}
	/* Not a guarded access: back to what was there before us.  A real fault
	 * repeats when the instruction runs again; a sent signal must be
	 * raised again. */
	sigaction(sig, sig == SIGBUS ? &previous_bus : &previous_segv, NULL);
	if (info->si_code <= 0)
		raise(sig);
}

int mml_guard_install(void)
{
	if (installed++)
		return 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &previous_segv) < 0 ||
	    sigaction(SIGBUS, &sa, &previous_bus) < 0) {
		installed = 0;
		return -errno;
	}
	return 0;
}

void mml_guard_uninstall(void)
{
	if (installed == 0 || --installed)
		return;
	sigaction(SIGSEGV, &previous_segv, NULL);
	sigaction(SIGBUS, &previous_bus, NULL);
}

int mml_guard_enter(struct mml_guard *g, const void *lo, size_t len)
{
	memset(g, 0, sizeof *g);
	g->lo = (uintptr_t)lo;
	g->hi = g->lo + len;
	g->altstack = malloc(ALTSTACK_SIZE);
	if (!g->altstack)
		return -ENOMEM;
	stack_t ss = {.ss_sp = g->altstack, .ss_size = ALTSTACK_SIZE};
	if (sigaltstack(&ss, NULL) < 0) {
		free(g->altstack);
		g->altstack = NULL;
		return -errno;
	}
	current = g;
	return 0;
}

void mml_guard_leave(struct mml_guard *g)
{
	current = NULL;
	stack_t ss = {.ss_flags = SS_DISABLE};
	sigaltstack(&ss, NULL);
	free(g->altstack);
	g->altstack = NULL;
}
