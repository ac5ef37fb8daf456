/* --huge-setup: the system settings a program's huge pages need, written
 * for the run and put back afterwards.  The old values wait in static
 * memory and go back with open, write and close alone, so that a signal
 * handler can put them back as well as exit can. */
#ifndef MMLITMUS_HUGESETUP_H
#define MMLITMUS_HUGESETUP_H

#include <stddef.h>
#include <stdio.h>

#include "program.h"

/* Writes what the program needs and the machine does not offer yet: a
 * folio size's "enabled" to madvise (anonymous memory), its
 * "shmem_enabled" to advise (memfd), at PMD size the top-level files when
 * the kernel has none per size, more hugetlb pages in the 2 MiB pool;
 * for tmpfs it mounts a tmpfs with huge=advise over the tmpfs directory in
 * a mount namespace of this process alone.  Needs root, and no thread but
 * the caller (the mount namespace).  Each change is one line on log.
 * Returns 0, or -1 with a one-line reason in why. */
int mml_huge_setup(const struct mml_program *p, FILE *log, char *why,
		   size_t len);

/* Puts back every value mml_huge_setup wrote, newest first.  Calling it
 * again does nothing; it is safe in a signal handler. */
void mml_huge_restore(void);

#endif
