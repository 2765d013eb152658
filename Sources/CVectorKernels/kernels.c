// Distance kernels with run-time dispatch. Each SIMD variant is compiled with a
// per-function target attribute, so the package needs no compiler flags and
// still runs on CPUs without those instructions: the dispatcher checks the CPU
// once and picks the widest variant it supports.

#include "CVectorKernels.h"

#include <math.h>
#include <stdatomic.h>

#if defined(__x86_64__) || defined(_M_X64)
#define VK_X86 1
#include <immintrin.h>
#elif defined(__aarch64__) || defined(_M_ARM64)
#define VK_ARM64 1
#include <arm_neon.h>
#endif

enum { VK_PORTABLE = 0, VK_AVX2 = 1, VK_AVX512 = 2, VK_NEON = 3 };

// MARK: - Portable

static float l2_portable(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; i < n; i++) { float d = a[i] - b[i]; s0 += d * d; }
    return (s0 + s1) + (s2 + s3);
}

static float dot_portable(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

// MARK: - x86-64

#ifdef VK_X86

__attribute__((target("avx2,fma")))
static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    __m128 s = _mm_add_ps(lo, hi);
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
static float l2_avx2(const float *a, const float *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    if (i + 8 <= n) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        acc0 = _mm256_fmadd_ps(d, d, acc0);
        i += 8;
    }
    float sum = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) { float d = a[i] - b[i]; sum += d * d; }
    return sum;
}

