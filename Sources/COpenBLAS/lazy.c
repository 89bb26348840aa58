/* The routines of COpenBLAS.h, forwarded to libopenblas.so.0, which is opened (and so starts its
   threads) on the first call of any of them. pthread_once orders the loading before every use. */
#include "COpenBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void (*sgemm)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE, const int, const int,
                     const int, const float, const float *, const int, const float *, const int, const float, float *, const int);
static void (*dgemm)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE, const int, const int,
                     const int, const double, const double *, const int, const double *, const int, const double, double *, const int);
static void (*set_num_threads)(int);
static char *(*get_config)(void);
static void (*syevr)(const char *, const char *, const char *, const int *, double *, const int *, const double *,
                     const double *, const int *, const int *, const double *, int *, double *, double *, const int *,
                     int *, double *, const int *, int *, const int *, int *, size_t, size_t, size_t);

/* A missing library is an installation problem no caller can recover from: one line, exit 1. */
static void *symbol(void *lib, const char *name) {
    void *f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "percept: error: libopenblas.so.0 has no %s (%s)\n", name, dlerror());
        exit(1);
    }
    return f;
}

static void load(void) {
    void *lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "percept: error: cannot load OpenBLAS (%s); install it (Debian: apt-get install libopenblas0)\n", dlerror());
        exit(1);
    }
    *(void **)&sgemm = symbol(lib, "cblas_sgemm");
    *(void **)&dgemm = symbol(lib, "cblas_dgemm");
    *(void **)&set_num_threads = symbol(lib, "openblas_set_num_threads");
    *(void **)&get_config = symbol(lib, "openblas_get_config");
    *(void **)&syevr = symbol(lib, "dsyevr_");
    /* One thread: Percept parallelises over samples itself. The pthreads build started its workers
       when it loaded, and each spins on sched_yield for about 0.1 s before sleeping: joining them
       is what OpenBLAS itself does before a fork, and it restarts them on demand. */
    set_num_threads(1);
    int (*shutdown)(void);
    *(void **)&shutdown = dlsym(lib, "blas_thread_shutdown_");
    if (shutdown) shutdown();
}

void cblas_sgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const float alpha, const float *a, const int lda,
                 const float *b, const int ldb, const float beta, float *c, const int ldc) {
    pthread_once(&once, load);
    sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE transA, const enum CBLAS_TRANSPOSE transB,
                 const int m, const int n, const int k, const double alpha, const double *a, const int lda,
                 const double *b, const int ldb, const double beta, double *c, const int ldc) {
    pthread_once(&once, load);
    dgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void openblas_set_num_threads(int num_threads) {
    pthread_once(&once, load);
    set_num_threads(num_threads);
}

char *openblas_get_config(void) {
    pthread_once(&once, load);
    return get_config();
}

void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_len, size_t range_len, size_t uplo_len) {
    pthread_once(&once, load);
    syevr(jobz, range, uplo, n, a, lda, vl, vu, il, iu, abstol, m, w, z, ldz, isuppz, work, lwork, iwork, liwork, info,
          jobz_len, range_len, uplo_len);
}
