/*
 * The round and compression SHA-256 and SHA-512 share (FIPS 180-4). They differ in word type,
 * round count, constants and the rotations of their four sigma functions. The message schedule
 * lives in a 16-word ring: word i >= 16 overwrites word i - 16. Rounds rename the working variables
 * instead of shifting them; bitselect is Ch and Maj.
 */
#define PP_SHA2_ROUND(T, K, S0, S1, s0, s1, a, b, c, d, e, f, g, h, i)                             \
  {                                                                                                \
    const T t1 = h + S1(e) + bitselect(g, f, e) + K[i] +                                           \
                 ((i) < 16 ? w[i]                                                                  \
                           : (w[(i) & 15] += s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] +           \
                                             s0(w[((i) - 15) & 15])));                             \
    d += t1;                                                                                       \
    h = t1 + S0(a) + bitselect(a, b, a ^ c);                                                       \
  }

/* void NAME(T *state, T *w): one compression of the 16 big-endian words `w` (clobbered). */
#define PP_SHA2_COMPRESS(NAME, T, ROUNDS, ROUND)                                                   \
  void NAME(T *state, T *w) {                                                                      \
    T a = state[0], b = state[1], c = state[2], d = state[3];                                      \
    T e = state[4], f = state[5], g = state[6], h = state[7];                                      \
    _Pragma("unroll") for (uint i = 0; i < ROUNDS; i += 8) {                                       \
      ROUND(a, b, c, d, e, f, g, h, i + 0);                                                        \
      ROUND(h, a, b, c, d, e, f, g, i + 1);                                                        \
      ROUND(g, h, a, b, c, d, e, f, i + 2);                                                        \
      ROUND(f, g, h, a, b, c, d, e, i + 3);                                                        \
      ROUND(e, f, g, h, a, b, c, d, i + 4);                                                        \
      ROUND(d, e, f, g, h, a, b, c, i + 5);                                                        \
      ROUND(c, d, e, f, g, h, a, b, i + 6);                                                        \
      ROUND(b, c, d, e, f, g, h, a, i + 7);                                                        \
    }                                                                                              \
    state[0] += a;                                                                                 \
    state[1] += b;                                                                                 \
    state[2] += c;                                                                                 \
    state[3] += d;                                                                                 \
    state[4] += e;                                                                                 \
    state[5] += f;                                                                                 \
    state[6] += g;                                                                                 \
    state[7] += h;                                                                                 \
  }
