// JsonDoc (json_doc.h): the one-pass parser, the copy of nlohmann's tree for
// everything else, and nlohmann's dump() written over our values.
#include "core/json_doc.h"

#include "core/hex.h"

#include <algorithm>
#include <cstdlib>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <utility>

namespace xt {

namespace {

const JsonValue kNullValue{};

// Arena blocks: the first one sized for the text, later ones doubling.
constexpr size_t kBlockBytesMin = 4096;

bool NestsDeeperThan(std::string_view text, int depth_max) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > depth_max) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

bool KeyLess(const JsonMember& a, const JsonMember& b) { return a.key < b.key; }

}  // namespace

// Builds values into a JsonDoc: the one-pass parser over the document's copy
// of the text, and the copy of a nlohmann tree.
class JsonBuilder {
 public:
  explicit JsonBuilder(JsonDoc* doc) : doc_(doc) {}

  // ---- the one-pass parser. Every function returns false to give up
  // (malformed or unusual text), and the caller then asks nlohmann.

  bool Document(char* begin, char* end, int depth_max, JsonValue* out) {
    p_ = begin;
    end_ = end;
    depth_max_ = depth_max;
    SkipSpace();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return p_ == end_;
  }

  // ---- the copy of a nlohmann tree (depth already bounded by the caller).
  void Copy(const nlohmann::json& j, JsonValue* out) {
    using T = nlohmann::json::value_t;
    switch (j.type()) {
      case T::null:
      case T::discarded: out->type_ = JsonValue::Type::kNull; return;
      case T::boolean: out->type_ = JsonValue::Type::kBoolean; out->b_ = j.get<bool>(); return;
      case T::number_integer: out->type_ = JsonValue::Type::kInteger; out->i_ = j.get<int64_t>(); return;
      case T::number_unsigned: out->type_ = JsonValue::Type::kUnsigned; out->u_ = j.get<uint64_t>(); return;
      case T::number_float: {
        char buf[64];
        char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, j.get<double>());
        out->type_ = JsonValue::Type::kFloat;
        out->s_ = doc_->CopyText(std::string_view(buf, static_cast<size_t>(end - buf)));
        out->size_ = static_cast<uint32_t>(end - buf);
        return;
      }
      case T::string: {
        const std::string& s = j.get_ref<const std::string&>();
        out->type_ = JsonValue::Type::kString;
        out->s_ = doc_->CopyText(s);
        out->size_ = static_cast<uint32_t>(s.size());
        return;
      }
      case T::array: {
        auto* elems = static_cast<JsonValue*>(doc_->Allocate(sizeof(JsonValue) * j.size()));
        size_t n = 0;
        for (const auto& e : j) Copy(e, new (&elems[n++]) JsonValue());
        out->type_ = JsonValue::Type::kArray;
        out->elems_ = elems;
        out->size_ = static_cast<uint32_t>(n);
        return;
      }
      case T::object: {
        // nlohmann's object is a std::map: already in key order, keys unique.
        auto* mems = static_cast<JsonMember*>(doc_->Allocate(sizeof(JsonMember) * j.size()));
        size_t n = 0;
        for (const auto& [key, value] : j.items()) {
          JsonMember* m = new (&mems[n++]) JsonMember();
          m->key = std::string_view(doc_->CopyText(key), key.size());
          Copy(value, &m->value);
        }
        out->type_ = JsonValue::Type::kObject;
        out->mems_ = mems;
        out->size_ = static_cast<uint32_t>(n);
        return;
      }
      case T::binary: out->type_ = JsonValue::Type::kNull; return;  // the parser never makes one
    }
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool Value(JsonValue* out, int depth) {
    if (p_ >= end_) return false;
    switch (*p_) {
      case '{': return Object(out, depth + 1);
      case '[': return Array(out, depth + 1);
      case '"': {
        std::string_view s;
        if (!String(&s)) return false;
        out->type_ = JsonValue::Type::kString;
        out->s_ = s.data();
        out->size_ = static_cast<uint32_t>(s.size());
        return true;
      }
      case 't':
        if (!Literal("true", 4)) return false;
        out->type_ = JsonValue::Type::kBoolean;
        out->b_ = true;
        return true;
      case 'f':
        if (!Literal("false", 5)) return false;
        out->type_ = JsonValue::Type::kBoolean;
        out->b_ = false;
        return true;
      case 'n':
        if (!Literal("null", 4)) return false;
        out->type_ = JsonValue::Type::kNull;
        return true;
      default: return Number(out);
    }
  }

