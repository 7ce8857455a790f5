// Invariant failure: print and abort (never continue after money went wrong).
#include "core/status.h"

#include <cstdio>
#include <cstdlib>

namespace xt {

void InvariantFailed(const char* expr, const char* file, int line, const std::string& why) {
  std::fprintf(stderr, "xietong: invariant failed at %s:%d: %s: %s\n", file, line, expr, why.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace xt
