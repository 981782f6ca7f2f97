#include "CVectorKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define VK_X86 1
#endif

#include <stdlib.h>
#include <string.h>

/// `VISAGE_CPU_KERNELS=avx2` (or `scalar`) caps the instruction set the kernels may use, so a
/// machine with AVX-512 can measure what an AVX2-only CPU (the one Visage is built for) gets.
/// 2: anything, 1: at most AVX2, 0: scalar only.
static int vk_kernel_cap(void) {
    static int cached = -1;
    if (cached < 0) {
        const char *cap = getenv("VISAGE_CPU_KERNELS");
        cached = (cap && strcmp(cap, "scalar") == 0) ? 0 : (cap && strcmp(cap, "avx2") == 0) ? 1 : 2;
    }
    return cached;
}

int vk_has_avx2(void) {
#if VK_X86
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (vk_kernel_cap() >= 1 && __builtin_cpu_supports("avx2")) ? 1 : 0;
    }
    return cached;
#else
    return 0;
#endif
}

/// One block's 32 scores, row order (portable).
static inline void block_scores_scalar(const uint8_t *block, size_t m, const uint8_t *table, uint16_t *out) {
    for (int i = 0; i < 32; i++) out[i] = 0;
    for (size_t s = 0; s < m; s++) {
        const uint8_t *codes = block + 16 * s, *t = table + 16 * s;
        for (int i = 0; i < 16; i++) {
            out[i] += t[codes[i] & 15];
            out[i + 16] += t[codes[i] >> 4];
        }
    }
}

size_t vk_fastscan_filter_scalar(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                                 uint32_t *positions, uint16_t *scores) {
    size_t found = 0;
    uint16_t block[32];
    for (size_t start = 0; start < rows; start += 32) {
        block_scores_scalar(codes + (start / 32) * 16 * m, m, table, block);
        size_t end = rows - start < 32 ? rows - start : 32;
        for (size_t i = 0; i < end; i++) {
            if ((int32_t)block[i] > threshold) {
                positions[found] = (uint32_t)(start + i);
                scores[found] = block[i];
                found++;
            }
        }
    }
    return found;
}

#if VK_X86
/// The threshold as eight 16-bit lanes. Scores are below 2^15, so a signed compare with the
/// threshold clamped to [-1, 32767] is exact.
static inline __m128i threshold_limit(int32_t threshold) {
    const int32_t clamped = threshold < -1 ? -1 : (threshold > 32767 ? 32767 : threshold);
    return _mm_set1_epi16((int16_t)clamped);
}

/// A block's 32 scores, summed into even and odd rows of the low nibbles (rows 0–15: `le`,
/// `lod`) and the high ones (rows 16–31: `he`, `hod`): interleaved back into row order,
/// compared with `limit`, and the rows above it (within `rows`) appended at `found`. SSE2
/// only, shared by the AVX2 and AVX-512 kernels. Returns the new count.
static inline size_t collect_block(__m128i le, __m128i lod, __m128i he, __m128i hod, __m128i limit, size_t start, size_t rows,
                                   uint32_t *positions, uint16_t *scores, size_t found) {
    __m128i r0 = _mm_unpacklo_epi16(le, lod), r1 = _mm_unpackhi_epi16(le, lod);   // rows 0–7, 8–15
    __m128i r2 = _mm_unpacklo_epi16(he, hod), r3 = _mm_unpackhi_epi16(he, hod);   // rows 16–23, 24–31
    __m128i above01 = _mm_packs_epi16(_mm_cmpgt_epi16(r0, limit), _mm_cmpgt_epi16(r1, limit));
    __m128i above23 = _mm_packs_epi16(_mm_cmpgt_epi16(r2, limit), _mm_cmpgt_epi16(r3, limit));
    uint32_t mask = (uint32_t)_mm_movemask_epi8(above01) | ((uint32_t)_mm_movemask_epi8(above23) << 16);
    if (rows - start < 32) mask &= (1u << (rows - start)) - 1;
    if (mask == 0) return found;
    uint16_t block32[32];
    _mm_storeu_si128((__m128i *)block32, r0);
    _mm_storeu_si128((__m128i *)(block32 + 8), r1);
    _mm_storeu_si128((__m128i *)(block32 + 16), r2);
    _mm_storeu_si128((__m128i *)(block32 + 24), r3);
    while (mask) {
        int i = __builtin_ctz(mask);
        positions[found] = (uint32_t)(start + i);
        scores[found] = block32[i];
        found++;
        mask &= mask - 1;
    }
    return found;
}

