#include "service/sign_ins.h"

#include <optional>

#include "service/errors.h"

namespace xt::service {

Status OpenSignIns::Check(const std::string& sign_no, const std::string& fixmedins_code) {
  if (sign_no.empty()) return err::SignInRequired();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(sign_no);
    if (it != open_.end()) return it->second == fixmedins_code ? Status::Ok() : err::SignInUnknown();
  }
  std::optional<store::SignInRow> row;
  XT_RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> Status {
    XT_ASSIGN_OR_RETURN(row, txn.access().FindSignIn(sign_no));
    return Status::Ok();
  }));
  if (!row || row->fixmedins_code != fixmedins_code) return err::SignInUnknown();
  if (row->sign_out_time != 0) return err::SignInClosed();
  std::lock_guard<std::mutex> lock(mu_);
  if (open_.size() >= kRememberedMax) open_.clear();
  open_[sign_no] = fixmedins_code;
  return Status::Ok();
}

void OpenSignIns::Forget(const std::string& sign_no) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(sign_no);
}

}  // namespace xt::service
