// Reads the recognition document (data/recognition.json; format in
// data/README.md) into a Book. Strict like the other data loaders: every
// field present with the right type, unknown fields refused, codes and
// dates valid, references known, dated periods never overlapping. The whole
// document is read into a scratch Book first, so a refused document leaves
// `out` as it was.
//
// Stable error codes: XT-DATA-001 malformed JSON, XT-DATA-002 missing,
// unknown or wrongly typed field, XT-DATA-003 invalid value, XT-DATA-004
// duplicate or overlap, XT-DATA-005 unknown reference.
#include "core/json_record.h"
#include "results/book.h"

namespace xt::results {

namespace {

constexpr size_t kTextBytesMax = 200;
constexpr size_t kCodeBytesMax = 20;
constexpr size_t kGroupItemsMax = kItemsMax;
constexpr size_t kRecordsMax = 1'000'000;
constexpr int64_t kValidityDaysMax = 3650;
constexpr int64_t kPriceFenMax = int64_t{1} << 40;

bool IsUpperAlnum(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

Status Text(const Record& r, std::string_view key, bool may_be_empty, std::string* out) {
  XT_RETURN_IF_ERROR(r.String(key, out));
  if ((!may_be_empty && out->empty()) || out->size() > kTextBytesMax) {
    return InvalidValue(r.name(), key, may_be_empty ? "must be at most 200 bytes" : "must be 1 to 200 bytes");
  }
  return Status::Ok();
}

// A string or null (read as "").
Status OptionalText(const Record& r, std::string_view key, std::string* out) {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(r.Get(key, &v));
  if (v->is_null()) {
    out->clear();
    return Status::Ok();
  }
  XT_RETURN_IF_ERROR(Text(r, key, false, out));
  return Status::Ok();
}

Status ArrayOf(const Json& doc, std::string_view key, const Json** out) {
  const auto it = doc.find(key);
  if (it == doc.end()) return Status::Error("XT-DATA-002", "the recognition document: field \"" + std::string(key) + "\" is missing");
  if (!it->is_array()) {
    return Status::Error("XT-DATA-002", "the recognition document: field \"" + std::string(key) + "\" must be an array");
  }
  if (it->size() > kRecordsMax) {
    return Status::Error("XT-DATA-003", "the recognition document: \"" + std::string(key) + "\" holds too many records");
  }
  *out = &*it;
  return Status::Ok();
}

// "items": [code, ...], non-empty, no repeats.
Status ItemList(const Record& r, std::vector<std::string>* out) {
  const Json* v = nullptr;
  XT_RETURN_IF_ERROR(r.Get("items", &v));
  if (!v->is_array() || v->empty()) return WrongType(r.name(), "items", "a non-empty array of item codes");
  if (v->size() > kGroupItemsMax) return InvalidValue(r.name(), "items", "holds too many codes");
  out->clear();
  for (const Json& c : *v) {
    if (!c.is_string()) return WrongType(r.name(), "items", "an array of item codes");
    out->push_back(c.get<std::string>());
  }
  return Status::Ok();
}

Status ReadItem(const Json& j, size_t index, std::vector<Item>* items) {
  const Record r(j, Record::NameBy(j, "recognised item", "code", index));
  XT_RETURN_IF_ERROR(r.CheckObject({"code", "abbr", "name", "kind", "category", "modality", "body_part", "unit",
                                    "catalog_code", "sample", "validity_days", "begin", "end"}));
  Item item;
  std::string kind, modality;
  XT_RETURN_IF_ERROR(r.String("code", &item.code));
  if (!IsUpperAlnum(item.code, kCodeBytesMax)) {
    return InvalidValue(r.name(), "code", "must be 1 to 20 upper-case letters and digits");
  }
  XT_RETURN_IF_ERROR(Text(r, "abbr", false, &item.abbr));
  XT_RETURN_IF_ERROR(Text(r, "name", false, &item.name));
  XT_RETURN_IF_ERROR(r.String("kind", &kind));
  XT_RETURN_IF_ERROR(Text(r, "category", false, &item.category));
  XT_RETURN_IF_ERROR(OptionalText(r, "modality", &modality));
  XT_RETURN_IF_ERROR(OptionalText(r, "body_part", &item.body_part));
  XT_RETURN_IF_ERROR(OptionalText(r, "unit", &item.unit));
  XT_RETURN_IF_ERROR(OptionalText(r, "catalog_code", &item.catalog_code));
  XT_RETURN_IF_ERROR(r.Bool("sample", &item.sample));
  if (!item.catalog_code.empty() && !IsUpperAlnum(item.catalog_code, 50)) {
    return InvalidValue(r.name(), "catalog_code", "must be 1 to 50 upper-case letters and digits, or null");
  }
  if (kind == "lab") {
    item.kind = ItemKind::kLab;
    if (!modality.empty() || !item.body_part.empty()) {
      return InvalidValue(r.name(), "modality", "must be null for a lab item (and body_part too)");
    }
    if (item.unit.empty()) return InvalidValue(r.name(), "unit", "is required for a lab item");
  } else if (kind == "imaging") {
    item.kind = ItemKind::kImaging;
    if (modality == "XR") {
      item.modality = Modality::kXRay;
    } else if (modality == "CT") {
      item.modality = Modality::kCt;
    } else if (modality == "MR") {
      item.modality = Modality::kMri;
    } else {
      return InvalidValue(r.name(), "modality", "must be XR, CT or MR for an imaging item");
    }
    if (item.body_part.empty()) return InvalidValue(r.name(), "body_part", "is required for an imaging item");
    if (!item.unit.empty()) return InvalidValue(r.name(), "unit", "must be null for an imaging item");
  } else {
    return InvalidValue(r.name(), "kind", "must be lab or imaging");
  }
  ItemVersion version;
  int64_t days = 0;
  XT_RETURN_IF_ERROR(r.Int("validity_days", &days));
  if (days < 1 || days > kValidityDaysMax) return InvalidValue(r.name(), "validity_days", "must be within 1..3650");
  version.validity_days = static_cast<int32_t>(days);
  XT_RETURN_IF_ERROR(r.Period(&version.effective));

  // Versions of one code are consecutive records that agree on everything
  // but validity_days and the period.
  if (!items->empty() && items->back().code == item.code) {
    Item& prev = items->back();
    if (prev.abbr != item.abbr || prev.name != item.name || prev.kind != item.kind || prev.unit != item.unit ||
        prev.modality != item.modality || prev.body_part != item.body_part || prev.catalog_code != item.catalog_code ||
        prev.category != item.category) {
      return InvalidValue(r.name(), "code", "versions of one item must agree on everything but validity_days and dates");
    }
    prev.versions.push_back(version);
    return Status::Ok();
  }
  item.versions.push_back(version);
  items->push_back(std::move(item));
  return Status::Ok();
}

}  // namespace

Status LoadRecognitionJson(std::string_view json_text, const registry::Registry& registry, Book* out) {
  Json doc;
  XT_RETURN_IF_ERROR(ParseDocument(json_text, "the recognition document", &doc));
  const Record top(doc, "the recognition document");
  XT_RETURN_IF_ERROR(top.CheckObject({"items", "listings", "qualifications", "prices"}));
  const Json *items = nullptr, *listings = nullptr, *qualifications = nullptr, *prices = nullptr;
  XT_RETURN_IF_ERROR(ArrayOf(doc, "items", &items));
  XT_RETURN_IF_ERROR(ArrayOf(doc, "listings", &listings));
  XT_RETURN_IF_ERROR(ArrayOf(doc, "qualifications", &qualifications));
  XT_RETURN_IF_ERROR(ArrayOf(doc, "prices", &prices));

  Book book;
  std::vector<Item> parsed;
  for (size_t i = 0; i < items->size(); ++i) XT_RETURN_IF_ERROR(ReadItem((*items)[i], i, &parsed));
  for (Item& item : parsed) XT_RETURN_IF_ERROR(book.AddItem(std::move(item)));

  std::vector<std::string> codes;
  for (size_t i = 0; i < listings->size(); ++i) {
    const Json& j = (*listings)[i];
    const Record r(j, Record::NameBy(j, "listing", "region", i) + " #" + std::to_string(i + 1));
    XT_RETURN_IF_ERROR(r.CheckObject({"region", "items", "begin", "end", "source"}));
    std::string region, source;
    Validity period;
    XT_RETURN_IF_ERROR(r.String("region", &region));
    XT_RETURN_IF_ERROR(Text(r, "source", false, &source));
    XT_RETURN_IF_ERROR(ItemList(r, &codes));
    XT_RETURN_IF_ERROR(r.Period(&period));
    for (const std::string& c : codes) XT_RETURN_IF_ERROR(book.AddListing(region, c, period));
  }
  XT_RETURN_IF_ERROR(book.AddInstitutions(registry));

  for (size_t i = 0; i < qualifications->size(); ++i) {
    const Json& j = (*qualifications)[i];
    const Record r(j, Record::NameBy(j, "qualification", "fixmedins_code", i));
    XT_RETURN_IF_ERROR(r.CheckObject({"fixmedins_code", "items", "begin", "end"}));
    std::string inst;
    Validity period;
    XT_RETURN_IF_ERROR(r.String("fixmedins_code", &inst));
    XT_RETURN_IF_ERROR(ItemList(r, &codes));
    XT_RETURN_IF_ERROR(r.Period(&period));
    for (const std::string& c : codes) XT_RETURN_IF_ERROR(book.AddQualification(inst, c, period));
  }

  for (size_t i = 0; i < prices->size(); ++i) {
    const Json& j = (*prices)[i];
    const Record r(j, Record::NameBy(j, "price of", "item", i));
    XT_RETURN_IF_ERROR(r.CheckObject({"region", "item", "price_fen", "begin", "end"}));
    std::string region, item;
    int64_t fen = 0;
    Validity period;
    XT_RETURN_IF_ERROR(r.String("region", &region));
    XT_RETURN_IF_ERROR(r.String("item", &item));
    XT_RETURN_IF_ERROR(r.Int("price_fen", &fen));
    if (fen < 0 || fen > kPriceFenMax) return InvalidValue(r.name(), "price_fen", "must be within 0..2^40");
    XT_RETURN_IF_ERROR(r.Period(&period));
    XT_RETURN_IF_ERROR(book.AddPrice(region, item, fen, period));
  }
  *out = std::move(book);
  return Status::Ok();
}

}  // namespace xt::results
