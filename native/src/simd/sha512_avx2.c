/*
 * Bitmessage double SHA-512 with AVX2: four consecutive nonces, one per 64-bit lane. Both hashes
 * are one block each (72-byte and 64-byte messages), and most of each block is the same for every
 * nonce, so each message-schedule word is split into the terms that depend on the nonce, computed
 * per attempt, and the sum of the others (with the round constant), computed once per call. Only
 * the first digest word of the second hash is needed, so the compiler drops the work that feeds
 * nothing else after full unrolling.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha512.h"

#define AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))
#define LANES 4

AVX2_INLINE __m256i rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi64(x, n), _mm256_slli_epi64(x, 64 - n));
}
/* Rotate right by 8 bits as a byte shuffle: one instruction instead of three. */
AVX2_INLINE __m256i rotr8(__m256i x) {
  const __m256i by_one_byte = _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL,
                                                0x080f0e0d0c0b0a09LL, 0x0007060504030201LL);
  return _mm256_shuffle_epi8(x, by_one_byte);
}
AVX2_INLINE __m256i add(__m256i a, __m256i b) { return _mm256_add_epi64(a, b); }
AVX2_INLINE __m256i xor3(__m256i a, __m256i b, __m256i c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
AVX2_INLINE __m256i big_sigma0(__m256i a) { return xor3(rotr(a, 28), rotr(a, 34), rotr(a, 39)); }
AVX2_INLINE __m256i big_sigma1(__m256i e) { return xor3(rotr(e, 14), rotr(e, 18), rotr(e, 41)); }
AVX2_INLINE __m256i small_sigma0(__m256i w) {
  return xor3(rotr(w, 1), rotr8(w), _mm256_srli_epi64(w, 7));
}
AVX2_INLINE __m256i small_sigma1(__m256i w) {
  return xor3(rotr(w, 19), rotr(w, 61), _mm256_srli_epi64(w, 6));
}
AVX2_INLINE __m256i choose(__m256i e, __m256i f, __m256i g) {
  return _mm256_xor_si256(_mm256_and_si256(e, _mm256_xor_si256(f, g)), g);
}

/*
 * Which schedule words W_t depend on the nonce (1) in each block. Block 1 is nonce || initial hash
 * || padding: only W0 varies, and W_t for t >= 16 varies when one of W_{t-2}, W_{t-7}, W_{t-15},
 * W_{t-16} does, which leaves W17, W19 and W21 constant. Block 2 is the first digest (W0..W7) ||
 * padding (W8..W15), and every later word reaches back into the digest.
 */
static const uint8_t FIRST_BLOCK_VARIES[80] = {
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const uint8_t SECOND_BLOCK_VARIES[80] = {
    1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

/* The part of each schedule word that is the same for every nonce, broadcast to the lanes. */
typedef struct {
  __m256i part[80];   /* the whole word if it is constant, else the sum of its constant terms */
  __m256i plus_k[80]; /* part + K_t: what a round adds when the word is constant */
} split_schedule;

/*
 * The schedule recurrence term by term: W_t = σ1(W_{t-2}) + W_{t-7} + σ0(W_{t-15}) + W_{t-16}.
 * SUM_TERMS adds the terms whose source word has varies[source] == want; `word(s)` reads word s.
 * With t constant and varies a static table, the tests fold away once the rounds are unrolled.
 */
#define SUM_TERMS(sum, t, varies, want, word)                                                      \
  do {                                                                                             \
    if (varies[(t) - 2] == (want)) sum = add(sum, small_sigma1(word((t) - 2)));                    \
    if (varies[(t) - 7] == (want)) sum = add(sum, word((t) - 7));                                  \
    if (varies[(t) - 15] == (want)) sum = add(sum, small_sigma0(word((t) - 15)));                  \
    if (varies[(t) - 16] == (want)) sum = add(sum, word((t) - 16));                                \
  } while (0)

/* Once per call: the constant parts of a block whose constant words are given in `block`. */
AVX2_INLINE void split_schedule_init(split_schedule *split, const __m256i block[16],
                                     const uint8_t varies[80]) {
#define CONSTANT_WORD(s) (split->part[s])
  for (int t = 0; t < 80; t++) {
    __m256i part = _mm256_setzero_si256();
    if (t < 16) {
      if (!varies[t]) part = block[t];
    } else {
      SUM_TERMS(part, t, varies, 0, CONSTANT_WORD);
    }
    split->part[t] = part;
    split->plus_k[t] = add(part, _mm256_set1_epi64x((long long)PP_SHA512_K[t]));
  }
#undef CONSTANT_WORD
}

/*
 * One round. Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)), and b ^ c is the previous round's a ^ b
 * (b and c are the previous a and b), so each round computes one XOR for it and passes it on in
 * ab[]. h + W_t + K_t does not wait for e, so it is added first.
 */
#define SHA512_ROUND(a, b, c, d, e, f, g, h, t)                                                    \
  do {                                                                                             \
    __m256i wk;                                                                                    \
    if (!varies[t]) {                                                                              \
      wk = split->plus_k[t];                                                                       \
    } else if ((t) < 16) {                                                                         \
      wk = add(w[(t) & 15], split->plus_k[t]);                                                     \
    } else {                                                                                       \
      __m256i sum = _mm256_setzero_si256();                                                        \
      SUM_TERMS(sum, t, varies, 1, RING_WORD);                                                     \
      w[(t) & 15] = add(sum, split->part[t]);                                                      \
      wk = add(sum, split->plus_k[t]);                                                             \
    }                                                                                              \
    const __m256i t1 = add(add(add(h, wk), choose(e, f, g)), big_sigma1(e));                       \
    d = add(d, t1);                                                                                \
    ab[((t) + 1) & 1] = _mm256_xor_si256(a, b);                                                    \
    const __m256i majority = _mm256_xor_si256(b, _mm256_and_si256(ab[((t) + 1) & 1], ab[(t) & 1])); \
    h = add(add(t1, majority), big_sigma0(a));                                                     \
  } while (0)
#define RING_WORD(s) (w[(s) & 15])

/* One compression of four lanes from state s (feed-forward included). w holds the block's varying
 * words (the others are never read) and serves as the schedule ring. */
AVX2_INLINE void sha512_compress(__m256i s[8], __m256i w[16], const split_schedule *split,
                                 const uint8_t varies[80]) {
  __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
  __m256i ab[2];
  ab[0] = _mm256_xor_si256(b, c);
#pragma GCC unroll 10
  for (int t = 0; t < 80; t += 8) {
    SHA512_ROUND(a, b, c, d, e, f, g, h, t);
    SHA512_ROUND(h, a, b, c, d, e, f, g, t + 1);
    SHA512_ROUND(g, h, a, b, c, d, e, f, t + 2);
    SHA512_ROUND(f, g, h, a, b, c, d, e, t + 3);
    SHA512_ROUND(e, f, g, h, a, b, c, d, t + 4);
    SHA512_ROUND(d, e, f, g, h, a, b, c, t + 5);
    SHA512_ROUND(c, d, e, f, g, h, a, b, t + 6);
    SHA512_ROUND(b, c, d, e, f, g, h, a, t + 7);
  }
  s[0] = add(s[0], a);
  s[1] = add(s[1], b);
  s[2] = add(s[2], c);
  s[3] = add(s[3], d);
  s[4] = add(s[4], e);
  s[5] = add(s[5], f);
  s[6] = add(s[6], g);
  s[7] = add(s[7], h);
}

__attribute__((target("avx2"))) void pp_sha512d_bitmessage_avx2(const uint8_t initial_hash[64],
                                                                uint64_t target, uint64_t start,
                                                                uint64_t count, pp_result *out) {
  /* Block 1: nonce (BE64) || initial hash, 72 bytes: words 0..8, pad, bit length 576. Block 2:
   * the 64-byte first digest: words 0..7, pad, bit length 512. Varying words are left zero. */
  __m256i first_block[16], second_block[16];
  for (int i = 0; i < 16; i++) first_block[i] = second_block[i] = _mm256_setzero_si256();
  for (int i = 0; i < 8; i++)
    first_block[1 + i] = _mm256_set1_epi64x((long long)pp_load_be64(initial_hash + 8 * i));
  first_block[9] = second_block[8] = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
  first_block[15] = _mm256_set1_epi64x(72 * 8);
  second_block[15] = _mm256_set1_epi64x(64 * 8);
  split_schedule first, second;
  split_schedule_init(&first, first_block, FIRST_BLOCK_VARIES);
  split_schedule_init(&second, second_block, SECOND_BLOCK_VARIES);
  __m256i iv[8];
  for (int i = 0; i < 8; i++) iv[i] = _mm256_set1_epi64x((long long)PP_SHA512_IV[i]);

  for (uint64_t done = 0; done < count; done += LANES) {
    const uint64_t n = start + done;
    __m256i w[16], s[8];
    w[0] = _mm256_set_epi64x((long long)(n + 3), (long long)(n + 2), (long long)(n + 1),
                             (long long)n);
    for (int i = 0; i < 8; i++) s[i] = iv[i];
    sha512_compress(s, w, &first, FIRST_BLOCK_VARIES);

    for (int i = 0; i < 8; i++) {
      w[i] = s[i];
      s[i] = iv[i];
    }
    sha512_compress(s, w, &second, SECOND_BLOCK_VARIES);

    uint64_t trial[LANES];
    _mm256_storeu_si256((__m256i *)trial, s[0]);
    for (uint64_t l = 0; l < LANES && done + l < count; l++) {
      if (trial[l] <= target) {
        pp_result_found(out, n + l, done + l + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}

#endif
