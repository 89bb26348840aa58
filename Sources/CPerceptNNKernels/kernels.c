// GEMM micro-kernels and im2col/col2im row copies for the conv, dense and recurrent layers, in
// AVX-512 and in AVX2 + FMA, compiled per function for their ISA so the package itself can stay at
// x86-64-v3; callers check pnn_has_avx512() / pnn_has_avx2fma() first. Both GEMMs compute every
// element as the same k-ordered chain of FMAs, so their results are identical bit for bit.
#include "PerceptNNKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int pnn_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

// Rows of B per pass: a 256 × 32 panel of B (32 KiB) stays in L1/L2 while every row tile uses it.
enum { KBLOCK = 256 };

// R rows × 32 columns over p in [k0, k1): 2R accumulators. R is a constant at each call, so the
// loops unroll and the accumulators live in registers; every element is the same FMA chain for any R.
__attribute__((target("avx512f"), always_inline))
static inline void tile(int R, long k0, long k1, const float *a, long sa, long sk,
                        const float *panel, long ldb, float *c, long ldc, int load) {
    __m512 acc[8][2];
    for (int r = 0; r < R; r++) {
        if (load) {
            acc[r][0] = _mm512_loadu_ps(c + r * ldc);
            acc[r][1] = _mm512_loadu_ps(c + r * ldc + 16);
        } else {
            acc[r][0] = _mm512_setzero_ps();
            acc[r][1] = _mm512_setzero_ps();
        }
    }
    for (long p = k0; p < k1; p++) {
        const float *bp = panel + p * ldb, *ap = a + p * sk;
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16);
        for (int r = 0; r < R; r++) {
            __m512 x = _mm512_set1_ps(ap[r * sa]);
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < R; r++) {
        _mm512_storeu_ps(c + r * ldc, acc[r][0]);
        _mm512_storeu_ps(c + r * ldc + 16, acc[r][1]);
    }
}

__attribute__((target("avx512f")))
void pnn_gemm32(long m, long n, long k, const float *a, long sa, long sk,
                const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate) {
    for (long k0 = 0; k0 < k; k0 += KBLOCK) {
        long k1 = k0 + KBLOCK < k ? k0 + KBLOCK : k;
        int load = accumulate || k0 > 0;
        for (long jb = 0; jb < n / 32; jb++) {
            const float *panel = b + jb * bpanel;
            float *cc = c + jb * 32;
            long i = 0;
            // 8-row tiles, then 4, 2, 1 for the rest (a lone row would be bound by FMA latency).
            for (; i + 8 <= m; i += 8) tile(8, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load);
            if (i + 4 <= m) { tile(4, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load); i += 4; }
            if (i + 2 <= m) { tile(2, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load); i += 2; }
            if (i < m) tile(1, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load);
        }
    }
}

// e^x for 16 floats: the Cephes expf reduction and polynomial of Recurrent.swift's exp8, scaled by 2^n.
__attribute__((target("avx512f"), always_inline))
static inline __m512 exp16(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(y, n);
}

