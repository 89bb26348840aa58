#ifndef PERCEPT_NN_KERNELS_H
#define PERCEPT_NN_KERNELS_H

/// 1 when the CPU runs AVX-512F (then `pnn_gemm32` may be called), else 0.
int pnn_has_avx512(void);

/// C[m, n] = A·B, or C = C + A·B as one FMA chain starting from C when `accumulate` (n a multiple of 32).
/// A(i, p) = a[i*sa + p*sk]; B(p, j) for column j = 32·jb + q is b[jb*bpanel + p*ldb + q].
/// Each element is a k-ordered FMA chain, whatever m and the row split are.
void pnn_gemm32(long m, long n, long k, const float *a, long sa, long sk,
                const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate);

/// One LSTM step for one sample, AVX-512 (n, the hidden size, a multiple of 16): `gates` holds the
/// pre-activations i, f, g, o (`4n`, bias `bias` added here) and gets the activated gates; writes
/// c_t, tanh(c_t) and h_t. `cprev` is NULL at the first step (zero state).
void pnn_lstm_cell(long n, float *gates, const float *bias, const float *cprev, float *c, float *tanhc, float *h);

/// im2col for stride 1, AVX-512: `xp` is one sample zero-padded to `[C][hp][wp]`; writes row
/// (c, ky, kx) of `col` (leading dimension `ld`) as xp[c][oy + ky·dh][ox + kx·dw] for oy < ho, ox < wo.
void pnn_im2col_s1(const float *xp, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *col, long ld);

/// The adjoint of `pnn_im2col_s1`: adds the `col` rows onto the padded gradient `dxp` (same loop
/// order ky, kx, c, oy as the portable path, so sums are formed in the same order).
void pnn_col2im_s1(const float *col, long ld, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                   long ho, long wo, float *dxp);

/// 1 when the CPU runs AVX2 and FMA (then the `_avx2` functions may be called), else 0.
int pnn_has_avx2fma(void);

/// `pnn_gemm32` in AVX2 + FMA (6 × 16 register tiles), same layout and the same bits.
void pnn_gemm32_avx2(long m, long n, long k, const float *a, long sa, long sk,
                     const float *b, long bpanel, long ldb, float *c, long ldc, int accumulate);

/// `pnn_im2col_s1` / `pnn_col2im_s1` in AVX2 (same loop order, so the same sums).
void pnn_im2col_s1_avx2(const float *xp, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                        long ho, long wo, float *col, long ld);
void pnn_col2im_s1_avx2(const float *col, long ld, long C, long hp, long wp, long kh, long kw, long dh, long dw,
                        long ho, long wo, float *dxp);

/// Adam's update of n elements of weights `w` from gradients `g`, moments `m`, `v` (AVX-512; `_avx2`
/// in AVX2): the operations of `Adam.apply` in its order, unfused, so the same bits.
/// c1 = 1 − β1, c2 = 1 − β2, ss the bias-corrected step, inv = 1 / √(1 − β2ᵗ).
void pnn_adam(long n, float *w, const float *g, float *m, float *v,
              float c1, float b2, float c2, float ss, float inv, float eps);
void pnn_adam_avx2(long n, float *w, const float *g, float *m, float *v,
                   float c1, float b2, float c2, float ss, float inv, float eps);

#endif
