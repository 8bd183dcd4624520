/*
 * The text search in segments, for a kernel that includes text_scan_lanes.h first (its hash, lane
 * vocabulary and decimal lanes). When the nonce's digits lie in one block and its last two to four
 * digits share one message word (the "digit word", index L), a segment is a run of 10^d nonces
 * (d = digits in that word) over which only the digit word changes. Within a segment every other
 * word is the same for all lanes and all batches: with L a constant (one inlined copy of the loop
 * per L), the compiler hoists the rounds before word L and the message schedule terms that do not
 * depend on it out of the batch loop. A batch's digit words are one load from a table of the word
 * for each value of its digits. A batch that straddles two segments takes the generic path's
 * blend of the two segments' words instead.
 */
#ifndef PP_SIMD_TEXT_SEGMENTS_H
#define PP_SIMD_TEXT_SEGMENTS_H

#include <string.h>

#include "../scalar/common.h"
#include "../scalar/text_layout.h"

/* The words of the nonce block for nonce n (its digits modulo 10^width). */
static inline void text_segment_words(const pp_text_layout *layout, uint64_t n, uint32_t words[16]) {
  uint8_t block[PP_TEXT_BLOCK];
  memcpy(block, layout->varying, PP_TEXT_BLOCK);
  for (unsigned i = layout->width; i-- > 0; n /= 10) block[layout->digits_at + i] = (uint8_t)('0' + n % 10);
  for (int i = 0; i < 16; i++) words[i] = pp_load_be32(block + 4 * i);
}

/* The blocks after the nonce block, shared by every lane, for one group of lanes or two side by
 * side; out of line, so that the segment loop's copies per L hold one compression each. */
static __attribute__((noinline)) PP_LANES32_TARGET void text_segment_tail(
    pp_lanes32 s[PP_TEXT_WORDS], const text_call *call) {
  text_tail_compress(s, &call->tail, call->k);
}
static __attribute__((noinline)) PP_LANES32_TARGET void text_segment_tail_pair(
    pp_lanes32 s0[PP_TEXT_WORDS], pp_lanes32 s1[PP_TEXT_WORDS], const text_call *call) {
  text_tail_compress_pair(s0, s1, &call->tail, call->k);
}

/* The most values of a digit word's digits: a word holds four bytes. */
#define PP_SEGMENT_MAX_SPAN 10000

/* Per thread, the digit-word table of the last task searched: the word at the index of each value
 * of its digits, then the first lanes' worth again, so that a batch's load runs on past the end of
 * a segment into the next. The calls of one task (the engine's chunks of a search, the kernel
 * selection's timed probes) build it once: built per call, its 10^4 words cost a 2^14-nonce call
 * a fifth of its time. */
typedef struct {
  uint8_t word[4];  /* the digit word, its digits all '0' */
  unsigned last;    /* the last digit's byte in it */
  unsigned digits;  /* how many digits end there */
  int built;
  uint32_t words[PP_SEGMENT_MAX_SPAN + PP_LANES32];
} text_segment_words_table;
static _Thread_local text_segment_words_table text_segment_cache;

/* The table for a digit word (4 bytes as the block holds them) whose last byte of digits is
 * `last` and which holds `digits` digits. */
static inline const uint32_t *text_segment_table(const uint8_t *block_word, unsigned last,
                                                 unsigned digits) {
  text_segment_words_table *table = &text_segment_cache;
  uint8_t word[4];
  memcpy(word, block_word, 4);
  for (unsigned i = 0; i < digits; i++) word[last - i] = '0';
  if (table->built && table->last == last && table->digits == digits && memcmp(table->word, word, 4) == 0)
    return table->words;
  memcpy(table->word, word, 4);
  table->last = last;
  table->digits = digits;
  table->built = 1;
  uint64_t span = 1;
  for (unsigned i = 0; i < digits; i++) span *= 10;
  for (uint64_t m = 0; m < span + PP_LANES32; m++) {
    table->words[m] = pp_load_be32(word);
    /* The next value: an odometer over the digits, wrapping to all '0' after all '9'. */
    unsigned at = last;
    while (word[at] == '9' && at > last - (digits - 1)) word[at--] = '0';
    word[at] = word[at] == '9' ? '0' : (uint8_t)(word[at] + 1);
  }
  return table->words;
}

/* `batches` whole batches of one segment: `words` its block, `digit_words` its digit word for each
 * batch's first lane onwards. Returns 1 with `out` set at the first pass. */
PP_LANES32_INLINE int text_segment_batches(const text_call *call, const unsigned L,
                                           const uint32_t words[16], const uint32_t *digit_words,
                                           uint64_t batches, uint64_t first, uint64_t done,
                                           uint64_t count, pp_result *out) {
  pp_lanes32 fixed[16], mid[PP_TEXT_WORDS];
  for (int i = 0; i < 16; i++) fixed[i] = lanes32_set1(words[i]);
  for (int i = 0; i < PP_TEXT_WORDS; i++) mid[i] = lanes32_set1(call->midstate[i]);
  /* With blocks after the nonce's, batches go in pairs: the two compress their tails side by side
   * (text_tail_compress_pair), and are checked in order. */
  const uint64_t step = call->tail.blocks > 0 ? 2 : 1;
  for (uint64_t j = 0; j < batches; j += step) {
    const unsigned groups = j + 1 < batches ? (unsigned)step : 1;
    pp_lanes32 s[2][PP_TEXT_WORDS];
    for (unsigned g = 0; g < groups; g++) {
      pp_lanes32 w[16];
      for (int i = 0; i < PP_TEXT_WORDS; i++) s[g][i] = mid[i];
      for (int i = 0; i < 16; i++) w[i] = fixed[i];
      w[L] = lanes32_load(digit_words + PP_LANES32 * (j + g));
      text_lanes_compress(s[g], w, call->k);
    }
    if (groups == 2) text_segment_tail_pair(s[0], s[1], call);
    else if (call->tail.blocks > 0) text_segment_tail(s[0], call);
    for (unsigned g = 0; g < groups; g++) {
      const uint64_t offset = PP_LANES32 * (j + g);
      if (pp_result_first_lane(text_call_passing(call, s[g]), first + offset, done + offset, count, out))
        return 1;
    }
  }
  return 0;
}

