/* The OpenBLAS routines Percept calls, declared as OpenBLAS's cblas.h declares them (LP64:
   blasint is int), and loaded from libopenblas.so.0 on first use (lazy.c). OpenBLAS starts its
   thread pool and maps its buffers when it is loaded; most percept commands never multiply a
   matrix, so they no longer pay that at start-up. Declared here rather than through <cblas.h>,
   which another BLAS may own on a machine with several. */
#ifndef PERCEPT_COPENBLAS_H
#define PERCEPT_COPENBLAS_H

#include <stddef.h>

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113, CblasConjNoTrans = 114 };

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const float alpha, const float *a, const int lda,
                 const float *b, const int ldb, const float beta, float *c, const int ldc);
void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const double alpha, const double *a, const int lda,
                 const double *b, const int ldb, const double beta, double *c, const int ldc);
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);

/* LAPACK's symmetric eigensolver (MRRR), which libopenblas exports but declares in no header it
   installs. Fortran calling convention: every argument by reference, the three CHARACTER
   arguments' lengths appended at the end (gfortran's hidden size_t lengths). */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_len, size_t range_len, size_t uplo_len);

#endif
