#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Kernels of VisageGallery's fast-scan pass (docs/gallery.md, "Fast scan"): 4-bit product-
/// quantisation codes scored through a per-query table of uint8 partial scores.
///
/// Code layout, per block of 32 rows and `m` sub-quantisers (m even, at most 128): 16 × m
/// bytes; for sub-quantiser s, the 16 bytes at `16 × s` hold row i's code (0–15) in the low
/// nibble of byte i and row i + 16's in its high nibble. The table holds 16 uint8 entries per
/// sub-quantiser, `16 × s + code`. A row's score is the sum over s of its table entries, in
/// 16 bits (at most 128 × 255, so no saturation): both kernels give identical integers.

/// Non-zero when this CPU runs the AVX2 kernel.
int vk_has_avx2(void);
/// Non-zero when this CPU runs the AVX-512BW kernel (`vk_fastscan_filter` picks it when `m` is a
/// multiple of 4, else AVX2, else scalar).
int vk_has_avx512bw(void);

/// Scores the first `rows` rows of the blocks at `codes` and writes, in row order, the
/// position and score of each row scoring above `threshold` (-1 keeps every row). Returns
/// how many it wrote (at most `rows`). AVX-512BW or AVX2 when the CPU has it, else scalar.
size_t vk_fastscan_filter(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                          uint32_t *positions, uint16_t *scores);
/// The AVX2 kernel whatever the CPU also has (scalar without AVX2), for tests; same results.
size_t vk_fastscan_filter_avx2(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                               uint32_t *positions, uint16_t *scores);
/// The portable kernel, for tests and CPUs without AVX2; same results.
size_t vk_fastscan_filter_scalar(const uint8_t *codes, size_t rows, size_t m, const uint8_t *table, int32_t threshold,
                                 uint32_t *positions, uint16_t *scores);

/// Product-quantisation codes of `n` rows of `d` floats: sub-space s covers dimensions
/// [s·d/m, (s+1)·d/m); its 16 centroids are stored transposed at `codebooks + 16 × (s·d/m)`
/// (for each dimension j of the sub-space, 16 floats: centroid c's value at j). Writes the
/// nearest (L2) centroid of each sub-vector to `codes[row × m + s]`.
void vk_pq_encode(const float *rows, size_t n, size_t d, size_t m, const float *codebooks, uint8_t *codes);

/// Σ query[j] × (codes[j] + residuals[j] / 254), the re-rank of the two-level int8 codes
/// (multiply by the row's scale for the score).
float vk_dot_two_level(const float *query, const int8_t *codes, const int8_t *residuals, size_t d);

/// ``vk_dot_two_level`` × scale for `n` rows given by pointers (candidates scattered over the
/// lists), with the rows a few ahead prefetched so that their cache misses overlap.
void vk_rerank_two_level(const float *query, size_t d, size_t n, const int8_t *const *codes, const int8_t *const *residuals,
                         const float *scales, float *scores);

#endif