__attribute__((target("avx512f"), always_inline))
static inline __m512 sigmoid16(__m512 x) {
    __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp16(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

__attribute__((target("avx512f"), always_inline))
static inline __m512 tanh16(__m512 x) {   // 2σ(2x) − 1
    __m512 one = _mm512_set1_ps(1.0f);
    __m512 e = exp16(_mm512_mul_ps(x, _mm512_set1_ps(-2.0f)));
    return _mm512_sub_ps(_mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(one, e)), one);
}

__attribute__((target("avx512f")))
void pnn_lstm_cell(long n, float *gates, const float *bias, const float *cprev, float *c, float *tanhc, float *h) {
    for (long j = 0; j + 16 <= n; j += 16) {
        __m512 ig = sigmoid16(_mm512_add_ps(_mm512_loadu_ps(gates + j), _mm512_loadu_ps(bias + j)));
        __m512 fg = sigmoid16(_mm512_add_ps(_mm512_loadu_ps(gates + n + j), _mm512_loadu_ps(bias + n + j)));
        __m512 gg = tanh16(_mm512_add_ps(_mm512_loadu_ps(gates + 2 * n + j), _mm512_loadu_ps(bias + 2 * n + j)));
        __m512 og = sigmoid16(_mm512_add_ps(_mm512_loadu_ps(gates + 3 * n + j), _mm512_loadu_ps(bias + 3 * n + j)));
        __m512 cp = cprev ? _mm512_loadu_ps(cprev + j) : _mm512_setzero_ps();
        __m512 cv = _mm512_add_ps(_mm512_mul_ps(fg, cp), _mm512_mul_ps(ig, gg));
        __m512 tc = tanh16(cv);
        _mm512_storeu_ps(gates + j, ig); _mm512_storeu_ps(gates + n + j, fg);
        _mm512_storeu_ps(gates + 2 * n + j, gg); _mm512_storeu_ps(gates + 3 * n + j, og);
        _mm512_storeu_ps(c + j, cv); _mm512_storeu_ps(tanhc + j, tc); _mm512_storeu_ps(h + j, _mm512_mul_ps(og, tc));
    }
}
// im2col / col2im loop nests (the AVX2 pair; the AVX-512 pair below is the same nest).
#define PNN_IM2COL_PAIR(SUFFIX, TARGET, COPY, ADD)                                                     \
__attribute__((target(TARGET)))                                                                       \
void pnn_im2col_s1##SUFFIX(const float *xp, long C, long hp, long wp, long kh, long kw, long dh,     \
                           long dw, long ho, long wo, float *col, long ld) {                          \
    for (long ky = 0; ky < kh; ky++)                                                                  \
        for (long kx = 0; kx < kw; kx++)                                                              \
            for (long c = 0; c < C; c++) {                                                            \
                float *row = col + ((c * kh + ky) * kw + kx) * ld;                                     \
                const float *src = xp + (c * hp + ky * dh) * wp + kx * dw;                             \
                for (long oy = 0; oy < ho; oy++) COPY(row + oy * wo, src + oy * wp, wo);               \
            }                                                                                         \
}                                                                                                     \
__attribute__((target(TARGET)))                                                                       \
void pnn_col2im_s1##SUFFIX(const float *col, long ld, long C, long hp, long wp, long kh, long kw,    \
                           long dh, long dw, long ho, long wo, float *dxp) {                          \
    for (long ky = 0; ky < kh; ky++)                                                                  \
        for (long kx = 0; kx < kw; kx++)                                                              \
            for (long c = 0; c < C; c++) {                                                            \
                const float *row = col + ((c * kh + ky) * kw + kx) * ld;                               \
                float *dst = dxp + (c * hp + ky * dh) * wp + kx * dw;                                  \
                for (long oy = 0; oy < ho; oy++) ADD(dst + oy * wp, row + oy * wo, wo);                \
            }                                                                                         \
}

// The AVX-512 pair: the macro's loop nest, with cheaper rows where a row is one partial vector
// (wo < 16, as in LeNet's 14×14 layer) and the padded width wp ≥ 16 keeps a full 16-lane access
// inside the buffer: masked stores are slow on AMD cores, so those rows move 16 whole lanes. im2col:
// the surplus lanes land on columns the next rows of the same sample and row rewrite (the store ends
// inside this row's ho·wo span). col2im: the surplus lanes add +0 (zero-masked load of the column
// row) to the padded gradient, which leaves every value as it was (a sum started from +0 is never
// −0); the row below (oy + 1 < ho) keeps them inside the buffer.
__attribute__((target("avx512f"), always_inline))
static inline void copy_run(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, _mm512_loadu_ps(src + i));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
    }
}

__attribute__((target("avx512f"), always_inline))
static inline void add_run(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(dst + i, _mm512_add_ps(_mm512_loadu_ps(dst + i), _mm512_loadu_ps(src + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, dst + i), _mm512_maskz_loadu_ps(m, src + i)));
    }
}

