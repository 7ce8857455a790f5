// Properties of the engine over many random claims: random catalogues and
// policies (several bands, overflow chains, small caps), random people and
// filings around 2023-04-01 (the start of 视同备案), random lines with
// refunds and unlisted items, and year-to-date figures that are often close
// to a cap. Whatever the inputs, every identity must hold, no fund may pay
// beyond its cap, nothing paid may be negative, and the engine must be a
// pure function (same claim, same breakdown and trace, byte for byte).
//
// Seeded std::mt19937_64: a failure names its seed and claim number, so it
// can be replayed.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "settle/engine.h"

namespace xt::settle {
namespace {

using catalog::ChargeClass;
using policy::FundKind;

Date D(int y, int m, int d) { return Date::FromCivil(y, m, d); }

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int64_t Int(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<size_t>(Int(0, static_cast<int64_t>(v.size()) - 1))]; }

 private:
  std::mt19937_64 rng_;
};

const std::vector<std::string> kProvinces = {"110000", "120000", "130000"};
const std::vector<std::string> kPsnTypes = {"1101", "1102", "1201", "1300", "1401", "1402", "1403", "1404"};

catalog::Catalog RandomCatalog(Gen& g) {
  catalog::Catalog c;
  for (const std::string& region : kProvinces) {
    for (int i = 0; i < 40; ++i) {
      const std::string code = "ITEM-" + std::to_string(i);
      // Some items change class or cap on 2023-04-01: two versions.
      const bool versioned = g.Chance(25);
      for (int v = 0; v < (versioned ? 2 : 1); ++v) {
        catalog::ItemVersion item;
        item.code = code;
        item.name = code;
        item.charge_class = static_cast<ChargeClass>(g.Int(0, 2));
        if (g.Chance(50)) item.price_cap_fen = g.Int(0, 60000);
        if (item.charge_class == ChargeClass::kB) item.selfpay_prop_bp = static_cast<BasisPoints>(g.Int(0, 3000));
        const Date split = D(2023, 4, 1);
        item.validity = !versioned ? Validity{D(2020, 1, 1), std::nullopt}
                        : v == 0   ? Validity{D(2020, 1, 1), split}
                                   : Validity{split, std::nullopt};
        EXPECT_TRUE(c.Add(region, item).ok());
      }
    }
  }
  return c;
}

policy::PerCategory<BasisPoints> RandomRatios(Gen& g) {
  policy::PerCategory<BasisPoints> r;
  for (auto& v : r) {
    if (!g.Chance(5)) v = static_cast<BasisPoints>(g.Chance(10) ? g.Int(0, 10000) : g.Int(5000, 10000));
  }
  return r;
}

policy::Policy RandomPolicy(Gen& g, const std::string& region, const std::string& insutype,
                            const std::string& med_type, Validity validity, int n) {
  policy::Policy p;
  p.id = region + "-" + insutype + "-" + med_type + "-" + std::to_string(n);
  p.insuplc_admdvs = region;
  p.insutype = insutype;
  p.med_type = med_type;
  p.hosp_lv = 0;
  p.validity = validity;
  p.deductible.period = g.Chance(50) ? policy::DeductiblePeriod::kYear : policy::DeductiblePeriod::kStay;
  for (auto& v : p.deductible.first_fen) v = g.Int(0, 200000);
  for (auto& v : p.deductible.later_fen) {
    if (g.Chance(80)) v = g.Int(0, 100000);  // absent: the first-stay figure applies
  }
  p.deductible.accum_key = p.id + ".ded";
  p.band_basis = g.Chance(50) ? policy::BandBasis::kYear : policy::BandBasis::kClaim;
  p.band_accum_key = p.id + ".inscp";
  p.unfiled_cut_bp = static_cast<BasisPoints>(g.Int(0, 3000));

  // Funds: pooled always; large-amount and other sometimes, chained above it.
  std::vector<FundKind> kinds = {FundKind::kPooled};
  if (g.Chance(70)) kinds.push_back(FundKind::kLargeAmount);
  if (g.Chance(40)) kinds.push_back(FundKind::kOther);
  for (size_t i = 0; i < kinds.size(); ++i) {
    policy::FundLayer f;
    f.fund = kinds[i];
    f.fund_pay_type = std::to_string(100000 + static_cast<int>(kinds[i]));
    f.annual_cap_fen = g.Chance(20) ? g.Int(0, 50000) : g.Int(50000, 20000000);
    f.cap_key = p.id + "." + std::string(policy::FundKindName(kinds[i]));
    if (i + 1 < kinds.size() && g.Chance(80)) {
      f.overflow_to = kinds[i + 1];
      f.overflow_ratio_bp = RandomRatios(g);
    }
    p.funds.push_back(f);
  }
  const int band_count = static_cast<int>(g.Int(1, 4));
  Fen upper = 0;
  for (int i = 0; i < band_count; ++i) {
    policy::Band b;
    upper += g.Int(1, 3000000);
    const bool last = i + 1 == band_count;
    b.upper_fen = last && g.Chance(80) ? INT64_MAX : upper;
    b.fund = g.Pick(kinds);
    b.ratio_bp = RandomRatios(g);
    p.bands.push_back(b);
  }
  return p;
}