  // Members are gathered on one stack shared by every level (a nested
  // object's are pushed and popped again before its parent's next member),
  // then moved into the arena in key order.
  bool Object(JsonValue* out, int depth) {
    if (depth > depth_max_) return false;
    const size_t base = members_.size();
    bool closed = Open('}');
    while (!closed) {
      if (p_ >= end_ || *p_ != '"') return false;
      JsonMember m;
      if (!String(&m.key)) return false;
      SkipSpace();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      SkipSpace();
      if (!Value(&m.value, depth)) return false;
      members_.push_back(m);
      if (!AfterElement('}', &closed)) return false;
    }
    auto first = members_.begin() + static_cast<std::ptrdiff_t>(base);
    auto last = members_.end();
    if (!std::is_sorted(first, last, KeyLess)) std::stable_sort(first, last, KeyLess);
    // A repeated key keeps its last value (nlohmann's parser assigns again);
    // after the stable sort, that is the last of each run of equal keys.
    auto kept = first;
    for (auto it = first; it != last; ++it) {
      if (it + 1 != last && (it + 1)->key == it->key) continue;
      *kept++ = *it;
    }
    const size_t n = static_cast<size_t>(kept - first);
    auto* mems = static_cast<JsonMember*>(doc_->Allocate(sizeof(JsonMember) * n));
    std::copy(first, kept, mems);
    members_.resize(base);
    out->type_ = JsonValue::Type::kObject;
    out->mems_ = mems;
    out->size_ = static_cast<uint32_t>(n);
    return true;
  }

  bool Array(JsonValue* out, int depth) {
    if (depth > depth_max_) return false;
    const size_t base = elements_.size();
    bool closed = Open(']');
    while (!closed) {
      JsonValue item;
      if (!Value(&item, depth)) return false;
      elements_.push_back(item);
      if (!AfterElement(']', &closed)) return false;
    }
    const size_t n = elements_.size() - base;
    auto* elems = static_cast<JsonValue*>(doc_->Allocate(sizeof(JsonValue) * n));
    std::copy(elements_.begin() + static_cast<std::ptrdiff_t>(base), elements_.end(), elems);
    elements_.resize(base);
    out->type_ = JsonValue::Type::kArray;
    out->elems_ = elems;
    out->size_ = static_cast<uint32_t>(n);
    return true;
  }

  // Past the opening bracket; true when `close` follows at once (empty).
  bool Open(char close) {
    ++p_;
    SkipSpace();
    const bool empty = p_ < end_ && *p_ == close;
    if (empty) ++p_;
    return empty;
  }

  // After an element: ',' (another follows) or `close` (*closed).
  bool AfterElement(char close, bool* closed) {
    SkipSpace();
    if (p_ >= end_) return false;
    if (*p_ == ',') {
      ++p_;
      SkipSpace();
      return true;
    }
    if (*p_ != close) return false;
    ++p_;
    *closed = true;
    return true;
  }

