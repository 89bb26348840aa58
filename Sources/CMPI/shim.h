#include <mpi.h>
/* MPI_COMM_WORLD, MPI_SUM, MPI_FLOAT, MPI_DOUBLE and MPI_IN_PLACE are macros (in Open MPI, casts of
   the addresses of global objects), which Swift cannot import: these functions hand them over. */
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
/* Errors come back as codes (so Percept can say which operation failed) instead of aborting. */
static inline int cmpi_return_errors(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