struct World {
  catalog::Catalog catalog;
  policy::PolicyBook book;
};

World RandomWorld(Gen& g) {
  World w{RandomCatalog(g), {}};
  int n = 0;
  for (const std::string& region : {std::string("110000"), std::string("120000"), std::string("130000"),
                                    std::string("130500")}) {
    for (const std::string& insutype : {std::string("310"), std::string("390")}) {
      for (const std::string& med_type : {std::string("11"), std::string("21")}) {
        // Sometimes a new version from 2023-04-01.
        if (g.Chance(30)) {
          const Validity before{D(2020, 1, 1), D(2023, 4, 1)}, after{D(2023, 4, 1), std::nullopt};
          EXPECT_TRUE(w.book.Add(RandomPolicy(g, region, insutype, med_type, before, ++n)).ok());
          EXPECT_TRUE(w.book.Add(RandomPolicy(g, region, insutype, med_type, after, ++n)).ok());
        } else {
          const Validity always{D(2020, 1, 1), std::nullopt};
          EXPECT_TRUE(w.book.Add(RandomPolicy(g, region, insutype, med_type, always, ++n)).ok());
        }
      }
    }
  }
  w.book.AddDeemedFiled({{"110000", "120000", "130000"}, {"11", "21"}, {D(2023, 4, 1), std::nullopt}, "test"});
  return w;
}

Claim RandomClaim(Gen& g) {
  Claim c;
  c.insutype = g.Chance(50) ? "310" : "390";
  c.med_type = g.Chance(50) ? "11" : "21";
  c.insuplc_admdvs = g.Pick(std::vector<std::string>{"110000", "110105", "120000", "130000", "130500", "130503"});
  c.mdtrtarea_admvs = g.Pick(std::vector<std::string>{"110000", "110108", "120000", "120104", "130000", "130100"});
  c.hosp_lv = static_cast<int>(g.Int(1, 3));
  c.date = Date{D(2023, 3, 15).days + static_cast<int32_t>(g.Int(0, 31))};
  c.psn_type = g.Pick(kPsnTypes);
  c.birth = Date{c.date.days - static_cast<int32_t>(g.Int(0, 95 * 365))};
  c.filed = g.Chance(30);
  c.acct_used = g.Chance(60);
  c.acct_balance_fen = g.Chance(10) ? -g.Int(0, 1000) : g.Int(0, 500000);
  const int lines = static_cast<int>(g.Int(1, 25));
  for (int i = 0; i < lines; ++i) {
    ClaimLine l;
    l.feedetl_sn = std::to_string(i + 1);
    if (i > 0 && g.Chance(15)) {
      // A refund of (part of) an earlier charge line of this claim.
      const ClaimLine& prev = c.lines[static_cast<size_t>(g.Int(0, i - 1))];
      if (prev.cnt_e4 > 0) {
        l.med_list_codg = prev.med_list_codg;
        if (g.Chance(60)) {
          l.cnt_e4 = -prev.cnt_e4;
          l.amount_fen = -prev.amount_fen;
        } else {
          l.cnt_e4 = -g.Int(1, prev.cnt_e4);
          l.amount_fen = -(prev.amount_fen * -l.cnt_e4 / prev.cnt_e4);
        }
        c.lines.push_back(l);
        continue;
      }
    }
    l.med_list_codg = g.Chance(10) ? "UNLISTED-" + std::to_string(g.Int(0, 9)) : "ITEM-" + std::to_string(g.Int(0, 39));
    l.cnt_e4 = g.Chance(20) ? g.Int(1, 99999) : g.Int(1, 10) * 10000;
    l.amount_fen = g.Chance(5) ? 0 : g.Int(1, g.Chance(10) ? 5000000 : 100000);
    // A stray refund of something not charged here (refused: it belongs to
    // an earlier settlement); rare enough that most claims are adjudicated.
    if (g.Chance(1)) {
      l.cnt_e4 = -l.cnt_e4;
      l.amount_fen = -l.amount_fen;
    }
    c.lines.push_back(l);
  }
  return c;
}

