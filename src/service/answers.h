// The answers of settlements (2206/2207, 2303/2304, 2208/2305) and of fee
// uploads (2204/2301): how they are written, what is kept of them, and how
// a retry gets the same bytes again.
//
// A settlement's answer is not logged whole: the message log names the
// settlement (or the upload, FeeUploadRef), and RenderStored writes the
// answer again from the settlement's row, its kept detail (DetailJson) and
// its visit, or from the answer kept with the upload (EncodeFeeAnswer).
#pragma once

#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "settle/engine.h"
#include "store/store.h"

namespace xt::service {

// GB/T 2261.1 gender code from an ID number's sequence digit: "1" male,
// "2" female, "" when the number cannot be read.
std::string GenderOf(const std::string& certno);

// ---- Fee uploads (2204/2301)

// The upload's output as JSON text, from its lines and their split (same
// order). Rendering an upload and rendering it again on a retry both come
// here: the same bytes.
std::string FeeOutput(const std::vector<store::FeeLineRow>& rows, const std::vector<settle::LineResult>& split);
// What FeeOutput needs of each line, kept with the upload: about 60 bytes a
// line where the output is about 260 (its feedetl_sn as length ':' bytes,
// then thirteen integers, each after a ',', and a ';').
std::string EncodeFeeAnswer(const std::vector<store::FeeLineRow>& rows,
                            const std::vector<settle::LineResult>& split);
// The message log's reference to the upload that keeps a message's answer.
std::string FeeUploadRef(const std::string& mdtrt_id, const std::string& msgid);

// ---- Settlements

// The breakdown's money as the settlement row keeps it.
store::Amounts AmountsOf(const settle::Breakdown& b);

// One fund's row of setldetail.
struct FundRow {
  std::string fund_pay_type;
  std::string fund;
  Fen cap_left_fen = 0;
  Fen pay_fen = 0;
  Fen inscp_fen = 0;
  std::string info;
};
std::vector<FundRow> FundRows(const settle::Breakdown& b);

// What is kept of a breakdown beside the settlement's money columns: the
// line split, the funds and the trace (docs/storage.md).
std::string DetailJson(const settle::Breakdown& b);

// setlinfo + setldetail of a settlement (or of a reversal, whose amounts
// are negative), as JSON text.
std::string RenderSettlement(const store::SettlementRow& r, const std::vector<FundRow>& funds,
                             const std::string& trace, const store::VisitRow& v);

// The answer of a stored settlement or reversal, exactly as first given.
Result<std::string> RenderStored(store::ReadTxn& txn, const store::SettlementRow& row);
// The same for what a message log entry names: a settlement's id, or a fee
// upload's reference (FeeUploadRef), rendered from its kept answer.
Result<std::string> RenderStored(store::ReadTxn& txn, const std::string& setl_id);

}  // namespace xt::service
