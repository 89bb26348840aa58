// AVX-512 micro-kernel for the recurrent layers' GEMMs, compiled for AVX-512 per function so the
// package itself can stay at x86-64-v3; callers check pnn_has_avx512() first.
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
// Copies / adds one run of n floats with 16-wide masked moves (runs are short: one output row).
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
void pnn_im2col_s1(const float *xp, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *col, long ld) {
    for (long ky = 0; ky < kh; ky++)
        for (long kx = 0; kx < kw; kx++)
            for (long c = 0; c < C; c++) {
                float *row = col + ((c * kh + ky) * kw + kx) * ld;
                const float *src = xp + (c * hp + ky * dh) * wp + kx * dw;
                for (long oy = 0; oy < ho; oy++) copy_run(row + oy * wo, src + oy * wp, wo);
            }
}

__attribute__((target("avx512f")))
void pnn_col2im_s1(const float *col, long ld, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *dxp) {
    for (long ky = 0; ky < kh; ky++)
        for (long kx = 0; kx < kw; kx++)
            for (long c = 0; c < C; c++) {
                const float *row = col + ((c * kh + ky) * kw + kx) * ld;
                float *dst = dxp + (c * hp + ky * dh) * wp + kx * dw;
                for (long oy = 0; oy < ho; oy++) add_run(dst + oy * wp, row + oy * wo, wo);
            }
}
#else
int pnn_has_avx512(void) { return 0; }
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
#endif