// Year-to-date figures for whatever policy the claim will find: often close
// to, at or past a cap.
Accumulators RandomYtd(Gen& g, const policy::Policy& p) {
  Accumulators acc;
  acc.push_back({"ded:" + p.deductible.accum_key, g.Int(0, 250000)});
  acc.push_back({"stay:" + p.deductible.accum_key, g.Int(0, 3)});
  acc.push_back({"inscp:" + p.band_accum_key, g.Chance(20) ? 0 : g.Int(0, 8000000)});
  for (const policy::FundLayer& f : p.funds) {
    Fen used;
    switch (g.Int(0, 4)) {
      case 0: used = 0; break;
      case 1: used = std::max<Fen>(f.annual_cap_fen - g.Int(0, 3000), 0); break;   // nearly used up
      case 2: used = f.annual_cap_fen + g.Int(0, 1000); break;                      // at or past it
      default: used = f.annual_cap_fen > 0 ? g.Int(0, f.annual_cap_fen) : 0;
    }
    acc.push_back({"cap:" + f.cap_key, used});
  }
  return acc;
}

// Every field, for comparing two runs byte for byte.
std::string Dump(const Breakdown& b) {
  std::string s = b.policy_id + "|" + std::to_string(static_cast<int>(b.category)) + "|" +
                  std::to_string(b.filed_effective) + "|" + std::to_string(b.unfiled_cut_bp);
  for (Fen f : {b.medfee_sumamt_fen, b.fulamt_ownpay_amt_fen, b.overlmt_selfpay_fen, b.preselfpay_amt_fen,
                b.inscp_scp_amt_fen, b.act_pay_dedc_fen, b.hifp_pay_fen, b.cvlserv_pay_fen, b.hifes_pay_fen,
                b.hifmi_pay_fen, b.hifob_pay_fen, b.maf_pay_fen, b.oth_pay_fen, b.fund_pay_sumamt_fen,
                b.psn_part_amt_fen, b.acct_pay_fen, b.psn_cash_pay_fen, b.hosp_part_amt_fen, b.balc_fen,
                static_cast<Fen>(b.pool_prop_selfpay_bp)}) {
    s += "|" + std::to_string(f);
  }
  for (const LineResult& l : b.lines) {
    s += "|L" + l.feedetl_sn + "," + l.med_list_codg + "," + std::to_string(l.amount_fen) + "," +
         std::to_string(l.listed) + "," + std::to_string(static_cast<int>(l.charge_class)) + "," +
         std::to_string(l.selfpay_prop_bp) + "," + (l.price_cap_fen ? std::to_string(*l.price_cap_fen) : "-") +
         "," + std::to_string(l.fulamt_ownpay_fen) + "," + std::to_string(l.overlmt_fen) + "," +
         std::to_string(l.preselfpay_fen) + "," + std::to_string(l.inscp_fen) + "," + std::to_string(l.lmt_used);
  }
  for (const FundPayment& f : b.funds) {
    s += "|F" + std::to_string(static_cast<int>(f.fund)) + "," + f.fund_pay_type + "," +
         std::to_string(f.cap_left_fen) + "," + std::to_string(f.pay_fen) + "," + f.info;
  }
  for (const AccumEntry& e : b.deltas) s += "|D" + e.key + "=" + std::to_string(e.value);
  return s + "|T" + b.trace;
}

void Apply(const Accumulators& deltas, Accumulators* ytd) {
  for (const AccumEntry& d : deltas) ytd->push_back(d);
}