__attribute__((target("avx512f")))
void pnn_im2col_s1(const float *xp, long C, long hp, long wp, long kh, long kw, long dh,
                   long dw, long ho, long wo, float *col, long ld) {
    int narrow = wo < 16 && wp >= 16;
    // Rows 0 ..< whole store 16 lanes: not the last row, and the store ends inside the ho·wo span.
    long whole = ho * wo >= 16 ? (ho * wo - 16) / wo + 1 : 0;
    if (whole > ho - 1) whole = ho - 1;
    __mmask16 m = (__mmask16)((1u << (wo < 16 ? wo : 0)) - 1u);
    for (long ky = 0; ky < kh; ky++)
        for (long kx = 0; kx < kw; kx++)
            for (long c = 0; c < C; c++) {
                float *row = col + ((c * kh + ky) * kw + kx) * ld;
                const float *src = xp + (c * hp + ky * dh) * wp + kx * dw;
                if (!narrow) {
                    for (long oy = 0; oy < ho; oy++) copy_run(row + oy * wo, src + oy * wp, wo);
                    continue;
                }
                long oy = 0;
                for (; oy < whole; oy++) _mm512_storeu_ps(row + oy * wo, _mm512_loadu_ps(src + oy * wp));
                for (; oy < ho; oy++) _mm512_mask_storeu_ps(row + oy * wo, m, _mm512_maskz_loadu_ps(m, src + oy * wp));
            }
}

__attribute__((target("avx512f")))
void pnn_col2im_s1(const float *col, long ld, long C, long hp, long wp, long kh, long kw,
                   long dh, long dw, long ho, long wo, float *dxp) {
    int narrow = wo < 16 && wp >= 16;
    __mmask16 m = (__mmask16)((1u << (wo < 16 ? wo : 0)) - 1u);
    for (long ky = 0; ky < kh; ky++)
        for (long kx = 0; kx < kw; kx++)
            for (long c = 0; c < C; c++) {
                const float *row = col + ((c * kh + ky) * kw + kx) * ld;
                float *dst = dxp + (c * hp + ky * dh) * wp + kx * dw;
                if (!narrow) {
                    for (long oy = 0; oy < ho; oy++) add_run(dst + oy * wp, row + oy * wo, wo);
                    continue;
                }
                long oy = 0;
                for (; oy + 1 < ho; oy++) {
                    float *d = dst + oy * wp;
                    _mm512_storeu_ps(d, _mm512_add_ps(_mm512_loadu_ps(d), _mm512_maskz_loadu_ps(m, row + oy * wo)));
                }
                float *d = dst + oy * wp;
                _mm512_mask_storeu_ps(d, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, d), _mm512_maskz_loadu_ps(m, row + oy * wo)));
            }
}

// Adam's element update, the operations of Adam.apply (Optimizer.swift) in the same order and
// unfused (IEEE mul, add, div and sqrt are exact per lane), so the bits equal the portable loop:
// m += c1·(g − m); v = b2·v + (c2·g)·g; w −= (ss·m) / (√v·inv + eps).
__attribute__((target("avx512f")))
void pnn_adam(long n, float *w, const float *g, float *m, float *v,
              float c1, float b2, float c2, float ss, float inv, float eps) {
    __m512 C1 = _mm512_set1_ps(c1), B2 = _mm512_set1_ps(b2), C2 = _mm512_set1_ps(c2);
    __m512 SS = _mm512_set1_ps(ss), INV = _mm512_set1_ps(inv), E = _mm512_set1_ps(eps);
    for (long i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 gi = _mm512_maskz_loadu_ps(k, g + i), mi = _mm512_maskz_loadu_ps(k, m + i);
        __m512 vi = _mm512_maskz_loadu_ps(k, v + i), wi = _mm512_maskz_loadu_ps(k, w + i);
        mi = _mm512_add_ps(mi, _mm512_mul_ps(C1, _mm512_sub_ps(gi, mi)));
        vi = _mm512_add_ps(_mm512_mul_ps(B2, vi), _mm512_mul_ps(_mm512_mul_ps(C2, gi), gi));
        __m512 den = _mm512_add_ps(_mm512_mul_ps(_mm512_sqrt_ps(vi), INV), E);
        wi = _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(SS, mi), den));
        _mm512_mask_storeu_ps(m + i, k, mi);
        _mm512_mask_storeu_ps(v + i, k, vi);
        _mm512_mask_storeu_ps(w + i, k, wi);
    }
}

