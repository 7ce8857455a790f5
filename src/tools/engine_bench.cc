// The engine benchmark (engine_bench.h): build a pool of realistic claims from
// the dataset, then time Adjudicate alone.
#include "tools/engine_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "settle/engine.h"

namespace xt::settle {

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "xietong bench: %s\n", why.c_str());
  std::fflush(stderr);
  std::abort();
}

struct PoolClaim {
  Claim claim;
  Accumulators ytd;
};

struct RegionItems {
  std::string province;
  std::vector<const catalog::ItemVersion*> items;
};

// Up to this many distinct claims are prebuilt; the timed loop cycles through
// them. Large enough to defeat caching of one claim, small enough to build fast.
constexpr int64_t kPoolSizeMax = 4096;
constexpr int kTriesMax = 200;

Date PickDate(std::mt19937_64& rng, const Validity& a, const Validity& b) {
  const Date begin = std::max(a.begin, b.begin);
  Date end{begin.days + 366};
  if (a.end) end = std::min(end, *a.end);
  if (b.end) end = std::min(end, *b.end);
  if (end <= begin) return Date{-1};  // no common day
  return Date{begin.days + static_cast<int32_t>(rng() % static_cast<uint64_t>(end.days - begin.days))};
}

const char* const kEmployeeTypes[] = {"1101", "1102", "1201", "1300"};
const char* const kResidentTypes[] = {"1401", "1402", "1403", "1404"};

