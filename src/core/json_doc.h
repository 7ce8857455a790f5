// A parsed JSON document, read-only, for the request path. The values live
// in the document's own arena (one or a few blocks) and strings point into
// its copy of the text, so parsing allocates a few times per document
// rather than once per value, and dropping it frees the blocks. It replaced
// nlohmann::json for requests: building, hashing and destroying nlohmann's
// tree (a std::map node and a std::string per member) took about a fifth of
// the server's CPU per settlement flow.
//
// What it promises, so that it can stand in for nlohmann::json::parse and
// dump() without changing what clients and the stored message log see:
//   - JsonDoc::Parse accepts exactly the texts nlohmann::json::parse
//     accepts, and reads the same values, of the same types (an integer
//     without a sign is unsigned, a repeated key keeps its last value).
//     Common shapes are read in one pass; anything unusual (exponents, long
//     integers, surrogate escapes, a byte-order mark, and all malformed
//     text) goes through nlohmann, whose tree is then copied.
//   - JsonValue::Dump writes exactly nlohmann's dump() of the same value:
//     members in key order, nlohmann's escapes and number formatting. The
//     request hash of the message log is taken over it, so a retry of a
//     message stored by an earlier version still matches.
// The envelope fuzz target (fuzz/envelope_fuzz.cc) checks both against
// nlohmann on every input; json_doc_test.cc pins the cases.
//
// This header does not include nlohmann/json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xt {

struct JsonMember;

// One value of a JsonDoc. Valid while its document lives (moving the
// document keeps it valid). Cheap to copy (16 bytes), but normally used by
// reference.
class JsonValue {
 public:
  enum class Type : uint8_t { kNull, kBoolean, kInteger, kUnsigned, kFloat, kString, kArray, kObject };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_boolean() const { return type_ == Type::kBoolean; }
  // Signed or unsigned, as nlohmann's is_number_integer().
  bool is_number_integer() const { return type_ == Type::kInteger || type_ == Type::kUnsigned; }
  bool is_number_unsigned() const { return type_ == Type::kUnsigned; }
  bool is_number_float() const { return type_ == Type::kFloat; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Each only for its own type (false, 0 or empty otherwise).
  bool boolean() const { return type_ == Type::kBoolean && b_; }
  // A number with a fraction: the double nlohmann reads from its text.
  double number_float() const;
  // The same number as text, for reading it exactly (money is read from
  // this, never from the double): the text as sent when the document was
  // read in one pass (-?digits.digits); when it went through nlohmann (an
  // exponent, ...), nlohmann's shortest text of its double, which reads
  // back to the same double.
  std::string_view number_text() const { return type_ == Type::kFloat ? std::string_view(s_, size_) : std::string_view(); }
  std::string_view string() const { return type_ == Type::kString ? std::string_view(s_, size_) : std::string_view(); }
  // An integer that fits in int64_t (signed, or unsigned up to INT64_MAX).
  std::optional<int64_t> int64() const;

  // Elements of an array, members of an object (in key order, each key
  // once); 0 for other types.
  size_t size() const { return is_array() || is_object() ? size_ : 0; }
  bool empty() const { return size() == 0; }
  std::span<const JsonValue> elements() const;
  std::span<const JsonMember> members() const;
  // Element `i` of an array; requires i < size().
  const JsonValue& operator[](size_t i) const { return elements()[i]; }
  // The member `key` of an object, or null (also when this is not an object).
  const JsonValue* Find(std::string_view key) const;

  // nlohmann's dump() of this value, appended to `*out`.
  void DumpTo(std::string* out) const;
  std::string Dump() const;

 private:
  friend class JsonDoc;
  friend class JsonBuilder;

  Type type_ = Type::kNull;
  uint32_t size_ = 0;  // string or number text bytes, array elements, object members
  union {
    bool b_;
    int64_t i_;
    uint64_t u_;
    const char* s_ = nullptr;  // a string's bytes, or a float's text
    const JsonValue* elems_;
    const JsonMember* mems_;
  };
};

struct JsonMember {
  std::string_view key;
  JsonValue value;
};

// A parsed document. Movable, not copyable. Not thread-safe to parse into;
// reading a parsed document from several threads is safe.
class JsonDoc {
 public:
  enum class Parsed {
    kOk,
    kMalformed,  // not JSON (nlohmann::json::parse would refuse it)
    kTooDeep,    // JSON, but arrays and objects nest deeper than depth_max
  };

  JsonDoc();
  JsonDoc(JsonDoc&&) noexcept;
  JsonDoc& operator=(JsonDoc&&) noexcept;
  ~JsonDoc();

  // Parses `text` (copied; the text need not outlive the document). The
  // root array or object is level 1; `depth_max` bounds the nesting, and
  // so the recursion of Dump. On anything but kOk, root() is null.
  Parsed Parse(std::string_view text, int depth_max);
  const JsonValue& root() const { return *root_; }
  // Whether the last Parse took the one-pass path (for tests and the fuzz
  // target; the result is the same either way).
  bool parsed_in_one_pass() const { return one_pass_; }

 private:
  friend class JsonBuilder;
  void* Allocate(size_t bytes);
  void NewBlock(size_t bytes);
  char* CopyText(std::string_view text);

  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;
  size_t left_ = 0;
  size_t block_bytes_ = 0;
  const JsonValue* root_;
  bool one_pass_ = false;
};

}  // namespace xt
