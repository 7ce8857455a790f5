// A small, fast writer of JSON text for hot paths (the settlement answer is
// written once per settlement on the writer thread). It appends to one
// string; no tree is built. Keys are written in the order given.
// Not thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"

namespace xt {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(2048); }

  JsonWriter& BeginObject() { Sep(); out_ += '{'; first_.push_back(true); return *this; }
  JsonWriter& EndObject() { out_ += '}'; first_.pop_back(); return *this; }
  JsonWriter& BeginArray() { Sep(); out_ += '['; first_.push_back(true); return *this; }
  JsonWriter& EndArray() { out_ += ']'; first_.pop_back(); return *this; }

  JsonWriter& Key(std::string_view k) {
    Sep();
    AppendString(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view v) { Sep(); AppendString(v); return *this; }
  JsonWriter& Int(int64_t v) { Sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& Bool(bool v) { Sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& Null() { Sep(); out_ += "null"; return *this; }
  // A decimal number with `scale` places: money (2), ratios (4).
  JsonWriter& Decimal(int64_t scaled, int scale) { Sep(); out_ += FormatDecimal(scaled, scale); return *this; }
  JsonWriter& Money(Fen fen) { return Decimal(fen, 2); }
  // Already-valid JSON text, inserted as one value.
  JsonWriter& Raw(std::string_view json) { Sep(); out_ += json; return *this; }

  // Key-value shorthands.
  JsonWriter& Field(std::string_view k, std::string_view v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const char* v) { return Key(k).String(v); }
  JsonWriter& Field(std::string_view k, const std::string& v) { return Key(k).String(v); }
  JsonWriter& FieldInt(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& FieldMoney(std::string_view k, Fen v) { return Key(k).Money(v); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void AppendString(std::string_view s);

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace xt