  // A string, its escapes decoded in place (the decoded text is never
  // longer). Well-formed UTF-8 only (RFC 3629: no overlong forms, no
  // surrogates, at most U+10FFFF), as nlohmann's lexer requires. Gives up
  // on \u escapes of surrogates (pairs are rare; nlohmann reads them).
  bool String(std::string_view* out) {
    ++p_;  // '"'
    char* const begin = p_;
    char* w = p_;  // where decoded bytes go; == p_ until the first escape
    while (p_ < end_) {
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        *out = std::string_view(begin, static_cast<size_t>(w - begin));
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!Escape(&w)) return false;
        continue;
      }
      if (c < 0x80) {
        *w++ = *p_++;
        continue;
      }
      const size_t left = static_cast<size_t>(end_ - p_);
      auto cont = [&](size_t i) { return i < left && (static_cast<unsigned char>(p_[i]) & 0xC0) == 0x80; };
      const unsigned char c1 = left > 1 ? static_cast<unsigned char>(p_[1]) : 0;
      size_t n;
      if (c >= 0xC2 && c <= 0xDF) {
        if (!cont(1)) return false;
        n = 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return false;
        if (c == 0xE0 && c1 < 0xA0) return false;  // overlong
        if (c == 0xED && c1 > 0x9F) return false;  // a surrogate
        n = 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return false;
        if (c == 0xF0 && c1 < 0x90) return false;  // overlong
        if (c == 0xF4 && c1 > 0x8F) return false;  // beyond U+10FFFF
        n = 4;
      } else {
        return false;
      }
      if (w != p_) std::memmove(w, p_, n);
      w += n;
      p_ += n;
    }
    return false;
  }

  // One escape at p_ ('\\'), decoded to *w.
  bool Escape(char** w) {
    if (end_ - p_ < 2) return false;
    const char e = p_[1];
    char plain;
    switch (e) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': {
        if (end_ - p_ < 6) return false;
        uint32_t cp = 0;
        for (int k = 2; k < 6; ++k) {
          const int h = HexDigitValue(p_[k]);
          if (h < 0) return false;
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;
        p_ += 6;
        char*& o = *w;
        if (cp < 0x80) {
          *o++ = static_cast<char>(cp);
        } else if (cp < 0x800) {
          *o++ = static_cast<char>(0xC0 | (cp >> 6));
          *o++ = static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          *o++ = static_cast<char>(0xE0 | (cp >> 12));
          *o++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *o++ = static_cast<char>(0x80 | (cp & 0x3F));
        }
        return true;
      }
      default: return false;
    }
    p_ += 2;
    *(*w)++ = plain;
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)? : integers of at most 18 digits, decimals
  // kept as their text (under 64 bytes).
  // Exponents and longer integers are left to nlohmann.
  bool Number(JsonValue* out) {
    const char* begin = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    bool decimal = false;
    if (p_ < end_ && *p_ == '.') {
      decimal = true;
      ++p_;
      const char* digits = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == digits) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    const size_t n = static_cast<size_t>(p_ - begin);
    if (n >= 64) return false;
    if (decimal) {
      // Kept as text (in the document's copy, which the parser does not
      // write over outside strings); number_float() reads the double.
      out->type_ = JsonValue::Type::kFloat;
      out->s_ = begin;
      out->size_ = static_cast<uint32_t>(n);
      return true;
    }
    char buf[64];
    std::memcpy(buf, begin, n);
    buf[n] = '\0';
    // Like nlohmann's lexer: unsigned without a sign, signed with one.
    const bool negative = buf[0] == '-';
    if (n - (negative ? 1 : 0) > 18) return false;
    if (negative) {
      out->type_ = JsonValue::Type::kInteger;
      out->i_ = std::strtoll(buf, nullptr, 10);
    } else {
      out->type_ = JsonValue::Type::kUnsigned;
      out->u_ = std::strtoull(buf, nullptr, 10);
    }
    return true;
  }

  JsonDoc* doc_;
  char* p_ = nullptr;
  char* end_ = nullptr;
  int depth_max_ = 0;
  std::vector<JsonMember> members_;
  std::vector<JsonValue> elements_;
};

// ---- JsonValue

double JsonValue::number_float() const {
  if (type_ != Type::kFloat) return 0.0;
  // Correctly rounded, as strtod, without its locale or a terminated copy.
  double d = 0.0;
  std::from_chars(s_, s_ + size_, d);
  return d;
}

std::optional<int64_t> JsonValue::int64() const {
  if (type_ == Type::kInteger) return i_;
  if (type_ == Type::kUnsigned && u_ <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(u_);
  return std::nullopt;
}

std::span<const JsonValue> JsonValue::elements() const {
  if (type_ != Type::kArray) return {};
  return {elems_, size_};
}

std::span<const JsonMember> JsonValue::members() const {
  if (type_ != Type::kObject) return {};
  return {mems_, size_};
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (type_ != Type::kObject) return nullptr;
  const JsonMember* end = mems_ + size_;
  const JsonMember* it =
      std::lower_bound(mems_, end, key, [](const JsonMember& m, std::string_view k) { return m.key < k; });
  return it != end && it->key == key ? &it->value : nullptr;
}

namespace {

// nlohmann's dump_escaped with ensure_ascii off: the text is well-formed
// UTF-8 (the parser saw to it), so only '"', '\\' and control characters
// are escaped; \u with four lower-case hex digits.
void AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t plain = 0;  // start of the run not yet appended
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default: {
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(u, 6);
      }
    }
  }
  out->append(s.data() + plain, s.size() - plain);
}

}  // namespace

