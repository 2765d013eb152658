#ifndef CVECTORKERNELS_H
#define CVECTORKERNELS_H

/// Distance kernels for Float32 vectors, dispatched at run time to the best
/// instruction set the CPU has (AVX-512 or AVX2+FMA on x86-64, NEON on arm64,
/// portable C elsewhere). Any dimension works: tails that are not a multiple
/// of the vector width are handled.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A kernel comparing two vectors of `count` floats.
typedef float (*vk_pair_kernel)(const float *a, const float *b, size_t count);

/// The instruction set the dispatched kernels use: 0 portable, 1 AVX2+FMA, 2 AVX-512, 3 NEON.
int vk_active_isa(void);

/// Restricts dispatch to at most the given instruction set (0 forces the portable kernels),
/// for tests and benchmarks; returns the instruction set now active.
int vk_limit_isa(int max_isa);

/// The sum of squared differences between `a` and `b`.
float vk_l2_squared(const float *a, const float *b, size_t count);

/// The inner (dot) product of `a` and `b`.
float vk_inner_product(const float *a, const float *b, size_t count);

/// One minus the cosine similarity of `a` and `b`; 1 when either has zero length.
float vk_cosine_distance(const float *a, const float *b, size_t count);

/// The squared L2 norm of `a`.
float vk_squared_norm(const float *a, size_t count);

/// The dispatched squared-L2 kernel, for callers that keep the pointer in a hot loop.
vk_pair_kernel vk_l2_squared_kernel(void);

/// The dispatched inner-product kernel, for callers that keep the pointer in a hot loop.
vk_pair_kernel vk_inner_product_kernel(void);

/// Squared L2 distances from `query` to `rows` rows of `count` floats, `stride` floats apart; writes `rows` results.
void vk_l2_squared_batch(const float *query, const float *base, size_t rows, size_t count, size_t stride, float *out);

/// Inner products of `query` with `rows` rows of `count` floats, `stride` floats apart; writes `rows` results.
void vk_inner_product_batch(const float *query, const float *base, size_t rows, size_t count, size_t stride, float *out);

/// Hints the CPU to bring the cache line at `address` into cache (inlined into callers).
static inline void vk_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#ifdef __cplusplus
}
#endif

#endif
