/* The MPI operations PerceptMPI uses, on Open MPI's libmpi.so.40, which is opened only when a
   launcher started percept (cmpi_load): loading Open MPI and the ten libraries it pulls in cost
   every command 1.5 ms of start-up when it was linked. Each function returns MPI's error code
   (CMPI_SUCCESS or another); the handles they need (MPI_COMM_WORLD, MPI_SUM, MPI_FLOAT...) are
   Open MPI's predefined objects, found by name in the library. */
#ifndef PERCEPT_CMPI_H
#define PERCEPT_CMPI_H

#include <stddef.h>

enum { CMPI_SUCCESS = 0, CMPI_MAX_STRING = 256 };

/* Opens the library (once); 0 when it is there, else -1 with the reason in `why`. */
int cmpi_load(char *why, size_t why_size);

int cmpi_get_library_version(char *version, int *length);
/* MPI_Init_thread with MPI_THREAD_FUNNELED: only the main thread calls MPI. */
int cmpi_init_thread_funneled(int *provided);
/* Errors come back as codes (so Percept can say which operation failed) instead of aborting. */
int cmpi_return_errors(void);
int cmpi_comm_rank(int *rank);
int cmpi_comm_size(int *size);
int cmpi_finalize(void);
/* In-place MPI_Allreduce with MPI_SUM over MPI_COMM_WORLD. */
int cmpi_allreduce_sum_float(float *buffer, int count);
int cmpi_allreduce_sum_double(double *buffer, int count);
int cmpi_bcast_float(float *buffer, int count, int root);
int cmpi_barrier(void);
int cmpi_abort(int code);
int cmpi_error_string(int code, char *text, int *length);

#endif
