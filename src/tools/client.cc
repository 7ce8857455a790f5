// Request envelopes as a hospital system sends them.
#include "tools/client.h"

#include <cstdio>
#include <map>
#include <mutex>

namespace xt::service {

std::string HospitalClient::NextMsgid() {
  // One sequence per institution in this process, whichever client asks, so
  // that clients of one institution never hand out the same msgid.
  struct Sequence {
    LocalSeconds second = 0;
    int seq = 0;
  };
  static std::mutex mu;
  static std::map<std::string, Sequence> sequences;
  LocalSeconds second;
  int seq;
  {
    std::lock_guard<std::mutex> lock(mu);
    Sequence& s = sequences[code_];
    const LocalSeconds now = clock_->NowLocal();
    if (now > s.second) {
      s.second = now;
      s.seq = 0;
    } else if (s.seq >= 9999) {
      ++s.second;  // more than 10,000 in one second: run ahead
      s.seq = 0;
    }
    second = s.second;
    seq = ++s.seq;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", seq % 10000);
  return code_ + FormatLocalCompact(second) + buf;
}

std::string HospitalClient::Envelope(std::string_view infno, std::string_view input_json,
                                     std::string_view insuplc_admdvs, const std::string& msgid) {
  std::string s;
  s.reserve(input_json.size() + 400);
  s += "{\"infno\":\"";
  s += infno;
  s += "\",\"msgid\":\"";
  s += msgid;
  s += "\",\"mdtrtarea_admvs\":\"";
  s += area_;
  s += "\",\"insuplc_admdvs\":\"";
  s += insuplc_admdvs;
  s += "\",\"recer_sys_code\":\"XIETONG\",\"dev_no\":\"\",\"dev_safe_info\":\"\",\"cainfo\":\"\",\"signtype\":\"\","
       "\"infver\":\"V1.0\",\"opter_type\":\"1\",\"opter\":\"demo\",\"opter_name\":\"demo\",\"inf_time\":\"";
  s += FormatLocalTime(clock_->NowLocal());
  s += "\",\"fixmedins_code\":\"";
  s += code_;
  s += "\",\"fixmedins_name\":\"\",\"sign_no\":\"";
  s += sign_no_;
  s += "\",\"input\":";
  s += input_json;
  s += "}";
  return s;
}

}  // namespace xt::service
