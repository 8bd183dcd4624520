/*
 * The text search (a hash of prefix || decimal nonce || suffix with enough leading zero bits) for
 * any vector width: PP_LANES32 consecutive nonces, one per 32-bit lane. The including kernel
 * includes its decimal lanes first (text_lanes_avx2.h or text_lanes_avx512.h, which bring the
 * 32-bit lane vocabulary) and defines the hash: PP_TEXT_WORDS digest words, PP_TEXT_IV,
 * text_compress_scalar(words, block) for the prefix, PP_TEXT_ROUND_CONSTANTS vectors that
 * text_lanes_constants(k) fills once per call, and text_lanes_compress(s, w, k) for one compression
 * of every lane (w is the message and its schedule ring). Built per compression instead, the
 * constants cost a store each per attempt group: 1.4x on the SHA-256 loop. For the blocks after
 * the nonce, the same in every lane: PP_TEXT_ROUNDS, text_schedule_scalar(block, wk) (what the
 * block adds in each round), text_lanes_compress_scheduled(s, wk) and its two-state form
 * text_lanes_compress_scheduled_pair(s0, s1, wk).
 */
#ifndef PP_SIMD_TEXT_SCAN_LANES_H
#define PP_SIMD_TEXT_SCAN_LANES_H

#include "../scalar/common.h"
#include "../scalar/text_layout.h"
#include "text_lanes.h"

/* Compress the same 64-byte block (shared by all lanes) into every lane. */
PP_LANES32_INLINE void text_compress_shared(pp_lanes32 s[PP_TEXT_WORDS], const uint8_t *block,
                                            const pp_lanes32 k[PP_TEXT_ROUND_CONSTANTS]) {
  pp_lanes32 w[16];
  for (int i = 0; i < 16; i++) w[i] = lanes32_set1(pp_load_be32(block + 4 * i));
  text_lanes_compress(s, w, k);
}

/*
 * The blocks after the nonce block (the suffix's whole blocks, hashed in place, then the final
 * ones) are the same in every lane and every attempt. The first PP_TEXT_TAIL_SCHEDULED of them get
 * their message schedule, round constants added, computed once per call, which leaves their
 * compressions the rounds alone (a third of a SHA-256 compression is its schedule); blocks past
 * those (a long suffix) are compressed as they are.
 */
#define PP_TEXT_TAIL_SCHEDULED 16
typedef struct {
  const pp_text_layout *layout;
  size_t blocks;    /* direct and final */
  size_t scheduled; /* the first of them, up to PP_TEXT_TAIL_SCHEDULED */
  uint32_t wk[PP_TEXT_TAIL_SCHEDULED][PP_TEXT_ROUNDS];
} text_tail;

/* Block b of the tail: the direct blocks, then the final ones. */
static inline const uint8_t *text_tail_block(const pp_text_layout *layout, size_t b) {
  return b < layout->direct_blocks ? layout->direct + PP_TEXT_BLOCK * b
                                   : layout->final + PP_TEXT_BLOCK * (b - layout->direct_blocks);
}

static inline void text_tail_init(text_tail *tail, const pp_text_layout *layout) {
  tail->layout = layout;
  tail->blocks = layout->direct_blocks + layout->final_blocks;
  tail->scheduled = tail->blocks < PP_TEXT_TAIL_SCHEDULED ? tail->blocks : PP_TEXT_TAIL_SCHEDULED;
  for (size_t b = 0; b < tail->scheduled; b++)
    text_schedule_scalar(text_tail_block(layout, b), tail->wk[b]);
}

/* Compress the tail into every lane. */
PP_LANES32_INLINE void text_tail_compress(pp_lanes32 s[PP_TEXT_WORDS], const text_tail *tail,
                                          const pp_lanes32 k[PP_TEXT_ROUND_CONSTANTS]) {
  for (size_t b = 0; b < tail->scheduled; b++) text_lanes_compress_scheduled(s, tail->wk[b]);
  for (size_t b = tail->scheduled; b < tail->blocks; b++)
    text_compress_shared(s, text_tail_block(tail->layout, b), k);
}

