/* SHA-256 compression over a block given as 16 big-endian words (PP_SHA256_K: the host's
 * prelude). */
#define PP_SHA256_S0(x) (pp_rotr32(x, 2) ^ pp_rotr32(x, 13) ^ pp_rotr32(x, 22))
#define PP_SHA256_S1(x) (pp_rotr32(x, 6) ^ pp_rotr32(x, 11) ^ pp_rotr32(x, 25))
#define PP_SHA256_s0(x) (pp_rotr32(x, 7) ^ pp_rotr32(x, 18) ^ ((x) >> 3))
#define PP_SHA256_s1(x) (pp_rotr32(x, 17) ^ pp_rotr32(x, 19) ^ ((x) >> 10))
#define PP_SHA256_ROUND(a, b, c, d, e, f, g, h, i)                                                 \
  PP_SHA2_ROUND(uint, PP_SHA256_K, PP_SHA256_S0, PP_SHA256_S1, PP_SHA256_s0, PP_SHA256_s1, a, b,   \
                c, d, e, f, g, h, i)

PP_SHA2_COMPRESS(pp_sha256_compress, uint, 64, PP_SHA256_ROUND)
