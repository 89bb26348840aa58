/* CMPI.h's operations, forwarded to Open MPI's libmpi.so.40 through dlopen. RTLD_GLOBAL: Open
   MPI's plug-ins (its MCA components) resolve their symbols from the library. Only Open MPI's
   ABI is spoken here, as Package.swift only builds this target where Open MPI is installed:
   handles are pointers to its predefined objects, MPI_IN_PLACE is (void *)1 and
   MPI_THREAD_FUNNELED is 1 (mpi.h of Open MPI 4 and 5). */
#include "CMPI.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef void *handle;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *lib;
static char failure[512];

static handle comm_world, op_sum, type_float, type_double, errors_return;
static int (*get_library_version)(char *, int *);
static int (*init_thread)(int *, char ***, int, int *);
static int (*comm_set_errhandler)(handle, handle);
static int (*comm_rank)(handle, int *);
static int (*comm_size)(handle, int *);
static int (*finalize)(void);
static int (*allreduce)(const void *, void *, int, handle, handle, handle);
static int (*bcast)(void *, int, handle, int, handle);
static int (*barrier)(handle);
static int (*mpi_abort)(handle, int);
static int (*error_string)(int, char *, int *);

static int find(void **slot, const char *name) {
    *slot = dlsym(lib, name);
    if (*slot) return 1;
    snprintf(failure, sizeof failure, "libmpi.so.40 has no %s: not Open MPI 4 or 5", name);
    return 0;
}

static void load(void) {
    lib = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(failure, sizeof failure, "cannot load Open MPI (%s)", dlerror());
        return;
    }
    int ok = find(&comm_world, "ompi_mpi_comm_world") && find(&op_sum, "ompi_mpi_op_sum")
        && find(&type_float, "ompi_mpi_float") && find(&type_double, "ompi_mpi_double")
        && find(&errors_return, "ompi_mpi_errors_return")
        && find((void **)&get_library_version, "MPI_Get_library_version") && find((void **)&init_thread, "MPI_Init_thread")
        && find((void **)&comm_set_errhandler, "MPI_Comm_set_errhandler") && find((void **)&comm_rank, "MPI_Comm_rank")
        && find((void **)&comm_size, "MPI_Comm_size") && find((void **)&finalize, "MPI_Finalize")
        && find((void **)&allreduce, "MPI_Allreduce") && find((void **)&bcast, "MPI_Bcast")
        && find((void **)&barrier, "MPI_Barrier") && find((void **)&mpi_abort, "MPI_Abort")
        && find((void **)&error_string, "MPI_Error_string");
    if (!ok) lib = NULL;
}

int cmpi_load(char *why, size_t why_size) {
    pthread_once(&once, load);
    if (lib) return 0;
    if (why && why_size) snprintf(why, why_size, "%s", failure);
    return -1;
}

/* Every operation below is called only after cmpi_load succeeded (MPIWorld checks). */
int cmpi_get_library_version(char *version, int *length) { return get_library_version(version, length); }
int cmpi_init_thread_funneled(int *provided) { return init_thread(NULL, NULL, 1, provided); }
int cmpi_return_errors(void) { return comm_set_errhandler(comm_world, errors_return); }
int cmpi_comm_rank(int *rank) { return comm_rank(comm_world, rank); }
int cmpi_comm_size(int *size) { return comm_size(comm_world, size); }
int cmpi_finalize(void) { return finalize(); }
int cmpi_allreduce_sum_float(float *buffer, int count) { return allreduce((void *)1, buffer, count, type_float, op_sum, comm_world); }
int cmpi_allreduce_sum_double(double *buffer, int count) { return allreduce((void *)1, buffer, count, type_double, op_sum, comm_world); }
int cmpi_bcast_float(float *buffer, int count, int root) { return bcast(buffer, count, type_float, root, comm_world); }
int cmpi_barrier(void) { return barrier(comm_world); }
int cmpi_abort(int code) { return mpi_abort(comm_world, code); }
int cmpi_error_string(int code, char *text, int *length) { return error_string(code, text, length); }
