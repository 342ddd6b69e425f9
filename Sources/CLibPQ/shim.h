#ifndef PYBAK_CLIBPQ_SHIM_H
#define PYBAK_CLIBPQ_SHIM_H
/* libpq's functions are plain C and callable from Swift as they are. */
#include <libpq-fe.h>
#endif