/// Two sub-quantisers per step: 32 code bytes (s and s + 1) against 32 table bytes (the two
/// tables, one per 128-bit lane). pshufb looks up 32 entries at once; the uint8 results are
/// summed in 16-bit lanes as even and odd bytes (mask and shift), and the two lanes added at
/// the end.
__attribute__((target("avx2")))
static size_t fastscan_filter_avx2(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                                   uint32_t *positions, uint16_t *scores) {
    const __m256i nibble = _mm256_set1_epi8(0x0f), lowByte = _mm256_set1_epi16(0x00ff);
    const __m128i limit = threshold_limit(threshold);
    size_t found = 0;
    for (size_t start = 0; start < rows; start += 32) {
        const uint8_t *block = codes + (start / 32) * 16 * m;
        __m256i loEven = _mm256_setzero_si256(), loOdd = loEven, hiEven = loEven, hiOdd = loEven;
        for (size_t s = 0; s < m; s += 2) {
            // Lists are separate allocations in 4 KiB pages, where the hardware prefetcher stops:
            // ask for the data four blocks ahead (prefetches past the end do not fault).
            _mm_prefetch((const char *)(block + 16 * s + 64 * m), _MM_HINT_T0);
            __m256i c = _mm256_loadu_si256((const __m256i *)(block + 16 * s));
            __m256i t = _mm256_loadu_si256((const __m256i *)(table + 16 * s));
            __m256i lo = _mm256_shuffle_epi8(t, _mm256_and_si256(c, nibble));
            __m256i hi = _mm256_shuffle_epi8(t, _mm256_and_si256(_mm256_srli_epi16(c, 4), nibble));
            loEven = _mm256_add_epi16(loEven, _mm256_and_si256(lo, lowByte));
            loOdd = _mm256_add_epi16(loOdd, _mm256_srli_epi16(lo, 8));
            hiEven = _mm256_add_epi16(hiEven, _mm256_and_si256(hi, lowByte));
            hiOdd = _mm256_add_epi16(hiOdd, _mm256_srli_epi16(hi, 8));
        }
        // Lane 0 holds sub-quantiser s, lane 1 s + 1: add them, then interleave even and odd rows.
        __m128i le = _mm_add_epi16(_mm256_castsi256_si128(loEven), _mm256_extracti128_si256(loEven, 1));
        __m128i lod = _mm_add_epi16(_mm256_castsi256_si128(loOdd), _mm256_extracti128_si256(loOdd, 1));
        __m128i he = _mm_add_epi16(_mm256_castsi256_si128(hiEven), _mm256_extracti128_si256(hiEven, 1));
        __m128i hod = _mm_add_epi16(_mm256_castsi256_si128(hiOdd), _mm256_extracti128_si256(hiOdd, 1));
        found = collect_block(le, lod, he, hod, limit, start, rows, positions, scores, found);
    }
    return found;
}

/// The same with 512-bit registers (AVX-512BW): four sub-quantisers per step, one per 128-bit
/// lane, so half the instructions of the AVX2 kernel per row. Needs `m` a multiple of 4.
__attribute__((target("avx512f,avx512bw")))
static size_t fastscan_filter_avx512(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                                     uint32_t *positions, uint16_t *scores) {
    const __m512i nibble = _mm512_set1_epi8(0x0f), lowByte = _mm512_set1_epi16(0x00ff);
    const __m128i limit = threshold_limit(threshold);
    size_t found = 0;
    for (size_t start = 0; start < rows; start += 32) {
        const uint8_t *block = codes + (start / 32) * 16 * m;
        __m512i loEven = _mm512_setzero_si512(), loOdd = loEven, hiEven = loEven, hiOdd = loEven;
        for (size_t s = 0; s < m; s += 4) {
            _mm_prefetch((const char *)(block + 16 * s + 64 * m), _MM_HINT_T0);
            __m512i c = _mm512_loadu_si512((const void *)(block + 16 * s));
            __m512i t = _mm512_loadu_si512((const void *)(table + 16 * s));
            __m512i lo = _mm512_shuffle_epi8(t, _mm512_and_si512(c, nibble));
            __m512i hi = _mm512_shuffle_epi8(t, _mm512_and_si512(_mm512_srli_epi16(c, 4), nibble));
            loEven = _mm512_add_epi16(loEven, _mm512_and_si512(lo, lowByte));
            loOdd = _mm512_add_epi16(loOdd, _mm512_srli_epi16(lo, 8));
            hiEven = _mm512_add_epi16(hiEven, _mm512_and_si512(hi, lowByte));
            hiOdd = _mm512_add_epi16(hiOdd, _mm512_srli_epi16(hi, 8));
        }
        // Four lanes, one sub-quantiser each: add them.
        #define VK_LANES(v) _mm_add_epi16(_mm_add_epi16(_mm512_extracti32x4_epi32(v, 0), _mm512_extracti32x4_epi32(v, 1)), \
                                          _mm_add_epi16(_mm512_extracti32x4_epi32(v, 2), _mm512_extracti32x4_epi32(v, 3)))
        __m128i le = VK_LANES(loEven), lod = VK_LANES(loOdd), he = VK_LANES(hiEven), hod = VK_LANES(hiOdd);
        #undef VK_LANES
        found = collect_block(le, lod, he, hod, limit, start, rows, positions, scores, found);
    }
    return found;
}

