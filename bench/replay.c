/*
 * Times a replay of the loop a kernel runs (bench/replay-asm.ts writes it as replay_passes, in
 * assembly linked with this driver): the loop's vector instructions with their dependencies
 * removed, run `passes` times over a small buffer. Passes double until one run takes 10 ms (at
 * most 2^24 passes), then the best of RUNS such runs counts: other processes, and a virtual
 * machine's host taking the core away (steal time), only ever slow a run down, and short runs
 * leave more of them untouched. Prints one JSON object: {"ghz": clock, "cycles_per_pass": cycles}.
 */
#include <stdio.h>
#include <stdlib.h>
#include "clock.h"

/* 64-byte slots the replay's memory operands point into (replay-asm.ts REPLAY_SLOTS). */
#define BUFFER_BYTES (64 * 64)
#define CLOCK_ROUNDS 4000000L
#define RUNS 15

void replay_passes(void *buffer, long passes);

static double timed(void *buffer, long passes) {
  const double started = seconds();
  replay_passes(buffer, passes);
  return seconds() - started;
}

int main(void) {
  void *buffer = aligned_alloc(64, BUFFER_BYTES);
  if (buffer == NULL) return 1;
  for (unsigned i = 0; i < BUFFER_BYTES; i++) ((unsigned char *)buffer)[i] = (unsigned char)(i * 37);
  long passes = 1;
  while (passes < (1L << 24) && timed(buffer, passes) < 0.01) passes *= 2;
  double best = timed(buffer, passes);
  for (int run = 1; run < RUNS; run++) {
    const double took = timed(buffer, passes);
    if (took < best) best = took;
  }
  const double ghz = clock_ghz(CLOCK_ROUNDS);
  printf("{\"ghz\": %.3f, \"cycles_per_pass\": %.3f}\n", ghz, best * ghz * 1e9 / (double)passes);
  free(buffer);
  return 0;
}
