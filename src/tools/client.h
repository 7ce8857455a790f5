// Builds request envelopes the way a hospital information system does, for
// the demo, the benchmark and the tests. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace xt::service {

class HospitalClient {
 public:
  // `fixmedins_code` and `mdtrtarea_admvs` identify the calling institution.
  HospitalClient(std::string fixmedins_code, std::string mdtrtarea_admvs, const Clock* clock)
      : code_(std::move(fixmedins_code)), area_(std::move(mdtrtarea_admvs)), clock_(clock) {}

  // A new msgid: institution code 12 + yyyyMMddHHmmss 14 + sequence 4. When
  // more than 10,000 are needed in one second, the time part runs ahead.
  std::string NextMsgid();

  // A request envelope around `input_json` (an object's JSON text).
  std::string Envelope(std::string_view infno, std::string_view input_json, std::string_view insuplc_admdvs,
                       const std::string& msgid);
  std::string Envelope(std::string_view infno, std::string_view input_json, std::string_view insuplc_admdvs) {
    return Envelope(infno, input_json, insuplc_admdvs, NextMsgid());
  }

  // The sign_no of a 9001 sign-in, quoted by every later envelope. Set it
  // before the client is shared between threads.
  void set_sign_no(std::string sign_no) { sign_no_ = std::move(sign_no); }
  const std::string& sign_no() const { return sign_no_; }

  const std::string& fixmedins_code() const { return code_; }
  const std::string& mdtrtarea_admvs() const { return area_; }

 private:
  std::string code_;
  std::string area_;
  std::string sign_no_;
  const Clock* clock_;
};

}  // namespace xt::service
