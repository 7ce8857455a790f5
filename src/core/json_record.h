// Field access for the strict JSON data loaders (catalog_load.cc,
// policy_load.cc, registry.cc): parsing a document with a size limit, and
// reading the fields of one object with errors that name the record and the
// field. This header is for those three loader .cc files only, not a common
// header: it is the one header that includes nlohmann/json, so do not include
// it from other headers or from code outside the data loaders.
//
// Error codes (stable): XT-DATA-001 malformed JSON or document too large,
// XT-DATA-002 missing or wrongly typed field, XT-DATA-003 invalid value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/date.h"
#include "core/status.h"

namespace xt {

using Json = nlohmann::json;

// `record`: field "key" is missing (XT-DATA-002).
Status MissingField(const std::string& record, std::string_view key);
// `record`: field "key" must be `want` (XT-DATA-002).
Status WrongType(const std::string& record, std::string_view key, std::string_view want);
// `record`: field "key" `why` (XT-DATA-003).
Status InvalidValue(const std::string& record, std::string_view key, const std::string& why);

// Parses a whole document of at most 64 MiB; `what` names it in errors
// ("the catalogue document").
Status ParseDocument(std::string_view text, std::string_view what, Json* out);

// An object of a document, read field by field. Holds a reference to the
// JSON value, which must outlive it.
class Record {
 public:
  Record(const Json& j, std::string name) : j_(j), name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // The value must be an object whose keys are all in `allowed`.
  Status CheckObject(std::initializer_list<std::string_view> allowed) const;
  // The field must be present, of any type.
  Status Get(std::string_view key, const Json** out) const;
  Status String(std::string_view key, std::string* out) const;
  // An integer that fits int64_t.
  Status Int(std::string_view key, int64_t* out) const;
  // The field must be present; null reads as nullopt.
  Status OptionalInt(std::string_view key, std::optional<int64_t>* out) const;
  Status Bool(std::string_view key, bool* out) const;
  // A date string yyyy-MM-dd.
  Status DateField(std::string_view key, Date* out) const;
  // "begin" (a date) and "end" (a later date, or null for open-ended).
  Status Period(Validity* out) const;

  // Names a record by one of its string fields when it has a non-empty one
  // ("person 1101...", else "person #3"), for messages.
  static std::string NameBy(const Json& j, std::string_view kind, std::string_view key, size_t index);

 private:
  const Json& j_;
  std::string name_;
};

}  // namespace xt
