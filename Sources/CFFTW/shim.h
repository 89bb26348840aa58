#include <fftw3.h>
/* fftwf_version is an unsized extern array Swift cannot import; expose it as a function. */
static inline const char *cfftw_version(void) { return fftwf_version; }
