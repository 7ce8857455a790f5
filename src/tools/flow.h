// Drives whole visits through the processor the way a hospital does:
// register or admit, upload fee details, discharge, pre-settle, settle,
// reverse. Used by `xietong demo`, `xietong bench` and the flow tests.
// One FlowDriver per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tools/client.h"
#include "service/processor.h"

namespace xt::service {

struct FlowLine {
  std::string feedetl_sn;
  std::string med_list_codg;
  int64_t cnt_e4 = 0;   // negative: a refund line
  int64_t pric_e6 = 0;
};

// The answer to one call: the response envelope and what was read off it.
struct CallResult {
  std::string request;
  std::string response;
  int infcode = 0;
  std::string err_code;
  std::string err_msg;
  Status status() const {
    return infcode == 0 ? Status::Ok() : Status::Error(err_code.empty() ? "XT-INT-001" : err_code, err_msg);
  }
};

struct Visit {
  std::string psn_no;
  std::string insutype;
  std::string insuplc_admdvs;
  bool inpatient = false;
  std::string mdtrt_id;  // set by Open
};

class FlowDriver {
 public:
  // Sends one request envelope and returns the response envelope, e.g. over
  // HTTP (the HTTP tests and `xietong loadgen`).
  using Transport = std::function<std::string(const std::string& request_json)>;

  FlowDriver(Processor* processor, HospitalClient* client) : processor_(processor), client_(client) {}
  FlowDriver(Transport transport, HospitalClient* client)
      : processor_(nullptr), transport_(std::move(transport)), client_(client) {}

  CallResult Call(const std::string& infno, const std::string& input_json, const std::string& insuplc_admdvs);

  // 9001; on success the client quotes the new sign_no from then on.
  CallResult SignIn(const std::string& opter_no = "demo");
  CallResult PersonInfo(const std::string& certno);
  // 2201 or 2401; fills visit->mdtrt_id on success.
  CallResult Open(Visit* visit, const std::string& begntime);
  CallResult Upload(const Visit& visit, const std::vector<FlowLine>& lines, const std::string& fee_time,
                    const std::string& chrg_bchno = "1");
  CallResult Discharge(const Visit& visit, const std::string& endtime);
  // 2206/2303 (pre = true) or 2207/2304.
  CallResult Settle(const Visit& visit, Fen medfee_sumamt_fen, bool acct_used, bool pre);
  CallResult Reverse(const Visit& visit, const std::string& setl_id);

  // cnt x pric to the fen, half away from zero: what the hospital bills.
  static Fen LineAmountFen(const FlowLine& line);

 private:
  Processor* processor_;
  Transport transport_;  // used when processor_ is null
  HospitalClient* client_;
};

// Reads a field of a response envelope's output, e.g. {"setlinfo","setl_id"}.
std::string OutputString(const std::string& response, const std::vector<std::string>& path);
// A money field of the output in fen (nullopt when missing).
std::optional<Fen> OutputFen(const std::string& response, const std::vector<std::string>& path);

}  // namespace xt::service