int pnn_has_avx2fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
}

// R rows × 16 columns (one half of a 32-column panel) over p in [k0, k1): 2R accumulators of 8
// lanes, R ≤ 6 so accumulators, two B vectors and the broadcast fit the 16 ymm registers.
__attribute__((target("avx2,fma"), always_inline))
static inline void tile_avx2(int R, long k0, long k1, const float *a, long sa, long sk,
                             const float *panel, long ldb, float *c, long ldc, int load) {
    __m256 acc[6][2];
    for (int r = 0; r < R; r++) {
        if (load) {
            acc[r][0] = _mm256_loadu_ps(c + r * ldc);
            acc[r][1] = _mm256_loadu_ps(c + r * ldc + 8);
        } else {
            acc[r][0] = _mm256_setzero_ps();
            acc[r][1] = _mm256_setzero_ps();
        }
    }
    for (long p = k0; p < k1; p++) {
        const float *bp = panel + p * ldb, *ap = a + p * sk;
        __m256 b0 = _mm256_loadu_ps(bp), b1 = _mm256_loadu_ps(bp + 8);
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_broadcast_ss(ap + r * sa);
            acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < R; r++) {
        _mm256_storeu_ps(c + r * ldc, acc[r][0]);
        _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
    }
}

__attribute__((target("avx2,fma")))
void pnn_gemm32_avx2(long m, long n, long k, const float *a, long sa, long sk,
                     const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate) {
    for (long k0 = 0; k0 < k; k0 += KBLOCK) {
        long k1 = k0 + KBLOCK < k ? k0 + KBLOCK : k;
        int load = accumulate || k0 > 0;
        for (long jb = 0; jb < n / 32; jb++) {
            for (long half = 0; half < 2; half++) {
                const float *panel = b + jb * bpanel + half * 16;
                float *cc = c + jb * 32 + half * 16;
                long i = 0;
                for (; i + 6 <= m; i += 6) tile_avx2(6, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load);
                if (i + 4 <= m) { tile_avx2(4, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load); i += 4; }
                if (i + 2 <= m) { tile_avx2(2, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load); i += 2; }
                if (i < m) tile_avx2(1, k0, k1, a + i * sa, sa, sk, panel, ldb, cc + i * ldc, ldc, load);
            }
        }
    }
}

// The AVX2 row copies: 8 lanes, and a masked tail (maskload/maskstore) instead of AVX-512 masks.
__attribute__((target("avx2"), always_inline))
static inline __m256i tail_mask8(long left) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2"), always_inline))
static inline void copy_run_avx2(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
    if (i < n) {
        __m256i m = tail_mask8(n - i);
        _mm256_maskstore_ps(dst + i, m, _mm256_maskload_ps(src + i, m));
    }
}

__attribute__((target("avx2"), always_inline))
static inline void add_run_avx2(float *dst, const float *src, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
    if (i < n) {
        __m256i m = tail_mask8(n - i);
        _mm256_maskstore_ps(dst + i, m, _mm256_add_ps(_mm256_maskload_ps(dst + i, m), _mm256_maskload_ps(src + i, m)));
    }
}

PNN_IM2COL_PAIR(_avx2, "avx2", copy_run_avx2, add_run_avx2)

