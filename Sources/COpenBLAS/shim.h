#include <cblas.h>
#include <stddef.h>

/* LAPACK's symmetric eigensolver (MRRR), which libopenblas exports but declares in no header it
   installs. Fortran calling convention: every argument by reference, the three CHARACTER
   arguments' lengths appended at the end (gfortran's hidden size_t lengths). */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_len, size_t range_len, size_t uplo_len);
