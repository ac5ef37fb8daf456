/* Code that runs once per read, or once per turn of a spin: a coverage
 * build (the fuzz targets) leaves it uninstrumented.  Its edges are the
 * same in every execution, and what differs between executions there
 * (values seen, holes, racing reads, violations) reaches the fuzzer
 * through the behavioural counters (feedback.h); the values it compares
 * are tags, states and indexes made at run time, never input bytes, so
 * tracing those comparisons only feeds the fuzzer noise.  Instrumented, a
 * read called the comparison hooks several times and every thread stored
 * into the same counter tables, which made executions whose threads share
 * a CPU about twice as slow (bench/README.md). */
#ifndef MMLITMUS_HOT_H
#define MMLITMUS_HOT_H

#ifdef __clang__
#define MML_HOT __attribute__((no_sanitize("coverage")))
#else
#define MML_HOT
#endif

#endif