// pnn_adam in AVX2 (the same operations, so the same bits); a scalar tail of the same operations.
__attribute__((target("avx2")))
void pnn_adam_avx2(long n, float *w, const float *g, float *m, float *v,
                   float c1, float b2, float c2, float ss, float inv, float eps) {
    __m256 C1 = _mm256_set1_ps(c1), B2 = _mm256_set1_ps(b2), C2 = _mm256_set1_ps(c2);
    __m256 SS = _mm256_set1_ps(ss), INV = _mm256_set1_ps(inv), E = _mm256_set1_ps(eps);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), mi = _mm256_loadu_ps(m + i), vi = _mm256_loadu_ps(v + i), wi = _mm256_loadu_ps(w + i);
        mi = _mm256_add_ps(mi, _mm256_mul_ps(C1, _mm256_sub_ps(gi, mi)));
        vi = _mm256_add_ps(_mm256_mul_ps(B2, vi), _mm256_mul_ps(_mm256_mul_ps(C2, gi), gi));
        __m256 den = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), INV), E);
        wi = _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(SS, mi), den));
        _mm256_storeu_ps(m + i, mi); _mm256_storeu_ps(v + i, vi); _mm256_storeu_ps(w + i, wi);
    }
    for (; i < n; i++) {
        __m128 gi = _mm_set_ss(g[i]), mi = _mm_set_ss(m[i]), vi = _mm_set_ss(v[i]), wi = _mm_set_ss(w[i]);
        mi = _mm_add_ss(mi, _mm_mul_ss(_mm_set_ss(c1), _mm_sub_ss(gi, mi)));
        vi = _mm_add_ss(_mm_mul_ss(_mm_set_ss(b2), vi), _mm_mul_ss(_mm_mul_ss(_mm_set_ss(c2), gi), gi));
        __m128 den = _mm_add_ss(_mm_mul_ss(_mm_sqrt_ss(vi), _mm_set_ss(inv)), _mm_set_ss(eps));
        wi = _mm_sub_ss(wi, _mm_div_ss(_mm_mul_ss(_mm_set_ss(ss), mi), den));
        m[i] = _mm_cvtss_f32(mi); v[i] = _mm_cvtss_f32(vi); w[i] = _mm_cvtss_f32(wi);
    }
}
#else
int pnn_has_avx512(void) { return 0; }
int pnn_has_avx2fma(void) { return 0; }
void pnn_gemm32_avx2(long m, long n, long k, const float *a, long sa, long sk,
                     const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate) {
    (void)m; (void)n; (void)k; (void)a; (void)sa; (void)sk; (void)b; (void)bpanel; (void)ldb; (void)c; (void)ldc; (void)accumulate;
}
void pnn_im2col_s1_avx2(const float *xp, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                        long ho, long wo, float *col, long ld) {
    (void)xp; (void)C; (void)hp; (void)wp; (void)kh; (void)kw; (void)dh; (void)dw; (void)ho; (void)wo; (void)col; (void)ld;
}
void pnn_col2im_s1_avx2(const float *col, long ld, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                        long ho, long wo, float *dxp) {
    (void)col; (void)ld; (void)C; (void)hp; (void)wp; (void)kh; (void)kw; (void)dh; (void)dw; (void)ho; (void)wo; (void)dxp;
}
void pnn_im2col_s1(const float *xp, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *col, long ld) {
    (void)xp; (void)C; (void)hp; (void)wp; (void)kh; (void)kw; (void)dh; (void)dw; (void)ho; (void)wo; (void)col; (void)ld;
}
void pnn_col2im_s1(const float *col, long ld, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *dxp) {
    (void)col; (void)ld; (void)C; (void)hp; (void)wp; (void)kh; (void)kw; (void)dh; (void)dw; (void)ho; (void)wo; (void)dxp;
}
void pnn_gemm32(long m, long n, long k, const float *a, long sa, long sk,
                const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate) {
    (void)m; (void)n; (void)k; (void)a; (void)sa; (void)sk; (void)b; (void)bpanel; (void)ldb; (void)c; (void)ldc; (void)accumulate;
}
void pnn_lstm_cell(long n, float *gates, const float *bias, const float *cprev, float *c, float *tanhc, float *h) {
    (void)n; (void)gates; (void)bias; (void)cprev; (void)c; (void)tanhc; (void)h;
}
void pnn_adam(long n, float *w, const float *g, float *m, float *v,
              float c1, float b2, float c2, float ss, float inv, float eps) {
    (void)n; (void)w; (void)g; (void)m; (void)v; (void)c1; (void)b2; (void)c2; (void)ss; (void)inv; (void)eps;
}
void pnn_adam_avx2(long n, float *w, const float *g, float *m, float *v,
                   float c1, float b2, float c2, float ss, float inv, float eps) {
    (void)n; (void)w; (void)g; (void)m; (void)v; (void)c1; (void)b2; (void)c2; (void)ss; (void)inv; (void)eps;
}
#endif
