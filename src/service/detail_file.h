// The detail file of a 3202 (对明细账): what a hospital uploads with 9101
// and names by file_qury_no, read into the records 3202 reconciles.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json_doc.h"
#include "core/status.h"

namespace xt::service {

// One record a line, fields separated by tabs (or '|' or ','), in the order
// setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay,
// refd_setl_flag, then optionally insutype, clr_type, setl_time (when
// absent: `data`'s insutype and clr_type). A line that starts with
// "setl_id" is a header; empty lines and a CR before each LF are skipped.
// The file may come zipped, as the interface's files travel: then its
// first file is read, unpacked to at most `max_bytes`.
//
// The records as the JSON text of 3202's `detail` array, each amount written
// as the exact decimal text of its fen (the file's "0.29" is 0.29, never a
// double's neighbour); XT-FILE-001 naming the line and field when the file
// cannot be read. Pure; thread-safe.
Result<std::string> DetailRecordsJson(std::string_view file, const JsonValue& data, size_t max_bytes);

}  // namespace xt::service