void JsonValue::DumpTo(std::string* out) const {
  char buf[64];
  switch (type_) {
    case Type::kNull: *out += "null"; return;
    case Type::kBoolean: *out += b_ ? "true" : "false"; return;
    case Type::kInteger: *out += std::to_string(i_); return;
    case Type::kUnsigned: *out += std::to_string(u_); return;
    case Type::kFloat: {
      // nlohmann's own float formatting (Grisu2, then its layout); a
      // parsed double is always finite.
      char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, number_float());
      out->append(buf, static_cast<size_t>(end - buf));
      return;
    }
    case Type::kString:
      *out += '"';
      AppendEscaped(string(), out);
      *out += '"';
      return;
    case Type::kArray: {
      *out += '[';
      for (size_t i = 0; i < size_; ++i) {
        if (i) *out += ',';
        elems_[i].DumpTo(out);
      }
      *out += ']';
      return;
    }
    case Type::kObject: {
      *out += '{';
      for (size_t i = 0; i < size_; ++i) {
        if (i) *out += ',';
        *out += '"';
        AppendEscaped(mems_[i].key, out);
        *out += "\":";
        mems_[i].value.DumpTo(out);
      }
      *out += '}';
      return;
    }
  }
}

std::string JsonValue::Dump() const {
  std::string out;
  DumpTo(&out);
  return out;
}

// ---- JsonDoc

JsonDoc::JsonDoc() : root_(&kNullValue) {}
// The blocks move, so values keep their addresses; the moved-from document
// is left empty (its root a null), not pointing into blocks it gave away.
JsonDoc::JsonDoc(JsonDoc&& other) noexcept
    : blocks_(std::move(other.blocks_)),
      next_(std::exchange(other.next_, nullptr)),
      left_(std::exchange(other.left_, 0)),
      block_bytes_(std::exchange(other.block_bytes_, 0)),
      root_(std::exchange(other.root_, &kNullValue)),
      one_pass_(std::exchange(other.one_pass_, false)) {
  other.blocks_.clear();
}
JsonDoc& JsonDoc::operator=(JsonDoc&& other) noexcept {
  if (this != &other) {
    blocks_ = std::move(other.blocks_);
    other.blocks_.clear();
    next_ = std::exchange(other.next_, nullptr);
    left_ = std::exchange(other.left_, 0);
    block_bytes_ = std::exchange(other.block_bytes_, 0);
    root_ = std::exchange(other.root_, &kNullValue);
    one_pass_ = std::exchange(other.one_pass_, false);
  }
  return *this;
}
JsonDoc::~JsonDoc() = default;

void* JsonDoc::Allocate(size_t bytes) {
  constexpr size_t kAlign = alignof(JsonMember);
  static_assert(alignof(JsonValue) <= kAlign);
  bytes = (bytes + kAlign - 1) / kAlign * kAlign;
  if (bytes > left_) NewBlock(std::max(bytes, 2 * block_bytes_));
  void* p = next_;
  next_ += bytes;
  left_ -= bytes;
  return p;
}

void JsonDoc::NewBlock(size_t bytes) {
  bytes = std::max(bytes, kBlockBytesMin);
  blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(bytes));
  next_ = blocks_.back().get();
  left_ = bytes;
  block_bytes_ = bytes;
}

char* JsonDoc::CopyText(std::string_view text) {
  char* p = static_cast<char*>(Allocate(text.size() + 1));
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  return p;
}

JsonDoc::Parsed JsonDoc::Parse(std::string_view text, int depth_max) {
  blocks_.clear();
  left_ = 0;
  root_ = &kNullValue;
  one_pass_ = false;
  // One block for the copy of the text and its values (16 or 32 bytes
  // each, about one per 10 bytes of text), later ones doubling.
  NewBlock(2 * text.size() + 1024);
  auto* root = static_cast<JsonValue*>(Allocate(sizeof(JsonValue)));
  new (root) JsonValue();
  char* copy = CopyText(text);
  JsonBuilder fast(this);
  if (fast.Document(copy, copy + text.size(), depth_max, root)) {
    root_ = root;
    one_pass_ = true;
    return Parsed::kOk;
  }
  const nlohmann::json tree = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (tree.is_discarded()) return Parsed::kMalformed;
  if (NestsDeeperThan(text, depth_max)) return Parsed::kTooDeep;
  new (root) JsonValue();
  JsonBuilder(this).Copy(tree, root);
  root_ = root;
  return Parsed::kOk;
}

}  // namespace xt
