// Field access for the strict JSON data loaders (see json_record.h).
#include "core/json_record.h"

namespace xt {

namespace {

constexpr size_t kDocumentBytesMax = size_t{64} << 20;

}  // namespace

Status MissingField(const std::string& record, std::string_view key) {
  return Status::Error("XT-DATA-002", record + ": field \"" + std::string(key) + "\" is missing");
}

Status WrongType(const std::string& record, std::string_view key, std::string_view want) {
  return Status::Error("XT-DATA-002", record + ": field \"" + std::string(key) + "\" must be " + std::string(want));
}

Status InvalidValue(const std::string& record, std::string_view key, const std::string& why) {
  return Status::Error("XT-DATA-003", record + ": field \"" + std::string(key) + "\" " + why);
}

Status ParseDocument(std::string_view text, std::string_view what, Json* out) {
  if (text.size() > kDocumentBytesMax) {
    return Status::Error("XT-DATA-001", std::string(what) + " is larger than the limit of 64 MiB");
  }
  try {
    *out = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Status::Error("XT-DATA-001", std::string(what) + " is not valid JSON", e.what());
  }
  return Status::Ok();
}

Status Record::CheckObject(std::initializer_list<std::string_view> allowed) const {
  if (!j_.is_object()) return Status::Error("XT-DATA-002", name_ + " must be a JSON object");
  for (const auto& [key, value] : j_.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == key;
    if (!known) return Status::Error("XT-DATA-002", name_ + ": unknown field \"" + key + "\"");
  }
  return Status::Ok();
}

Status Record::Get(std::string_view key, const Json** out) const {
  const auto it = j_.find(key);
  if (it == j_.end()) return MissingField(name_, key);
  *out = &*it;
  return Status::Ok();
}

Status Record::String(std::string_view key, std::string* out) const {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(Get(key, &v));
  if (!v->is_string()) return WrongType(name_, key, "a string");
  *out = v->get<std::string>();
  return Status::Ok();
}

Status Record::Int(std::string_view key, int64_t* out) const {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(Get(key, &v));
  if (!v->is_number_integer() || (v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX)) {
    return WrongType(name_, key, "an integer");
  }
  *out = v->get<int64_t>();
  return Status::Ok();
}

Status Record::OptionalInt(std::string_view key, std::optional<int64_t>* out) const {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(Get(key, &v));
  if (v->is_null()) {
    out->reset();
    return Status::Ok();
  }
  int64_t n = 0;
  XT_RETURN_IF_ERROR(Int(key, &n));
  *out = n;
  return Status::Ok();
}

Status Record::Bool(std::string_view key, bool* out) const {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(Get(key, &v));
  if (!v->is_boolean()) return WrongType(name_, key, "true or false");
  *out = v->get<bool>();
  return Status::Ok();
}

Status Record::DateField(std::string_view key, Date* out) const {
  std::string text;
  XT_RETURN_IF_ERROR(String(key, &text));
  const auto d = ParseDate(text);
  if (!d || text.size() != 10) return InvalidValue(name_, key, "must be a date yyyy-MM-dd");
  *out = *d;
  return Status::Ok();
}

Status Record::Period(Validity* out) const {
  XT_RETURN_IF_ERROR(DateField("begin", &out->begin));
  const Json* end = nullptr;
  XT_RETURN_IF_ERROR(Get("end", &end));
  out->end.reset();
  if (end->is_null()) return Status::Ok();
  if (!end->is_string()) return WrongType(name_, "end", "a date string or null");
  const std::string e_text = end->get<std::string>();
  const auto e = ParseDate(e_text);
  if (!e || e_text.size() != 10) return InvalidValue(name_, "end", "must be a date yyyy-MM-dd or null");
  if (*e <= out->begin) return InvalidValue(name_, "end", "must be after begin");
  out->end = *e;
  return Status::Ok();
}

std::string Record::NameBy(const Json& j, std::string_view kind, std::string_view key, size_t index) {
  if (j.is_object()) {
    const auto it = j.find(key);
    if (it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      return std::string(kind) + " " + it->get<std::string>();
    }
  }
  return std::string(kind) + " #" + std::to_string(index + 1);
}

}  // namespace xt