/* The same for two groups of lanes at once: the scheduled blocks' rounds side by side. */
PP_LANES32_INLINE void text_tail_compress_pair(pp_lanes32 s0[PP_TEXT_WORDS],
                                               pp_lanes32 s1[PP_TEXT_WORDS], const text_tail *tail,
                                               const pp_lanes32 k[PP_TEXT_ROUND_CONSTANTS]) {
  for (size_t b = 0; b < tail->scheduled; b++) text_lanes_compress_scheduled_pair(s0, s1, tail->wk[b]);
  for (size_t b = tail->scheduled; b < tail->blocks; b++) {
    text_compress_shared(s0, text_tail_block(tail->layout, b), k);
    text_compress_shared(s1, text_tail_block(tail->layout, b), k);
  }
}

/* What every group of attempts of a call shares. */
typedef struct {
  uint32_t midstate[PP_TEXT_WORDS];       /* the state after the prefix's whole blocks */
  pp_lanes32 mask[PP_TEXT_WORDS];         /* the digest bits that must be zero */
  unsigned mask_count;                    /* the words of mask that hold any */
  pp_lanes32 k[PP_TEXT_ROUND_CONSTANTS];  /* the round constants */
  text_tail tail;                         /* the blocks after the nonce's */
} text_call;

PP_LANES32_INLINE void text_call_init(text_call *call, const pp_text_layout *layout,
                                      const uint8_t *prefix, unsigned zero_bits) {
  for (int i = 0; i < PP_TEXT_WORDS; i++) call->midstate[i] = PP_TEXT_IV[i];
  for (size_t b = 0; b < layout->prefix_blocks; b++)
    text_compress_scalar(call->midstate, prefix + PP_TEXT_BLOCK * b);
  uint32_t mask_words[PP_TEXT_WORDS];
  pp_zero_bits_mask(mask_words, PP_TEXT_WORDS, zero_bits);
  call->mask_count = (zero_bits + 31) / 32;
  for (unsigned i = 0; i < call->mask_count; i++) call->mask[i] = lanes32_set1(mask_words[i]);
  text_lanes_constants(call->k);
  text_tail_init(&call->tail, layout);
}

/* The lanes of finished states that pass. */
PP_LANES32_INLINE unsigned text_call_passing(const text_call *call, const pp_lanes32 s[PP_TEXT_WORDS]) {
  pp_lanes32 masked = lanes32_set1(0);
  for (unsigned i = 0; i < call->mask_count; i++)
    masked = lanes32_or(masked, lanes32_and(s[i], call->mask[i]));
  return lanes32_equal(masked, 0);
}

PP_LANES32_INLINE void text_scan(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                                 size_t suffix_len, unsigned width, unsigned zero_bits,
                                 uint64_t start, uint64_t count, pp_result *out) {
  pp_decimal_lanes lanes;
  pp_decimal_lanes_init(&lanes, prefix, prefix_len, suffix, suffix_len, width, start);
  text_call call;
  text_call_init(&call, &lanes.layout, prefix, zero_bits);

  for (uint64_t done = 0; done < count; done += PP_LANES32) {
    pp_lanes32 s[PP_TEXT_WORDS], w[16];
    for (int i = 0; i < PP_TEXT_WORDS; i++) s[i] = lanes32_set1(call.midstate[i]);
    for (unsigned b = 0; b < lanes.layout.varying_blocks; b++) {
      lanes32_varying_words(&lanes, b, w);
      text_lanes_compress(s, w, call.k);
    }
    text_tail_compress(s, &call.tail, call.k);
    pp_decimal_lanes_advance(&lanes, PP_LANES32);
    if (pp_result_first_lane(text_call_passing(&call, s), start + done, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
