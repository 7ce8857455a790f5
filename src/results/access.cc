// The privacy rule (see access.h).
#include "results/access.h"

#include "results/errors.h"

namespace xt::results {

Status MayView(std::string_view viewer, std::string_view psn_no, std::span<const Visit> visits, LocalSeconds at) {
  if (viewer.empty() || psn_no.empty()) return err::AccessDenied();
  for (const Visit& v : visits) {
    if (v.fixmedins_code == viewer && v.psn_no == psn_no && v.OpenAt(at)) return Status::Ok();
  }
  return err::AccessDenied();
}

}  // namespace xt::results
