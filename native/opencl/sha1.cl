/* SHA-1 compression (FIPS 180-4) over a block given as 16 big-endian words (PP_SHA1_K: the host's
 * prelude). */
#define PP_SHA1_W(i)                                                                               \
  ((i) < 16 ? w[i]                                                                                 \
            : (w[(i) & 15] = rotate(w[((i) - 3) & 15] ^ w[((i) - 8) & 15] ^ w[((i) - 14) & 15] ^   \
                                        w[(i) & 15],                                               \
                                    1u)))

/* Round i's function and constant: Ch, parity, Maj, parity by quarter (folded once unrolled). */
#define PP_SHA1_F(i, b, c, d)                                                                      \
  (((i) < 20   ? bitselect(d, c, b)                                                                \
    : (i) < 40 ? (b) ^ (c) ^ (d)                                                                   \
    : (i) < 60 ? bitselect(b, c, b ^ d)                                                            \
               : (b) ^ (c) ^ (d)) +                                                                \
   PP_SHA1_K[(i) / 20])

#define PP_SHA1_ROUND(a, b, c, d, e, i)                                                            \
  {                                                                                                \
    e += rotate(a, 5u) + PP_SHA1_F(i, b, c, d) + PP_SHA1_W(i);                                     \
    b = rotate(b, 30u);                                                                            \
  }

void pp_sha1_compress(uint *state, uint *w) {
  uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
#pragma unroll
  for (uint i = 0; i < 80; i += 5) {
    PP_SHA1_ROUND(a, b, c, d, e, i + 0);
    PP_SHA1_ROUND(e, a, b, c, d, i + 1);
    PP_SHA1_ROUND(d, e, a, b, c, i + 2);
    PP_SHA1_ROUND(c, d, e, a, b, i + 3);
    PP_SHA1_ROUND(b, c, d, e, a, i + 4);
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}
