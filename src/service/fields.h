// Typed access to one JSON object of a request's input, with errors that
// name the field's path ("input.data.psn_no") and carry the stable codes of
// docs/errors.md (XT-INP-001 missing, XT-INP-002 malformed, XT-INP-003 too
// many).
//
// Decimals are read from their text, never through a double: a JSON number
// by ScaledFromNumberText, a string by ParseDecimal (core/money.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/date.h"
#include "core/json_doc.h"
#include "core/money.h"
#include "core/status.h"

namespace xt::service {

// The longest text field accepted unless the field says otherwise.
inline constexpr size_t kStringFieldLenMax = 200;
// Decimal places accepted beyond the interface's own (money 2, cnt 4,
// pric 6), rounded half away from zero: HIS systems send "24.7000".
inline constexpr int kMoneyExtraPlaces = 4;
inline constexpr int kCntExtraPlaces = 2;
inline constexpr int kPricExtraPlaces = 2;

class Fields {
 public:
  // `obj` must outlive the Fields; `path` names it in errors ("input").
  Fields(const JsonValue& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  // The field, or nullptr when absent or null.
  const JsonValue* Find(const char* name) const;
  std::string Path(const char* name) const { return path_ + "." + name; }

  Result<std::string> Str(const char* name, size_t max_len = kStringFieldLenMax) const;
  // "" when absent.
  Result<std::string> OptStr(const char* name, size_t max_len = kStringFieldLenMax) const;
  // A serial number (feedetl_sn, chrg_bchno, ipt_otp_no): a string, or a
  // whole number as many systems send it, read as its decimal text.
  Result<std::string> Serial(const char* name, size_t max_len, bool required = true) const;
  Result<std::string> StrOf(const JsonValue& v, const char* name, size_t max_len) const;
  // A text of exactly `len` characters (a region code, say).
  Result<std::string> Code(const char* name, size_t len) const;
  // A decimal as a JSON number or a string, scaled by 10^scale. Up to
  // `extra` places beyond `scale` are accepted (vendors send amounts as
  // "24.7000") and rounded half away from zero (docs/rounding.md).
  Result<int64_t> Scaled(const char* name, int scale, int extra = 0) const;
  // The same with no places beyond `scale`.
  Result<int64_t> ScaledExact(const char* name, int scale) const;
  Result<Fen> MoneyFen(const char* name) const { return Scaled(name, 2, kMoneyExtraPlaces); }
  // yyyy-MM-dd HH:mm:ss (or with T, a date alone, yyyyMMddHHmmss).
  Result<LocalSeconds> Time(const char* name) const;
  Result<std::optional<LocalSeconds>> OptTime(const char* name) const;
  // "0" or "1" (or the numbers 0 and 1); `dflt` when absent.
  Result<bool> Flag(const char* name, bool dflt) const;
  Result<Fields> Object(const char* name) const;
  // A non-empty array of at most `max` elements.
  Result<const JsonValue*> Array(const char* name, size_t max) const;

 private:
  const JsonValue& obj_;
  std::string path_;
};

}  // namespace xt::service
