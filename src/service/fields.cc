#include "service/fields.h"

#include "service/errors.h"

namespace xt::service {

const JsonValue* Fields::Find(const char* name) const {
  const JsonValue* v = obj_.Find(name);
  return v && !v->is_null() ? v : nullptr;
}

Result<std::string> Fields::Str(const char* name, size_t max_len) const {
  const JsonValue* v = Find(name);
  if (!v) return err::MissingField(Path(name));
  return StrOf(*v, name, max_len);
}

Result<std::string> Fields::OptStr(const char* name, size_t max_len) const {
  const JsonValue* v = Find(name);
  if (!v) return std::string();
  return StrOf(*v, name, max_len);
}

Result<std::string> Fields::Serial(const char* name, size_t max_len, bool required) const {
  const JsonValue* v = Find(name);
  if (!v) return required ? Result<std::string>(err::MissingField(Path(name))) : std::string();
  if (v->is_number_integer()) {
    const std::optional<int64_t> i = v->int64();
    if (!i || *i < 0) return err::BadField(Path(name), "must be a string or a whole number");
    std::string s = std::to_string(*i);
    if (s.size() > max_len) return err::BadField(Path(name), "is longer than " + std::to_string(max_len));
    return s;
  }
  return StrOf(*v, name, max_len);
}

Result<std::string> Fields::StrOf(const JsonValue& v, const char* name, size_t max_len) const {
  if (!v.is_string()) return err::BadField(Path(name), "must be a string");
  const std::string_view s = v.string();
  if (s.size() > max_len) return err::BadField(Path(name), "is longer than " + std::to_string(max_len));
  return std::string(s);
}

Result<std::string> Fields::Code(const char* name, size_t len) const {
  XT_ASSIGN_OR_RETURN(std::string s, Str(name, len));
  if (s.size() != len) return err::BadField(Path(name), "must be " + std::to_string(len) + " characters");
  return s;
}

Result<int64_t> Fields::Scaled(const char* name, int scale, int extra) const {
  XT_ASSIGN_OR_RETURN(int64_t fine, ScaledExact(name, scale + extra));
  return DropDecimals(fine, extra);
}

Result<int64_t> Fields::ScaledExact(const char* name, int scale) const {
  const JsonValue* v = Find(name);
  if (!v) return err::MissingField(Path(name));
  std::optional<int64_t> out;
  if (v->is_number_integer()) {
    const std::optional<int64_t> i = v->int64();
    if (!i || *i > 9000000000000LL || *i < -9000000000000LL) return err::BadField(Path(name), "is out of range");
    int64_t p = 1;
    for (int k = 0; k < scale; ++k) p *= 10;
    out = *i * p;
  } else if (v->is_number_float()) {
    out = ScaledFromNumberText(v->number_text(), scale);
  } else if (v->is_string()) {
    out = ParseDecimal(v->string(), scale);
  } else {
    return err::BadField(Path(name), "must be a number");
  }
  if (!out) return err::BadField(Path(name), "must be a decimal with at most " + std::to_string(scale) + " places");
  return *out;
}

Result<LocalSeconds> Fields::Time(const char* name) const {
  XT_ASSIGN_OR_RETURN(std::string s, Str(name, 32));
  auto t = ParseLocalTime(s);
  if (!t) {
    return err::BadField(Path(name), "must be a time: yyyy-MM-dd HH:mm:ss (or with T, a date alone, yyyyMMddHHmmss)");
  }
  return *t;
}

Result<std::optional<LocalSeconds>> Fields::OptTime(const char* name) const {
  if (!Find(name)) return std::optional<LocalSeconds>();
  XT_ASSIGN_OR_RETURN(LocalSeconds t, Time(name));
  return std::optional<LocalSeconds>(t);
}

Result<bool> Fields::Flag(const char* name, bool dflt) const {
  const JsonValue* v = Find(name);
  if (!v) return dflt;
  if (v->is_string() && (v->string() == "0" || v->string() == "1")) return v->string() == "1";
  if (v->is_number_integer() && (v->int64() == 0 || v->int64() == 1)) return v->int64() == 1;
  return err::BadField(Path(name), "must be \"0\" or \"1\"");
}

Result<Fields> Fields::Object(const char* name) const {
  const JsonValue* v = Find(name);
  if (!v) return err::MissingField(Path(name));
  if (!v->is_object()) return err::BadField(Path(name), "must be an object");
  return Fields(*v, Path(name));
}

Result<const JsonValue*> Fields::Array(const char* name, size_t max) const {
  const JsonValue* v = Find(name);
  if (!v) return err::MissingField(Path(name));
  if (!v->is_array()) return err::BadField(Path(name), "must be an array");
  if (v->empty()) return err::BadField(Path(name), "must not be empty");
  if (v->size() > max) return err::TooMany(Path(name), max);
  return v;
}

}  // namespace xt::service
