#ifndef TOKENLEDGER_CHIREDIS_SHIM_H
#define TOKENLEDGER_CHIREDIS_SHIM_H

// The blocking hiredis API (Debian's libhiredis-dev 0.14 and later). Swift calls the
// argv forms (redisCommandArgv, redisAppendCommandArgv + redisGetReply): the variadic
// printf-style redisCommand cannot be imported and would mis-handle binary payloads.
#include <hiredis/hiredis.h>

#endif
