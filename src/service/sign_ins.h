// The open 9001 sign-ins, as the processor checks them on every call of a
// hospital (the envelope's sign_no). The store holds each sign-in
// (store::SignInRow); this remembers the open ones it has read, so a call
// costs no read for its sign_no. Bounded: beyond kRememberedMax it forgets
// them all and reads each again on its next use. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/status.h"
#include "store/store.h"

namespace xt::service {

class OpenSignIns {
 public:
  // `store` must outlive this.
  explicit OpenSignIns(store::Store* store) : store_(store) {}

  // Ok when sign_no is an open sign-in of the institution; otherwise
  // XT-AUTH-005 (none given, unknown, of another institution, or signed
  // out: errors.h), or the store's error.
  Status Check(const std::string& sign_no, const std::string& fixmedins_code);
  // A 9002 closed sign_no (after its commit).
  void Forget(const std::string& sign_no);

 private:
  static constexpr size_t kRememberedMax = 100000;
  store::Store* store_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> open_;  // sign_no -> fixmedins_code; guarded by mu_
};

}  // namespace xt::service
