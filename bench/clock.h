/*
 * The clock for the bench/ C probes: wall time, and the core's frequency read off a chain of
 * dependent 64-bit multiplies (latency 3 cycles on every x86-64 core of the last fifteen years).
 * Dependent adds of an immediate would not do: Intel's Golden Cove folds them at rename and such
 * a chain reads 6-20 GHz.
 */
#ifndef POWERPLANT_BENCH_CLOCK_H
#define POWERPLANT_BENCH_CLOCK_H

#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* GHz, the best of three runs of `rounds` iterations of eight dependent multiplies (x stays 1);
 * other processes only ever slow a run down. */
static double clock_ghz(long rounds) {
  double ghz = 0;
  for (int run = 0; run < 3; run++) {
    const double started = seconds();
    unsigned long x = 1;
    for (long i = 0; i < rounds; i++)
      __asm__ volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
                       "imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0"
                       : "+r"(x));
    const double rate = 3 * 8.0 * rounds / (seconds() - started) / 1e9;
    if (rate > ghz) ghz = rate;
  }
  return ghz;
}

#endif
