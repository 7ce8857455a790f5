// The clearing benchmark (clearing_bench.h): make a month of facts, close it,
// render it, and report time and peak memory.
#include "tools/clearing_bench.h"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "clearing/clearing.h"
#include "clearing/report.h"
#include "core/json_writer.h"

namespace xt::clearing {

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "clearing bench: %s\n", why.c_str());
  std::fflush(stderr);
  std::abort();
}

constexpr int kInstitutionsPerProvince = 1000;
constexpr Setlym kMonth = 202403;

// splitmix64: fast and good enough to spread rows over codes and amounts.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t s_;
};

// The codes of the month: provinces 0-2, institutions province-major.
Codes MakeCodes() {
  Codes c;
  for (const char* p : {"110000", "120000", "130000"}) c.provinces.Intern(p);
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < kInstitutionsPerProvince; ++i) {
      char code[16];
      std::snprintf(code, sizeof code, "H%d%010d", 11 + p, i);
      c.institutions.Intern(code);
    }
  }
  for (const char* t : {"310", "390", "320", "330", "392", "510"}) c.insutypes.Intern(t);
  for (const char* t : {"11", "21"}) c.clr_types.Intern(t);
  return c;
}

// Makes rows one at a time; every 33rd row reverses the row before it.
class RowMaker {
 public:
  explicit RowMaker(uint64_t seed) : rng_(seed) {}

  SettlementFacts Next(int64_t seq) {
    SettlementFacts f;
    if (seq % 33 == 0 && seq > 1) {
      f = last_;
      f.medfee_sumamt = -f.medfee_sumamt;
      for (Fen& x : f.fund_fen) x = -x;
      f.acct_pay = -f.acct_pay;
      f.reversal = true;
    } else {
      const auto treat = static_cast<uint8_t>(rng_.Below(3));
      const auto insu = static_cast<uint8_t>((treat + 1 + rng_.Below(2)) % 3);
      f.treat = treat;
      f.insu = insu;
      f.institution = static_cast<uint32_t>(treat * kInstitutionsPerProvince + rng_.Below(kInstitutionsPerProvince));
      f.insutype = static_cast<uint8_t>(rng_.Below(6));
      f.clr_type = static_cast<uint8_t>(rng_.Below(8) == 0 ? 1 : 0);  // one stay in eight
      f.medfee_sumamt = static_cast<Fen>(1000 + rng_.Below(f.clr_type == 1 ? 5000000 : 100000));
      f.fund_fen[0] = f.medfee_sumamt * static_cast<Fen>(50 + rng_.Below(40)) / 100;
      if (rng_.Below(10) == 0) f.fund_fen[1] = (f.medfee_sumamt - f.fund_fen[0]) / 2;
      if (rng_.Below(3) == 0) f.acct_pay = (f.medfee_sumamt - f.fund_pay_sumamt()) / 3;
      f.target_ym = kMonth;
      last_ = f;
    }
    f.seq = seq;
    return f;
  }

 private:
  Rng rng_;
  SettlementFacts last_;
};

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

}  // namespace

ClearingBenchResult RunClearingBench(int64_t rows, uint64_t seed, BenchMode mode) {
  if (rows < 0 || rows > kMonthRowsMax) Die("rows out of range");
  const Codes codes = MakeCodes();
  const CloseRequest request{kMonth, rows, EndOf(kMonth) + 86400};
  ClearingBenchResult r;
  r.rows = rows;
  r.institutions = codes.institutions.size();
  RowMaker maker(seed);
  Result<MonthResult> month = Status::Error("XT-INT-001", "not run");

  if (mode == BenchMode::kInMemory) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<SettlementFacts> facts;
    facts.reserve(static_cast<size_t>(rows));
    for (int64_t i = 1; i <= rows; ++i) facts.push_back(maker.Next(i));
    r.generate_seconds = SecondsSince(t0);
    r.facts_bytes = static_cast<int64_t>(facts.capacity() * sizeof(SettlementFacts));
    t0 = std::chrono::steady_clock::now();
    month = CloseMonth({}, request, facts, codes);
    r.close_seconds = SecondsSince(t0);
  } else {
    auto t0 = std::chrono::steady_clock::now();
    auto closer = MonthCloser::Begin({}, request);
    if (!closer.ok()) Die(closer.status().ToString());
    for (int64_t i = 1; i <= rows; ++i) closer->Add(maker.Next(i));
    month = std::move(*closer).Finish(codes);
    r.close_seconds = SecondsSince(t0);
  }
  if (!month.ok()) Die(month.status().ToString());
  if (month->rows != rows) Die("not every row was counted");
  r.reversals = month->reversals;
  r.rows_per_s = r.close_seconds > 0 ? static_cast<double>(rows) / r.close_seconds : 0;

  auto t0 = std::chrono::steady_clock::now();
  const std::string json = MonthJson(*month);
  const std::string csv = FlowsCsv(*month) + InstitutionsCsv(*month) + FundsCsv(*month);
  r.render_seconds = SecondsSince(t0);
  r.report_bytes = static_cast<int64_t>(json.size() + csv.size());
  for (const Flow& f : month->flows) r.owed_total_fen += f.total_fen();
  r.checksum = Fnv1a(json);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  r.peak_rss_kib = usage.ru_maxrss;  // KiB on Linux
  return r;
}

std::string ClearingBenchResult::json() const {
  JsonWriter w;
  w.BeginObject().FieldInt("rows", rows).FieldInt("reversals", reversals).FieldInt("institutions", institutions);
  w.Key("generate_s").Decimal(static_cast<int64_t>(generate_seconds * 1000), 3);
  w.Key("close_s").Decimal(static_cast<int64_t>(close_seconds * 1000), 3);
  w.Key("render_s").Decimal(static_cast<int64_t>(render_seconds * 1000), 3);
  w.FieldInt("rows_per_s", static_cast<int64_t>(rows_per_s)).FieldInt("facts_bytes", facts_bytes);
  w.FieldInt("peak_rss_kib", peak_rss_kib).FieldInt("report_bytes", report_bytes);
  w.FieldMoney("owed_total", owed_total_fen).Field("checksum", std::to_string(checksum)).EndObject();
  return w.Take();
}

}  // namespace xt::clearing
