/* SHA-512 compression over a block given as 16 big-endian words (PP_SHA512_K: the host's
 * prelude). */
#define PP_SHA512_S0(x) (pp_rotr64(x, 28) ^ pp_rotr64(x, 34) ^ pp_rotr64(x, 39))
#define PP_SHA512_S1(x) (pp_rotr64(x, 14) ^ pp_rotr64(x, 18) ^ pp_rotr64(x, 41))
#define PP_SHA512_s0(x) (pp_rotr64(x, 1) ^ pp_rotr64(x, 8) ^ ((x) >> 7))
#define PP_SHA512_s1(x) (pp_rotr64(x, 19) ^ pp_rotr64(x, 61) ^ ((x) >> 6))
#define PP_SHA512_ROUND(a, b, c, d, e, f, g, h, i)                                                 \
  PP_SHA2_ROUND(ulong, PP_SHA512_K, PP_SHA512_S0, PP_SHA512_S1, PP_SHA512_s0, PP_SHA512_s1, a, b,  \
                c, d, e, f, g, h, i)

PP_SHA2_COMPRESS(pp_sha512_compress, ulong, 80, PP_SHA512_ROUND)
