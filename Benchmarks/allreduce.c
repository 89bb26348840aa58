/* One in-place MPI_Allreduce (MPI_SUM, MPI_FLOAT) of N floats, as the data-parallel trainer does
   once per step, timed alone: every iteration starts after a barrier, so the time is the
   collective's own, not a rank waiting for a slower one. Prints one JSON line per size from rank 0:
   {"floats": N, "median_ms": M}. Built and run by Benchmarks/mpi_bench.py:
       mpicc -O2 Benchmarks/allreduce.c -o out/bench/allreduce && mpirun -np 2 out/bench/allreduce 1000 1000000 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    enum { ITERS = 50 };
    for (int a = 1; a < argc; a++) {
        long n = atol(argv[a]);
        float *x = calloc((size_t)n, sizeof(float));
        double t[ITERS];
        for (int i = 0; i < 5; i++) MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        for (int i = 0; i < ITERS; i++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            t[i] = MPI_Wtime() - t0;
        }
        qsort(t, ITERS, sizeof(double), compare);
        if (rank == 0) printf("{\"floats\": %ld, \"median_ms\": %.4f}\n", n, t[ITERS / 2] * 1e3);
        free(x);
    }
    MPI_Finalize();
    return 0;
}
