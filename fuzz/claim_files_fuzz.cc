// libFuzzer target for what a hospital's claim brings besides its envelope:
// the 3202 detail file (src/service/detail_file.h, as text or zipped,
// through core/zip_archive.h) and the split of fee lines with their refunds
// (settle::SplitLines). Built and run by scripts/fuzz.sh; docs/fuzzing.md
// says how to run it longer.
//
// The first byte chooses: even, the rest is a detail file; odd, the rest is
// the recipe of a list of fee lines over a small catalogue (below).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/money.h"
#include "core/zip_archive.h"
#include "service/detail_file.h"
#include "settle/engine.h"

namespace {

using nlohmann::json;
using xt::Date;
using xt::Fen;

#define FUZZ_CHECK(cond)                                                                          \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "claim_files_fuzz: %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)

constexpr size_t kUnpackedMax = size_t{1} << 20;

// Any bytes: read or refused with XT-FILE-001, never more than the bound
// unpacked; every record has its three amounts as numbers of yuan, written
// exactly as the file gave them (two decimals), and strings for the rest.
void DetailFile(std::string_view bytes) {
  xt::JsonDoc data;
  FUZZ_CHECK(data.Parse(R"({"insutype":"310","clr_type":"11"})", 4) == xt::JsonDoc::Parsed::kOk);
  xt::Result<std::string> r = xt::service::DetailRecordsJson(bytes, data.root(), kUnpackedMax);
  if (!r.ok()) {
    FUZZ_CHECK(r.status().code() == "XT-FILE-001");
    FUZZ_CHECK(!r.status().message().empty());
    return;
  }
  // Fields that are not UTF-8 make text that is not JSON: 3202 refuses it.
  const json records = json::parse(*r, nullptr, false);
  if (!records.is_discarded()) {
    FUZZ_CHECK(records.is_array());
    for (const json& rec : records) {
      for (const char* money : {"medfee_sumamt", "fund_pay_sumamt", "acct_pay"}) {
        FUZZ_CHECK(rec.at(money).is_number());
      }
      for (const char* text : {"setl_id", "mdtrt_id", "psn_no", "refd_setl_flag", "insutype", "clr_type"}) {
        FUZZ_CHECK(rec.at(text).is_string());
      }
    }
  }
  // A file read as text reads the same zipped.
  if (!xt::zip::LooksZipped(bytes) && bytes.size() < 4096) {
    const std::string zipped = xt::zip::ZipOne("detail.txt", bytes, 0);
    xt::Result<std::string> again = xt::service::DetailRecordsJson(zipped, data.root(), kUnpackedMax);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *r);
  }
}

// The catalogue of region 120000: a 甲 item, a 乙 item at 10% with a cap
// of 12.00, whose share becomes 20% on 2024-01-01, and a 丙 item; "NONE" is
// not listed.
const xt::catalog::Catalog& SmallCatalog() {
  static const xt::catalog::Catalog* c = [] {
    auto* cat = new xt::catalog::Catalog();
    using xt::catalog::ChargeClass;
    using xt::catalog::ItemKind;
    const Date y23 = Date::FromCivil(2023, 1, 1), y24 = Date::FromCivil(2024, 1, 1);
    (void)cat->Add("120000", {"A", "甲", ItemKind::kDrug, ChargeClass::kA, std::nullopt, 0, {y23, std::nullopt}});
    (void)cat->Add("120000", {"B", "乙", ItemKind::kDrug, ChargeClass::kB, Fen{1200}, 1000, {y23, y24}});
    (void)cat->Add("120000", {"B", "乙", ItemKind::kDrug, ChargeClass::kB, Fen{1200}, 2000, {y24, std::nullopt}});
    (void)cat->Add("120000", {"C", "丙", ItemKind::kService, ChargeClass::kC, std::nullopt, 0, {y23, std::nullopt}});
    return cat;
  }();
  return *c;
}

// Up to 12 lines: charges and refunds of the four codes, on 2023-12-31 or
// 2024-01-01, each with the amount cnt x pric gives.
void FeeLines(FuzzedDataProvider& in) {
  static const char* const kCodes[] = {"A", "B", "C", "NONE"};
  const Date days[] = {Date::FromCivil(2023, 12, 31), Date::FromCivil(2024, 1, 1)};
  std::vector<xt::settle::ClaimLine> lines;
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, 12);
  for (size_t i = 0; i < n && in.remaining_bytes() > 0; ++i) {
    xt::settle::ClaimLine l;
    l.feedetl_sn = std::to_string(i + 1);
    l.med_list_codg = kCodes[in.ConsumeIntegralInRange<int>(0, 3)];
    l.cnt_e4 = in.ConsumeIntegralInRange<int64_t>(-50000, 50000);
    const int64_t pric_e6 = in.ConsumeIntegralInRange<int64_t>(0, 20000000);
    // The upload refuses any other amount (XT-FEE-001), so the split sees
    // only these.
    l.amount_fen = xt::LineAmountFen(l.cnt_e4, pric_e6);
    if (in.ConsumeBool()) l.fee_date = days[in.ConsumeIntegralInRange<int>(0, 1)];
    lines.push_back(std::move(l));
  }
  std::string overdrawn;
  const auto out = xt::settle::SplitLines(lines, SmallCatalog(), "120103", days[1], &overdrawn);
  FUZZ_CHECK(out.size() == lines.size());
  struct Sum {
    Fen fulamt = 0, overlmt = 0, preselfpay = 0, inscp = 0;
  };
  std::unordered_map<std::string, Sum> items;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto& r = out[i];
    FUZZ_CHECK(r.feedetl_sn == lines[i].feedetl_sn);
    FUZZ_CHECK(r.amount_fen == lines[i].amount_fen);
    // Every line's parts make up its amount, to the fen.
    FUZZ_CHECK(r.fulamt_ownpay_fen + r.overlmt_fen + r.preselfpay_fen + r.inscp_fen == r.amount_fen);
    Sum& s = items[r.med_list_codg];
    s.fulamt += r.fulamt_ownpay_fen;
    s.overlmt += r.overlmt_fen;
    s.preselfpay += r.preselfpay_fen;
    s.inscp += r.inscp_fen;
  }
  // Unless an item is overdrawn, no item ends with a negative part.
  if (overdrawn.empty()) {
    for (const auto& [code, s] : items) {
      FUZZ_CHECK(s.fulamt >= 0 && s.overlmt >= 0 && s.preselfpay >= 0 && s.inscp >= 0);
    }
  }
  // The same lines split the same way.
  std::string overdrawn2;
  const auto again = xt::settle::SplitLines(lines, SmallCatalog(), "120103", days[1], &overdrawn2);
  FUZZ_CHECK(overdrawn2 == overdrawn);
  for (size_t i = 0; i < out.size(); ++i) {
    FUZZ_CHECK(again[i].inscp_fen == out[i].inscp_fen && again[i].preselfpay_fen == out[i].preselfpay_fen);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    DetailFile(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  } else {
    FuzzedDataProvider in(data + 1, size - 1);
    FeeLines(in);
  }
  return 0;
}