/* The same with L fixed per copy. */
#define PP_SEGMENT_CASE(l)                                                                         \
  case l:                                                                                          \
    return text_segment_batches(call, l, words, digit_words, batches, first, done, count, out);
PP_LANES32_INLINE int text_segment_run(const text_call *call, unsigned L,
                                       const uint32_t words[16], const uint32_t *digit_words,
                                       uint64_t batches, uint64_t first, uint64_t done,
                                       uint64_t count, pp_result *out) {
  switch (L) {
    PP_SEGMENT_CASE(0) PP_SEGMENT_CASE(1) PP_SEGMENT_CASE(2) PP_SEGMENT_CASE(3)
    PP_SEGMENT_CASE(4) PP_SEGMENT_CASE(5) PP_SEGMENT_CASE(6) PP_SEGMENT_CASE(7)
    PP_SEGMENT_CASE(8) PP_SEGMENT_CASE(9) PP_SEGMENT_CASE(10) PP_SEGMENT_CASE(11)
    PP_SEGMENT_CASE(12) PP_SEGMENT_CASE(13) PP_SEGMENT_CASE(14) PP_SEGMENT_CASE(15)
  }
  return 0;
}
#undef PP_SEGMENT_CASE

/* One batch across the end of a segment: lanes at or past it take the next segment's words. */
PP_LANES32_INLINE int text_segment_straddle(const text_call *call, unsigned L,
                                            const uint32_t words[16], const uint32_t next[16],
                                            const uint32_t *digit_words, unsigned in_next,
                                            uint64_t first, uint64_t done, uint64_t count,
                                            pp_result *out) {
  pp_lanes32 s[PP_TEXT_WORDS], w[16];
  for (int i = 0; i < PP_TEXT_WORDS; i++) s[i] = lanes32_set1(call->midstate[i]);
  for (int i = 0; i < 16; i++)
    w[i] = (unsigned)i == L ? lanes32_load(digit_words)
                            : lanes32_blend(in_next, lanes32_set1(words[i]), lanes32_set1(next[i]));
  text_lanes_compress(s, w, call->k);
  if (call->tail.blocks > 0) text_segment_tail(s, call);
  return pp_result_first_lane(text_call_passing(call, s), first, done, count, out);
}

/*
 * The whole search by segments. Returns 0, having searched nothing, where the layout does not
 * allow it (digits across two blocks, or fewer than two digits in the last digit's word); the
 * caller then runs text_scan.
 */
PP_LANES32_INLINE int text_scan_segments(const uint8_t *prefix, size_t prefix_len,
                                         const uint8_t *suffix, size_t suffix_len, unsigned width,
                                         unsigned zero_bits, uint64_t start, uint64_t count,
                                         pp_result *out) {
  pp_text_layout layout;
  pp_text_layout_init(&layout, prefix, prefix_len, suffix, suffix_len, width, 0);
  const unsigned last = layout.digits_at + width - 1;
  const unsigned L = last / 4;
  const unsigned first_in_word = layout.digits_at > 4 * L ? layout.digits_at : 4 * L;
  const unsigned d = last - first_in_word + 1;
  if (layout.varying_blocks != 1 || d < 2) return 0;

  uint64_t span = 1, nonces = 1;  /* 10^d and 10^width */
  for (unsigned i = 0; i < d; i++) span *= 10;
  for (unsigned i = 0; i < width; i++) nonces *= 10;
  const uint32_t *digit_words = text_segment_table(layout.varying + 4 * L, last - 4 * L, d);
  text_call call;
  text_call_init(&call, &layout, prefix, zero_bits);

  int found = 0;
  for (uint64_t done = 0; done < count && !found;) {
    const uint64_t n = start + done, m = n % span;
    uint32_t words[16];
    text_segment_words(&layout, n, words);
    if (m + PP_LANES32 <= span) {
      const uint64_t left = (count - done + PP_LANES32 - 1) / PP_LANES32;
      const uint64_t whole = (span - m) / PP_LANES32;
      const uint64_t batches = whole < left ? whole : left;
      found = text_segment_run(&call, L, words, digit_words + m, batches, n, done, count, out);
      done += PP_LANES32 * batches;
    } else {
      uint32_t next[16];
      text_segment_words(&layout, (n - m + span) % nonces, next);
      const unsigned in_next = ((1u << PP_LANES32) - 1) & ~((1u << (span - m)) - 1);
      found = text_segment_straddle(&call, L, words, next, digit_words + m, in_next, n, done, count, out);
      done += PP_LANES32;
    }
  }
  if (!found) pp_result_none(out, count);
  return 1;
}

/* The text search: in segments where the layout allows, else text_scan's decimal lanes. */
PP_LANES32_INLINE void text_search(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                                   size_t suffix_len, unsigned width, unsigned zero_bits,
                                   uint64_t start, uint64_t count, pp_result *out) {
  if (!text_scan_segments(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out))
    text_scan(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out);
}

#endif