int vk_has_avx512bw(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = (vk_kernel_cap() >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) ? 1 : 0;
    }
    return cached;
}
#endif

#if !VK_X86
int vk_has_avx512bw(void) { return 0; }
#endif

size_t vk_fastscan_filter_avx2(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                               uint32_t *positions, uint16_t *scores) {
#if VK_X86
    if (vk_has_avx2()) return fastscan_filter_avx2(codes, rows, m, table, threshold, positions, scores);
#endif
    return vk_fastscan_filter_scalar(codes, rows, m, table, threshold, positions, scores);
}

size_t vk_fastscan_filter(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                          uint32_t *positions, uint16_t *scores) {
#if VK_X86
    if (m % 4 == 0 && vk_has_avx512bw()) return fastscan_filter_avx512(codes, rows, m, table, threshold, positions, scores);
    if (vk_has_avx2()) return fastscan_filter_avx2(codes, rows, m, table, threshold, positions, scores);
#endif
    return vk_fastscan_filter_scalar(codes, rows, m, table, threshold, positions, scores);
}

/// Nearest of 16 centroids per sub-space; the 16 distances form one vectorisable loop.
static inline void pq_encode_body(const float *rows, size_t n, size_t d, size_t m, const float *codebooks, uint8_t *codes) {
    for (size_t r = 0; r < n; r++) {
        const float *x = rows + r * d;
        for (size_t s = 0; s < m; s++) {
            size_t begin = s * d / m, end = (s + 1) * d / m;
            float dist[16] = {0};
            for (size_t j = begin; j < end; j++) {
                const float *c = codebooks + 16 * j;
                for (int k = 0; k < 16; k++) {
                    float diff = x[j] - c[k];
                    dist[k] += diff * diff;
                }
            }
            int best = 0;
            for (int k = 1; k < 16; k++) if (dist[k] < dist[best]) best = k;
            codes[r * m + s] = (uint8_t)best;
        }
    }
}

#if VK_X86
__attribute__((target("avx2,fma")))
static void pq_encode_avx2(const float *rows, size_t n, size_t d, size_t m, const float *codebooks, uint8_t *codes) {
    pq_encode_body(rows, n, d, m, codebooks, codes);
}
#endif

void vk_pq_encode(const float *rows, size_t n, size_t d, size_t m, const float *codebooks, uint8_t *codes) {
#if VK_X86
    if (vk_has_avx2()) { pq_encode_avx2(rows, n, d, m, codebooks, codes); return; }
#endif
    pq_encode_body(rows, n, d, m, codebooks, codes);
}

static inline float dot_two_level_body(const float *query, const int8_t *codes, const int8_t *residuals, size_t d) {
    float coarse = 0, fine = 0;
    for (size_t j = 0; j < d; j++) {
        coarse += query[j] * (float)codes[j];
        fine += query[j] * (float)residuals[j];
    }
    return coarse + fine * (1.0f / 254.0f);
}

#if VK_X86
__attribute__((target("avx2,fma")))
static float dot_two_level_avx2(const float *query, const int8_t *codes, const int8_t *residuals, size_t d) {
    __m256 coarse = _mm256_setzero_ps(), fine = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
        __m256 q = _mm256_loadu_ps(query + j);
        __m256 c = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(codes + j))));
        __m256 r = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(residuals + j))));
        coarse = _mm256_fmadd_ps(q, c, coarse);
        fine = _mm256_fmadd_ps(q, r, fine);
    }
    __m256 sum = _mm256_add_ps(coarse, _mm256_mul_ps(fine, _mm256_set1_ps(1.0f / 254.0f)));
    __m128 half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_shuffle_ps(half, half, 1));
    float total = _mm_cvtss_f32(half);
    if (j < d) total += dot_two_level_body(query + j, codes + j, residuals + j, d - j);
    return total;
}
#endif

float vk_dot_two_level(const float *query, const int8_t *codes, const int8_t *residuals, size_t d) {
#if VK_X86
    if (vk_has_avx2()) return dot_two_level_avx2(query, codes, residuals, d);
#endif
    return dot_two_level_body(query, codes, residuals, d);
}

void vk_rerank_two_level(const float *query, size_t d, size_t n, const int8_t *const *codes, const int8_t *const *residuals,
                         const float *scales, float *scores) {
    enum { ahead = 8 };
    for (size_t i = 0; i < n && i < ahead; i++) {
        for (size_t b = 0; b < d; b += 64) { __builtin_prefetch(codes[i] + b); __builtin_prefetch(residuals[i] + b); }
    }
    for (size_t i = 0; i < n; i++) {
        if (i + ahead < n) {
            for (size_t b = 0; b < d; b += 64) { __builtin_prefetch(codes[i + ahead] + b); __builtin_prefetch(residuals[i + ahead] + b); }
        }
        scores[i] = vk_dot_two_level(query, codes[i], residuals[i], d) * scales[i];
    }
}