// Builds one claim, or returns false when this draw did not fit the dataset.
bool BuildClaim(std::mt19937_64& rng, const std::vector<RegionItems>& regions, const policy::PolicyBook& book,
                int lines_per_claim, int64_t serial, PoolClaim* out) {
  const auto& policies = book.policies();
  const RegionItems& region = regions[rng() % regions.size()];
  const policy::Policy& seed_policy = policies[rng() % policies.size()];
  const catalog::ItemVersion* anchor = region.items[rng() % region.items.size()];
  const Date date = PickDate(rng, anchor->validity, seed_policy.validity);
  if (date.days < 0) return false;
  const int hosp_lv = seed_policy.hosp_lv != 0 ? seed_policy.hosp_lv : 1 + static_cast<int>(rng() % 3);
  const policy::Policy* pol =
      book.Find(seed_policy.insuplc_admdvs, seed_policy.insutype, seed_policy.med_type, hosp_lv, date);
  if (pol == nullptr) return false;

  Claim& c = out->claim;
  c = Claim{};
  c.insutype = pol->insutype;
  c.med_type = pol->med_type;
  c.insuplc_admdvs = seed_policy.insuplc_admdvs;
  c.mdtrtarea_admvs = region.province;
  c.hosp_lv = hosp_lv;
  c.date = date;
  // A person whose category the policy has figures for.
  const bool employee = c.insutype == "310" || (c.insutype != "390" && rng() % 2 == 0);
  c.psn_type = employee ? kEmployeeTypes[rng() % 4] : kResidentTypes[rng() % 4];
  c.birth = Date{date.days - static_cast<int32_t>(365 * (1 + rng() % 89) + rng() % 365)};
  const auto category = policy::CategoryOf(c.psn_type, c.birth, c.date);
  if (!category || !pol->deductible.first_fen[static_cast<size_t>(*category)]) return false;
  c.filed = rng() % 4 == 0;
  c.acct_used = c.insutype == "310" && rng() % 2 == 0;
  c.acct_balance_fen = static_cast<Fen>(rng() % 300'000);

  c.lines.reserve(static_cast<size_t>(lines_per_claim));
  for (int i = 0; i < lines_per_claim; ++i) {
    ClaimLine& line = c.lines.emplace_back();
    line.feedetl_sn = std::to_string(serial % 100000) + "-" + std::to_string(i + 1);
    // Now and then a refund line cancelling the previous line.
    if (i > 0 && rng() % 25 == 0 && c.lines[static_cast<size_t>(i) - 1].cnt_e4 > 0) {
      const ClaimLine& prev = c.lines[static_cast<size_t>(i) - 1];
      line.med_list_codg = prev.med_list_codg;
      line.amount_fen = -prev.amount_fen;
      line.cnt_e4 = -prev.cnt_e4;
      continue;
    }
    const catalog::ItemVersion* item = nullptr;
    if (rng() % 20 != 0) {  // about 5% of lines are not in the catalogue
      for (int t = 0; t < 20 && item == nullptr; ++t) {
        const catalog::ItemVersion* v = region.items[rng() % region.items.size()];
        if (v->validity.Contains(date)) item = v;
      }
    }
    line.cnt_e4 = static_cast<int64_t>(1 + rng() % 6) * 10000 / (rng() % 8 == 0 ? 2 : 1);
    Fen unit_fen;
    if (item == nullptr) {
      line.med_list_codg = "XT-BENCH-UNLISTED-" + std::to_string(rng() % 1000);
      unit_fen = static_cast<Fen>(100 + rng() % 50'000);
    } else {
      line.med_list_codg = item->code;
      // Around the cap: most under it, some over.
      unit_fen = item->price_cap_fen ? *item->price_cap_fen * static_cast<Fen>(80 + rng() % 35) / 100
                                     : static_cast<Fen>(100 + rng() % 80'000);
    }
    line.amount_fen = ApplyRatio(unit_fen, static_cast<BasisPoints>(line.cnt_e4));
  }

  // Year-to-date figures, sometimes with a cap nearly used up.
  Accumulators& acc = out->ytd;
  acc.clear();
  const size_t cat = static_cast<size_t>(*category);
  if (pol->deductible.period == policy::DeductiblePeriod::kYear) {
    const Fen first = *pol->deductible.first_fen[cat];
    acc.push_back({"ded:" + pol->deductible.accum_key, first > 0 ? static_cast<Fen>(rng() % (first + 1)) : 0});
  } else {
    acc.push_back({"stay:" + pol->deductible.accum_key, static_cast<int64_t>(rng() % 3)});
  }
  if (pol->band_basis == policy::BandBasis::kYear) {
    acc.push_back({"inscp:" + pol->band_accum_key, static_cast<int64_t>(rng() % 5'000'000)});
  }
  for (const policy::FundLayer& f : pol->funds) {
    const Fen cap = f.annual_cap_fen;
    Fen used = cap > 0 ? static_cast<Fen>(rng() % static_cast<uint64_t>(cap)) : 0;
    if (rng() % 10 == 0) used = std::max<Fen>(cap - static_cast<Fen>(rng() % 20'000), 0);
    acc.push_back({"cap:" + f.cap_key, used});
  }
  return true;
}

}  // namespace

EngineBenchResult RunEngineBench(const catalog::Catalog& catalog, const policy::PolicyBook& policies,
                                 int64_t claims, int lines_per_claim, uint64_t seed) {
  if (claims <= 0 || lines_per_claim <= 0) Die("claims and lines per claim must be positive");
  std::vector<RegionItems> regions;
  for (const std::string& province : catalog.Regions()) {
    RegionItems r{province, catalog.ItemsOf(province)};
    if (!r.items.empty()) regions.push_back(std::move(r));
  }
  if (regions.empty()) Die("the catalogue lists no items: nothing to settle");
  if (policies.policies().empty()) Die("the policy book is empty: nothing to settle");

  std::mt19937_64 rng(seed);
  const int64_t pool_size = std::min(claims, kPoolSizeMax);
  std::vector<PoolClaim> pool(static_cast<size_t>(pool_size));
  for (int64_t i = 0; i < pool_size; ++i) {
    int tries = 0;
    while (!BuildClaim(rng, regions, policies, lines_per_claim, i, &pool[static_cast<size_t>(i)])) {
      if (++tries >= kTriesMax) {
        Die("could not build a claim from the dataset in " + std::to_string(kTriesMax) +
            " tries: no policy in force on the catalogue's dates, or no category the policies cover");
      }
    }
    // Check it once before timing, so a failure names the claim.
    const PoolClaim& pc = pool[static_cast<size_t>(i)];
    const Result<Breakdown> r = Adjudicate(pc.claim, catalog, policies, pc.ytd);
    if (!r.ok()) {
      Die("claim " + std::to_string(i) + " (" + pc.claim.insuplc_admdvs + " " + pc.claim.insutype + "/" +
          pc.claim.med_type + " treated in " + pc.claim.mdtrtarea_admvs + " on " + pc.claim.date.ToString() +
          ") failed: " + r.status().ToString());
    }
    const std::string broken = CheckIdentities(*r);
    if (!broken.empty()) Die("claim " + std::to_string(i) + " breaks an identity: " + broken);
  }

  uint64_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < claims; ++i) {
    const PoolClaim& pc = pool[static_cast<size_t>(i % pool_size)];
    const Result<Breakdown> r = Adjudicate(pc.claim, catalog, policies, pc.ytd);
    if (!r.ok()) Die("claim " + std::to_string(i % pool_size) + " failed: " + r.status().ToString());
    checksum += static_cast<uint64_t>(r->fund_pay_sumamt_fen) + static_cast<uint64_t>(r->psn_cash_pay_fen) +
                r->trace.size();
  }
  const auto stop = std::chrono::steady_clock::now();

  EngineBenchResult out;
  out.claims = claims;
  out.lines_per_claim = lines_per_claim;
  out.seconds = std::chrono::duration<double>(stop - start).count();
  out.claims_per_s = out.seconds > 0 ? static_cast<double>(claims) / out.seconds : 0;
  out.checksum = checksum;
  return out;
}

}  // namespace xt::settle