__attribute__((target("avx2,fma")))
static float dot_avx2(const float *a, const float *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    if (i + 8 <= n) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        i += 8;
    }
    float sum = hsum256(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

__attribute__((target("avx512f")))
static float l2_avx512(const float *a, const float *b, size_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        acc0 = _mm512_fmadd_ps(d0, d0, acc0);
        acc1 = _mm512_fmadd_ps(d1, d1, acc1);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        acc0 = _mm512_fmadd_ps(d, d, acc0);
    }
    if (i < n) {
        // A masked load reads only the tail's lanes, so no scalar loop and no over-read.
        __mmask16 mask = (__mmask16)((1u << (n - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i));
        acc1 = _mm512_fmadd_ps(d, d, acc1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

__attribute__((target("avx512f")))
static float dot_avx512(const float *a, const float *b, size_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
    }
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    }
    if (i < n) {
        __mmask16 mask = (__mmask16)((1u << (n - i)) - 1u);
        acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, a + i), _mm512_maskz_loadu_ps(mask, b + i), acc1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

static int detect_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return VK_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VK_AVX2;
    return VK_PORTABLE;
}

#endif  // VK_X86

// MARK: - arm64

#ifdef VK_ARM64

static float l2_neon(const float *a, const float *b, size_t n) {
    float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0), acc2 = vdupq_n_f32(0), acc3 = vdupq_n_f32(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t d0 = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
        float32x4_t d1 = vsubq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        float32x4_t d2 = vsubq_f32(vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        float32x4_t d3 = vsubq_f32(vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
        acc0 = vfmaq_f32(acc0, d0, d0); acc1 = vfmaq_f32(acc1, d1, d1);
        acc2 = vfmaq_f32(acc2, d2, d2); acc3 = vfmaq_f32(acc3, d3, d3);
    }
    for (; i + 4 <= n; i += 4) {
        float32x4_t d = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
        acc0 = vfmaq_f32(acc0, d, d);
    }
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    for (; i < n; i++) { float d = a[i] - b[i]; sum += d * d; }
    return sum;
}

static float dot_neon(const float *a, const float *b, size_t n) {
    float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0), acc2 = vdupq_n_f32(0), acc3 = vdupq_n_f32(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = vfmaq_f32(acc0, vld1q_f32(a + i), vld1q_f32(b + i));
        acc1 = vfmaq_f32(acc1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        acc2 = vfmaq_f32(acc2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        acc3 = vfmaq_f32(acc3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4) acc0 = vfmaq_f32(acc0, vld1q_f32(a + i), vld1q_f32(b + i));
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

static int detect_isa(void) { return VK_NEON; }

#endif  // VK_ARM64

#if !defined(VK_X86) && !defined(VK_ARM64)
static int detect_isa(void) { return VK_PORTABLE; }
#endif

// MARK: - Dispatch

// -1 until the first call detects the CPU; the race between first callers is benign
// (they store the same value) and the atomic makes it well defined.
static _Atomic int detected_isa = -1;
static _Atomic int isa_limit = 3;

static int current_isa(void) {
    int isa = atomic_load_explicit(&detected_isa, memory_order_relaxed);
    if (isa < 0) {
        isa = detect_isa();
        atomic_store_explicit(&detected_isa, isa, memory_order_relaxed);
    }
    int limit = atomic_load_explicit(&isa_limit, memory_order_relaxed);
    if (isa == VK_NEON) return limit >= VK_NEON ? VK_NEON : VK_PORTABLE;
    return isa <= limit ? isa : limit;
}

int vk_active_isa(void) { return current_isa(); }

int vk_limit_isa(int max_isa) {
    atomic_store_explicit(&isa_limit, max_isa < 0 ? 0 : max_isa, memory_order_relaxed);
    return current_isa();
}

vk_pair_kernel vk_l2_squared_kernel(void) {
    switch (current_isa()) {
#ifdef VK_X86
    case VK_AVX512: return l2_avx512;
    case VK_AVX2: return l2_avx2;
#endif
#ifdef VK_ARM64
    case VK_NEON: return l2_neon;
#endif
    default: return l2_portable;
    }
}

vk_pair_kernel vk_inner_product_kernel(void) {
    switch (current_isa()) {
#ifdef VK_X86
    case VK_AVX512: return dot_avx512;
    case VK_AVX2: return dot_avx2;
#endif
#ifdef VK_ARM64
    case VK_NEON: return dot_neon;
#endif
    default: return dot_portable;
    }
}

float vk_l2_squared(const float *a, const float *b, size_t count) {
    return vk_l2_squared_kernel()(a, b, count);
}

float vk_inner_product(const float *a, const float *b, size_t count) {
    return vk_inner_product_kernel()(a, b, count);
}

float vk_squared_norm(const float *a, size_t count) {
    return vk_inner_product_kernel()(a, a, count);
}

float vk_cosine_distance(const float *a, const float *b, size_t count) {
    vk_pair_kernel dot = vk_inner_product_kernel();
    float ab = dot(a, b, count), aa = dot(a, a, count), bb = dot(b, b, count);
    if (aa <= 0.0f || bb <= 0.0f) return 1.0f;
    return 1.0f - ab / (sqrtf(aa) * sqrtf(bb));
}

// Four cache lines start the row; beyond that the hardware prefetcher follows the stream.
static void prefetch_row(const float *row, size_t count) {
    size_t bytes = count * sizeof(float);
    size_t limit = bytes < 256 ? bytes : 256;
    for (size_t offset = 0; offset < limit; offset += 64) vk_prefetch((const char *)row + offset);
}

void vk_l2_squared_batch(const float *query, const float *base, size_t rows, size_t count, size_t stride, float *out) {
    vk_pair_kernel kernel = vk_l2_squared_kernel();
    for (size_t r = 0; r < rows; r++) {
        if (r + 2 < rows) prefetch_row(base + (r + 2) * stride, count);
        out[r] = kernel(query, base + r * stride, count);
    }
}

void vk_inner_product_batch(const float *query, const float *base, size_t rows, size_t count, size_t stride, float *out) {
    vk_pair_kernel kernel = vk_inner_product_kernel();
    for (size_t r = 0; r < rows; r++) {
        if (r + 2 < rows) prefetch_row(base + (r + 2) * stride, count);
        out[r] = kernel(query, base + r * stride, count);
    }
}

