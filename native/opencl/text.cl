/*
 * SHA-256 / SHA-1 of prefix || nonce as zero-padded decimal digits || suffix, passing with at least
 * zero_bits leading zero bits (NIP-13, hashcash, the gate).
 *
 * The host lays the padded message out per launch so that only the low `digits` (1..9) digits
 * vary inside it: the launch never crosses a multiple of 10^digits, so the higher digits are plain
 * text. The blocks before the one holding the first varying digit are folded into `midstate`;
 * `tail` holds the rest as big-endian words with zero bytes where the varying digits go, and each
 * work-item writes its own digits over them: nonce = (launch start) + offset, whose low digits
 * read first + offset.
 */

/* The decimal digits of `value` (< 10^digits) as big-endian bytes starting `skew` (0..3) bytes into
 * three words, the rest of the bytes zero. */
void pp_decimal_words(uint value, uint digits, uint skew, uint *words) {
  words[0] = words[1] = words[2] = 0;
#pragma unroll
  for (uint place = 0; place < 9; place++) {
    if (place < digits) {
      const uint at = skew + digits - 1 - place;
      const uint byte = ('0' + value % 10) << (24 - 8 * (at & 3));
      value /= 10;
      words[0] |= at >> 2 == 0 ? byte : 0;
      words[1] |= at >> 2 == 1 ? byte : 0;
      words[2] |= at >> 2 == 2 ? byte : 0;
    }
  }
}

/* One attempt: the digits of offset go in, the tail blocks are compressed onto the midstate. */
bool pp_text_passes(bool sha1, __global const uint *midstate, __global const uint *tail,
                    uint tail_blocks, uint digits_at, uint digits, uint value, uint zero_bits) {
  const uint state_words = sha1 ? 5 : 8;
  uint decimal[3];
  pp_decimal_words(value, digits, digits_at & 3, decimal);
  const uint first_digit_word = digits_at >> 2;
  uint state[8];
  for (uint i = 0; i < state_words; i++) state[i] = midstate[i];
  for (uint block = 0; block < tail_blocks; block++) {
    uint w[16];
#pragma unroll
    for (uint i = 0; i < 16; i++) {
      const uint at = block * 16 + i;
      const uint j = at - first_digit_word; /* wraps to a large value before the digits */
      w[i] = tail[at] | (j == 0 ? decimal[0] : j == 1 ? decimal[1] : j == 2 ? decimal[2] : 0);
    }
    if (sha1)
      pp_sha1_compress(state, w);
    else
      pp_sha256_compress(state, w);
  }
  return pp_has_leading_zero_bits(state, state_words, zero_bits);
}

/* The two kernels, with the hash picked at compile time. */
#define PP_TEXT_KERNEL(NAME, SHA1)                                                                 \
  __kernel void NAME(volatile __global uint *hit, uint count, __global const uint *midstate,       \
                     __global const uint *tail, uint tail_blocks, uint digits_at, uint digits,     \
                     uint first, uint zero_bits) {                                                 \
    const uint offset = get_global_id(0);                                                          \
    if (offset < count && pp_text_passes(SHA1, midstate, tail, tail_blocks, digits_at, digits,     \
                                         first + offset, zero_bits))                               \
      pp_report_hit(hit, offset);                                                                  \
  }

PP_TEXT_KERNEL(pp_sha256_text, false)
PP_TEXT_KERNEL(pp_sha1_text, true)
