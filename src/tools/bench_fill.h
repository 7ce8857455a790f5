// Bulk rows for the clearing benchmark (`xietong clear bench`): a month of
// synthetic cross-region settlements written straight into the settlements
// table with one INSERT ... SELECT, not through the processor (ten million
// durable settlements through it would take hours). Here because it is SQL.
//
// The rows: three provinces (110000, 120000, 130000), each treated in one
// and insured in another; 3,000 institutions (1,000 a province); six
// insurance types; one in eight an inpatient stay (med_type 21); every 33rd
// row the reversal of the row before; amounts whose parts add up, as the
// engine's would. Not thread-safe: call with no store open on `path`.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace xt::store {

// Appends `rows` rows dated in the month `setlym` (yyyyMM) to the database
// at `path`, which OpenSqliteStore must have created. Uses its own
// connection with the journal off, then puts WAL back.
Status FillClearingBench(const std::string& path, int64_t rows, int32_t setlym);

}  // namespace xt::store