TEST(EnginePropertyTest, RandomClaimsKeepEveryIdentity) {
  constexpr uint64_t kSeed = 20230401;
  constexpr int kPeople = 3500;  // each settles a short run of claims (3.5 on average): >= 10,000 claims
  Gen g(kSeed);
  int worlds = 0, claims = 0, refused = 0, capped = 0, overflowed = 0, cut = 0, cut_paid_less = 0, deemed = 0;
  std::map<std::string, int> refused_by_code;
  World w = RandomWorld(g);
  for (int person = 0; person < kPeople; ++person) {
    if (person % 500 == 0) {
      w = RandomWorld(g);
      ++worlds;
    }
    // One person, one policy key, several claims in a row: the year-to-date
    // figures carry the deltas forward, so caps are tested across claims too.
    Claim claim = RandomClaim(g);
    const policy::Policy* pol =
        w.book.Find(claim.insuplc_admdvs, claim.insutype, claim.med_type, claim.hosp_lv, claim.date);
    Accumulators ytd = pol ? RandomYtd(g, *pol) : Accumulators{};
    const Accumulators opening = ytd;
    const int runs = static_cast<int>(g.Int(1, 6));
    for (int run = 0; run < runs; ++run) {
      if (run > 0) {
        Claim next = RandomClaim(g);
        next.insutype = claim.insutype;
        next.med_type = claim.med_type;
        next.insuplc_admdvs = claim.insuplc_admdvs;
        next.hosp_lv = claim.hosp_lv;
        next.psn_type = claim.psn_type;
        next.birth = claim.birth;
        next.date = claim.date;
        claim = next;
      }
      ++claims;
      SCOPED_TRACE("seed " + std::to_string(kSeed) + " person " + std::to_string(person) + " run " +
                   std::to_string(run));
      const Result<Breakdown> r = Adjudicate(claim, w.catalog, w.book, ytd);
      if (!r.ok()) {
        ++refused;
        const std::string& code = r.status().code();
        ++refused_by_code[code];
        ASSERT_TRUE(code == "XT-SETL-001" || code == "XT-SETL-002" || code == "XT-SETL-003") << code;
        if (code == "XT-SETL-001") {
          ASSERT_EQ(pol, nullptr);
        }
        if (code == "XT-SETL-003") {
          bool has_refund = false;
          for (const ClaimLine& l : claim.lines) has_refund = has_refund || l.amount_fen < 0 || l.cnt_e4 < 0;
          ASSERT_TRUE(has_refund) << "refused without a refund line: " << r.status().ToString();
        }
        continue;
      }
      const Breakdown& b = *r;
      ASSERT_EQ(CheckIdentities(b), "") << b.trace;
      ASSERT_EQ(b.policy_id, pol->id);

      // Nothing paid is negative; the person never gets money back from a
      // claim whose total is not negative.
      ASSERT_GE(b.medfee_sumamt_fen, 0);
      ASSERT_GE(b.psn_part_amt_fen, 0);
      ASSERT_GE(b.psn_cash_pay_fen, 0);
      ASSERT_GE(b.acct_pay_fen, 0);
      ASSERT_LE(b.acct_pay_fen, std::max<Fen>(claim.acct_balance_fen, 0));
      ASSERT_EQ(b.balc_fen, claim.acct_balance_fen - b.acct_pay_fen);
      if (claim.insutype != "310" || !claim.acct_used) {
        ASSERT_EQ(b.acct_pay_fen, 0);
      }

      // Every fund row: within what was left of its cap, and its delta.
      ASSERT_EQ(b.funds.size(), pol->funds.size());
      Fen cap_deltas = 0;
      for (size_t i = 0; i < b.funds.size(); ++i) {
        const policy::FundLayer& layer = pol->funds[i];
        const Fen used = AccumValue(ytd, "cap:" + layer.cap_key);
        ASSERT_EQ(b.funds[i].cap_left_fen, std::max<Fen>(layer.annual_cap_fen - used, 0));
        ASSERT_GE(b.funds[i].pay_fen, 0);
        ASSERT_LE(b.funds[i].pay_fen, b.funds[i].cap_left_fen);
        ASSERT_EQ(AccumValue(b.deltas, "cap:" + layer.cap_key), b.funds[i].pay_fen);
        cap_deltas += b.funds[i].pay_fen;
        if (b.funds[i].pay_fen > 0 && b.funds[i].pay_fen == b.funds[i].cap_left_fen) ++capped;
        if (layer.fund != FundKind::kPooled && b.funds[i].pay_fen > 0) ++overflowed;
      }
      ASSERT_EQ(cap_deltas, b.fund_pay_sumamt_fen);

      // The deductible never exceeds what is left of it.
      const size_t cat = static_cast<size_t>(b.category);
      if (pol->deductible.period == policy::DeductiblePeriod::kYear) {
        const Fen used = AccumValue(ytd, "ded:" + pol->deductible.accum_key);
        const Fen left = std::max<Fen>(*pol->deductible.first_fen[cat] - used, 0);
        ASSERT_LE(b.act_pay_dedc_fen, left);
        ASSERT_EQ(AccumValue(b.deltas, "ded:" + pol->deductible.accum_key), b.act_pay_dedc_fen);
      } else {
        // A stay counts when something of it was in scope.
        ASSERT_EQ(AccumValue(b.deltas, "stay:" + pol->deductible.accum_key), b.inscp_scp_amt_fen > 0 ? 1 : 0);
      }

      // Filing: a cut only for an unfiled cross-province trip not deemed filed.
      const bool cross = claim.insuplc_admdvs.substr(0, 2) != claim.mdtrtarea_admvs.substr(0, 2);
      const bool deemed_now = claim.date >= D(2023, 4, 1);
      ASSERT_EQ(b.filed_effective, !cross || claim.filed || deemed_now);
      ASSERT_EQ(b.unfiled_cut_bp, b.filed_effective ? 0 : pol->unfiled_cut_bp);
      if (!b.filed_effective) {
        ++cut;
        // The cut never makes the funds pay more than the same claim filed
        // would (a fen of rounding per band segment aside), and it does cut.
        Claim filed = claim;
        filed.filed = true;
        const Result<Breakdown> f = Adjudicate(filed, w.catalog, w.book, ytd);
        ASSERT_TRUE(f.ok());
        const Fen slack = 2 * static_cast<Fen>(pol->bands.size() + pol->funds.size());
        ASSERT_LE(b.fund_pay_sumamt_fen, f->fund_pay_sumamt_fen + slack) << b.trace << f->trace;
        if (b.fund_pay_sumamt_fen < f->fund_pay_sumamt_fen) ++cut_paid_less;
      }
      if (cross && !claim.filed && deemed_now) ++deemed;

      // Pure: the same claim again gives the same breakdown and trace.
      const Result<Breakdown> again = Adjudicate(claim, w.catalog, w.book, ytd);
      ASSERT_TRUE(again.ok());
      ASSERT_EQ(Dump(*again), Dump(b));

      Apply(b.deltas, &ytd);
    }
    // Across the person's claims no fund went past its annual cap (unless
    // the opening figure already had).
    if (pol != nullptr) {
      for (const policy::FundLayer& layer : pol->funds) {
        const Fen opened = AccumValue(opening, "cap:" + layer.cap_key);
        ASSERT_LE(AccumValue(ytd, "cap:" + layer.cap_key), std::max(layer.annual_cap_fen, opened));
      }
    }
  }
  ASSERT_GE(claims, 10000);
  // The random mix must actually reach the interesting paths.
  EXPECT_LT(refused, claims / 4);
  EXPECT_GT(capped, 100);
  EXPECT_GT(overflowed, 100);
  EXPECT_GT(cut, 100);
  EXPECT_GT(cut_paid_less, cut / 4);
  EXPECT_GT(deemed, 100);
  std::printf("[ property ] %d worlds, %d claims, %d refused, %d cap hits, %d overflow payments, %d cut (%d paid "
              "less than filed), %d deemed\n",
              worlds, claims, refused, capped, overflowed, cut, cut_paid_less, deemed);
  for (const auto& [code, n] : refused_by_code) std::printf("[ property ] refused %s: %d\n", code.c_str(), n);
}

// A claim followed by the exact refund of each of its lines nets to zero in
// every part, and so pays nothing.
TEST(EnginePropertyTest, FullRefundNetsToZero) {
  Gen g(7);
  const World w = RandomWorld(g);
  int checked = 0;
  for (int i = 0; i < 2000; ++i) {
    Claim c = RandomClaim(g);
    std::vector<ClaimLine> charges;
    for (const ClaimLine& l : c.lines) {
      if (l.amount_fen >= 0 && l.cnt_e4 > 0) charges.push_back(l);
    }
    c.lines = charges;
    for (const ClaimLine& l : charges) {
      c.lines.push_back({l.feedetl_sn + "R", l.med_list_codg, -l.amount_fen, -l.cnt_e4, l.fee_date});
    }
    const Result<Breakdown> r = Adjudicate(c, w.catalog, w.book, {});
    if (!r.ok()) {
      ASSERT_NE(r.status().code(), "XT-SETL-003") << r.status().ToString();
      continue;
    }
    ++checked;
    ASSERT_EQ(r->medfee_sumamt_fen, 0);
    ASSERT_EQ(r->fulamt_ownpay_amt_fen, 0);
    ASSERT_EQ(r->overlmt_selfpay_fen, 0);
    ASSERT_EQ(r->preselfpay_amt_fen, 0);
    ASSERT_EQ(r->inscp_scp_amt_fen, 0);
    ASSERT_EQ(r->fund_pay_sumamt_fen, 0);
    ASSERT_EQ(r->psn_part_amt_fen, 0);
    for (size_t k = 0; k < charges.size(); ++k) {
      const LineResult& a = r->lines[k];
      const LineResult& b = r->lines[k + charges.size()];
      ASSERT_EQ(a.overlmt_fen, -b.overlmt_fen);
      ASSERT_EQ(a.preselfpay_fen, -b.preselfpay_fen);
      ASSERT_EQ(a.inscp_fen, -b.inscp_fen);
    }
  }
  EXPECT_GT(checked, 500);
}

}  // namespace
}  // namespace xt::settle
