// The adjudication engine (engine.h; the rules in docs/settlement.md, the
// rounding in docs/rounding.md).
//
// Written for speed as well as for reading: the engine runs once per claim on
// the settlement path and the benchmark asks for >= 200,000 claims of 20
// lines per second on one core, trace included. So: no iostreams, no regex,
// no temporary strings for accumulator keys (prefix and key are compared in
// place), vectors reserved up front, and the trace appended into one reserved
// std::string with amounts formatted by hand.
#include "settle/engine.h"
#include "core/interface_codes.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace xt::settle {

using catalog::ChargeClass;
using policy::Band;
using policy::BandBasis;
using policy::DeductiblePeriod;
using policy::FundKind;
using policy::FundLayer;
using policy::PersonCategory;
using policy::Policy;

namespace {

constexpr std::string_view kDedPrefix = "ded:";
constexpr std::string_view kStayPrefix = "stay:";
constexpr std::string_view kCapPrefix = "cap:";
constexpr std::string_view kInscpPrefix = "inscp:";
constexpr Fen kOpen = std::numeric_limits<Fen>::max();

// Sum of the entries whose key is prefix + key, compared in place.
int64_t AccumOf(const Accumulators& acc, std::string_view prefix, std::string_view key) {
  int64_t total = 0;
  const size_t n = prefix.size() + key.size();
  for (const AccumEntry& e : acc) {
    if (e.key.size() == n && std::string_view(e.key).substr(0, prefix.size()) == prefix &&
        std::string_view(e.key).substr(prefix.size()) == key) {
      total += e.value;
    }
  }
  return total;
}

void AddDelta(Accumulators* deltas, std::string_view prefix, std::string_view key, int64_t value) {
  if (value == 0) return;
  AccumEntry& e = deltas->emplace_back();
  e.key.reserve(prefix.size() + key.size());
  e.key.append(prefix).append(key);
  e.value = value;
}

Fen SaturatingAdd(Fen a, Fen b) {
  Fen out;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? kOpen : std::numeric_limits<Fen>::min();
  return out;
}

// The line's price cap: per-unit cap x |cnt| rounded half away from zero
// (the same rule as ApplyRatio, with cnt scaled by 10,000).
Fen LineCapFen(Fen price_cap_fen, int64_t cnt_e4) {
  const __int128 magnitude = cnt_e4 < 0 ? -static_cast<__int128>(cnt_e4) : cnt_e4;
  const __int128 p = static_cast<__int128>(price_cap_fen) * magnitude;
  const __int128 cap = (p + kWholeBp / 2) / kWholeBp;
  return cap > std::numeric_limits<Fen>::max() ? kOpen : static_cast<Fen>(cap);
}

// Step 1 for one line: its class, cap and self-pay share from the catalogue
// version in force (nullptr: not listed), and its four parts. Everything but
// feedetl_sn and med_list_codg is filled in.
void SplitParts(const ClaimLine& in, const catalog::ItemVersion* item, LineResult* r) {
  r->amount_fen = in.amount_fen;
  if (item == nullptr) {
    r->fulamt_ownpay_fen = in.amount_fen;
    return;
  }
  r->listed = true;
  r->charge_class = item->charge_class;
  r->selfpay_prop_bp = item->selfpay_prop_bp;
  r->price_cap_fen = item->price_cap_fen;
  if (item->charge_class == ChargeClass::kC) {
    r->fulamt_ownpay_fen = in.amount_fen;
    return;
  }
  // Computed on magnitudes and given the amount's sign, so a refund line is
  // exactly the negation of the line it cancels.
  const bool negative = in.amount_fen < 0;
  const Fen magnitude = negative ? -in.amount_fen : in.amount_fen;
  Fen over = 0;
  if (item->price_cap_fen) over = std::max<Fen>(magnitude - LineCapFen(*item->price_cap_fen, in.cnt_e4), 0);
  r->overlmt_fen = negative ? -over : over;
  r->lmt_used = over != 0;
  if (item->charge_class == ChargeClass::kB) {
    r->preselfpay_fen = ApplyRatio(in.amount_fen - r->overlmt_fen, item->selfpay_prop_bp);
  }
  r->inscp_fen = in.amount_fen - r->overlmt_fen - r->preselfpay_fen;
}

// ---- Trace formatting: appends into one std::string, no temporaries. ----

class Tracer {
 public:
  explicit Tracer(std::string* out) : out_(out) {}
  Tracer& S(std::string_view s) {
    out_->append(s);
    return *this;
  }
  Tracer& C(char c) {
    out_->push_back(c);
    return *this;
  }
  Tracer& I(int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_->append(buf, r.ptr);
    return *this;
  }
  // Fen as yuan, "1234.56", "-0.05". Digits are written backwards into a
  // small buffer: this runs a few dozen times per claim.
  Tracer& Y(Fen f) {
    char buf[32];
    char* end = buf + sizeof buf;
    char* p = end;
    uint64_t mag = f < 0 ? 0 - static_cast<uint64_t>(f) : static_cast<uint64_t>(f);
    *--p = static_cast<char>('0' + mag % 10);
    mag /= 10;
    *--p = static_cast<char>('0' + mag % 10);
    mag /= 10;
    *--p = '.';
    do {
      *--p = static_cast<char>('0' + mag % 10);
      mag /= 10;
    } while (mag != 0);
    if (f < 0) *--p = '-';
    out_->append(p, static_cast<size_t>(end - p));
    return *this;
  }
  // A position bound: yuan, or "∞" for an open band.
  Tracer& Pos(Fen f) { return f == kOpen ? S("∞") : Y(f); }
  // Basis points as a percentage, "95.50%".
  Tracer& Pct(BasisPoints bp) {
    Y(bp);
    return C('%');
  }
  Tracer& D(Date d) {
    int y, m, day;
    d.ToCivil(&y, &m, &day);
    char buf[16];
    char* p = std::to_chars(buf, buf + 8, y).ptr;
    *p++ = '-';
    *p++ = static_cast<char>('0' + m / 10);
    *p++ = static_cast<char>('0' + m % 10);
    *p++ = '-';
    *p++ = static_cast<char>('0' + day / 10);
    *p++ = static_cast<char>('0' + day % 10);
    out_->append(buf, p);
    return *this;
  }
  Tracer& NL() { return C('\n'); }

 private:
  std::string* out_;
};

BasisPoints Cut(std::optional<BasisPoints> ratio, BasisPoints cut_bp) {
  return std::max<BasisPoints>(ratio.value_or(0) - cut_bp, 0);
}

// Per-claim state of one fund layer.
struct FundState {
  const FundLayer* layer = nullptr;
  size_t row = 0;             // index in Breakdown::funds
  Fen ytd_paid_fen = 0;       // before this claim
  Fen cap_left_before_fen = 0;
  Fen paid_fen = 0;           // in this claim
};

struct BandContext {
  size_t category;
  BasisPoints cut_bp;
  std::array<FundState, policy::kFundKindCount> states;
  std::array<int, policy::kFundKindCount> state_of;  // FundKind -> index in states, -1 none
  Breakdown* b;
  Tracer* t;
};

// Pays `amount_fen` of in-scope amount of the band [lower, upper) at
// `ratio_bp` from `fund`, limited by what is left of its cap; above the cap
// the fund's overflow layer takes over (recursively: overflow chains are
// acyclic, checked by PolicyBook::Add). `from` is the fund whose cap was
// reached, for an overflow step.
void PayFrom(BandContext& ctx, FundKind fund, Fen lower, Fen upper, Fen amount_fen, BasisPoints ratio_bp,
             const FundKind* from, int depth) {
  const int si = ctx.state_of[static_cast<size_t>(fund)];
  XT_INVARIANT(si >= 0 && depth <= static_cast<int>(policy::kFundKindCount), "fund layer missing or overflow loops");
  FundState& st = ctx.states[static_cast<size_t>(si)];
  Tracer& t = *ctx.t;
  FundPayment& row = ctx.b->funds[st.row];
  Tracer info(&row.info);
  if (row.info.empty()) {
    row.info.reserve(160);
  } else {
    info.S("; ");
  }
  info.S("band [").Y(lower).S(", ").Pos(upper).S(") ");
  if (from != nullptr) info.S("above the ").S(policy::FundKindName(*from)).S(" cap ");

  const Fen left = std::max<Fen>(st.cap_left_before_fen - st.paid_fen, 0);
  const Fen full = ApplyRatio(amount_fen, ratio_bp);
  t.S(policy::FundKindName(fund)).C(' ').Pct(ratio_bp).S(": amount ").Y(amount_fen).S(", pay ");
  if (full <= left) {
    st.paid_fen += full;
    row.inscp_fen += amount_fen;
    t.Y(full);
    info.Y(amount_fen).S(" at ").Pct(ratio_bp).S(" = ").Y(full);
    return;
  }
  // The cap is reached inside this segment: the fund pays what is left, which
  // covers the smallest in-scope amount whose ratio product reaches it.
  const Fen covered = AmountCoveredBy(left, ratio_bp);
  const Fen rest = amount_fen - covered;
  st.paid_fen += left;
  row.inscp_fen += covered;
  t.Y(left).S(" on ").Y(covered).S(", cap hit 达到封顶 (annual cap ").Y(st.layer->annual_cap_fen).S(")");
  info.Y(covered).S(" at ").Pct(ratio_bp).S(" = ").Y(left).S(", cap ").Y(st.layer->annual_cap_fen).S(" reached");
  if (st.layer->overflow_to) {
    const BasisPoints r2 = Cut(st.layer->overflow_ratio_bp[ctx.category], ctx.cut_bp);
    t.S("; above the cap ");
    const FundKind capped = st.layer->fund;
    PayFrom(ctx, *st.layer->overflow_to, lower, upper, rest, r2, &capped, depth + 1);
  } else {
    t.S("; ").Y(rest).S(" above the cap is the person's");
  }
}

}  // namespace

LineResult SplitLine(const ClaimLine& line, const catalog::Catalog& catalog, std::string_view mdtrtarea_admvs,
                     Date on) {
  LineResult r;
  r.feedetl_sn = line.feedetl_sn;
  r.med_list_codg = line.med_list_codg;
  SplitParts(line, catalog.Find(mdtrtarea_admvs, line.med_list_codg, on), &r);
  return r;
}

namespace {

bool IsRefund(const ClaimLine& l) { return l.amount_fen < 0 || l.cnt_e4 < 0; }

// What the lines of one item (one med_list_codg classed by one catalogue
// version) add up to.
struct ItemSums {
  Fen amount_fen = 0;
  int64_t cnt_e4 = 0;
  Fen fulamt_ownpay_fen = 0;
  Fen overlmt_fen = 0;
  Fen preselfpay_fen = 0;
  Fen inscp_fen = 0;
  bool Overdrawn() const {
    return amount_fen < 0 || cnt_e4 < 0 || fulamt_ownpay_fen < 0 || overlmt_fen < 0 || preselfpay_fen < 0 ||
           inscp_fen < 0;
  }
};

// What the catalogue said of the item, taken by a refund from the line it
// is split from.
void TakeClassOf(const LineResult& from, LineResult* r) {
  r->listed = from.listed;
  r->charge_class = from.charge_class;
  r->selfpay_prop_bp = from.selfpay_prop_bp;
  r->price_cap_fen = from.price_cap_fen;
}

// The sums of lines [0, upto) of the item that line `of` belongs to.
ItemSums SumsOfItem(const std::vector<ClaimLine>& lines, const std::vector<LineResult>& out,
                    const std::vector<const catalog::ItemVersion*>& version, size_t of, size_t upto) {
  ItemSums sums;
  for (size_t k = 0; k < upto; ++k) {
    if (version[k] != version[of] || lines[k].med_list_codg != lines[of].med_list_codg) continue;
    const LineResult& r = out[k];
    sums.amount_fen += r.amount_fen;
    sums.cnt_e4 += lines[k].cnt_e4;
    sums.fulamt_ownpay_fen += r.fulamt_ownpay_fen;
    sums.overlmt_fen += r.overlmt_fen;
    sums.preselfpay_fen += r.preselfpay_fen;
    sums.inscp_fen += r.inscp_fen;
  }
  return sums;
}

}  // namespace

std::vector<LineResult> SplitLines(const std::vector<ClaimLine>& lines, const catalog::Catalog& catalog,
                                   std::string_view mdtrtarea_admvs, Date claim_date, std::string* overdrawn) {
  std::vector<LineResult> out;
  out.reserve(lines.size());
  bool any_refund = false;
  for (const ClaimLine& l : lines) any_refund = any_refund || IsRefund(l);
  if (!any_refund) {
    // The common case: every line on its own, no bookkeeping.
    for (const ClaimLine& l : lines) {
      LineResult& r = out.emplace_back();
      r.feedetl_sn = l.feedetl_sn;
      r.med_list_codg = l.med_list_codg;
      SplitParts(l, catalog.Find(mdtrtarea_admvs, l.med_list_codg, l.fee_date.value_or(claim_date)), &r);
    }
    return out;
  }

  // With refunds: each line's catalogue version (a refund takes its
  // charge's), and the charge lines a refund matched exactly. A refund
  // looks back over the lines before it, so a claim of n lines with m
  // refunds costs O(n x m) comparisons; the common claims have none.
  const size_t n = lines.size();
  std::vector<const catalog::ItemVersion*> version(n, nullptr);
  std::vector<char> cancelled(n, 0);  // (two small allocations, in claims with refunds only)
  for (size_t i = 0; i < n; ++i) {
    const ClaimLine& l = lines[i];
    LineResult& r = out.emplace_back();
    r.feedetl_sn = l.feedetl_sn;
    r.med_list_codg = l.med_list_codg;
    size_t charge = n;  // the latest earlier charge of the code
    if (IsRefund(l)) {
      for (size_t j = i; j-- > 0;) {
        if (!IsRefund(lines[j]) && lines[j].med_list_codg == l.med_list_codg) {
          charge = j;
          break;
        }
      }
    }
    if (charge == n) {
      // A charge, or a refund with nothing to cancel in the claim: on its own.
      version[i] = catalog.Find(mdtrtarea_admvs, l.med_list_codg, l.fee_date.value_or(claim_date));
      SplitParts(l, version[i], &r);
      continue;
    }
    version[i] = version[charge];
    size_t match = n;
    for (size_t j = 0; j < i; ++j) {
      if (version[j] == version[i] && !cancelled[j] && !IsRefund(lines[j]) && lines[j].cnt_e4 == -l.cnt_e4 &&
          lines[j].amount_fen == -l.amount_fen && lines[j].med_list_codg == l.med_list_codg) {
        match = j;
        break;
      }
    }
    if (match != n) {
      // Cancels a charge line whole: its exact negation.
      cancelled[match] = 1;
      const LineResult& m = out[match];
      r.amount_fen = l.amount_fen;
      TakeClassOf(m, &r);
      r.fulamt_ownpay_fen = -m.fulamt_ownpay_fen;
      r.overlmt_fen = -m.overlmt_fen;
      r.preselfpay_fen = -m.preselfpay_fen;
      r.inscp_fen = -m.inscp_fen;
      r.lmt_used = m.lmt_used;
      continue;
    }
    // A partial refund: what is left of the item, split as one line, less
    // what the item holds before it.
    const ItemSums it = SumsOfItem(lines, out, version, i, i);
    ClaimLine rest;
    rest.amount_fen = it.amount_fen + l.amount_fen;
    rest.cnt_e4 = it.cnt_e4 + l.cnt_e4;
    LineResult left;
    SplitParts(rest, version[i], &left);
    r.amount_fen = l.amount_fen;
    TakeClassOf(left, &r);
    r.fulamt_ownpay_fen = left.fulamt_ownpay_fen - it.fulamt_ownpay_fen;
    r.overlmt_fen = left.overlmt_fen - it.overlmt_fen;
    r.preselfpay_fen = left.preselfpay_fen - it.preselfpay_fen;
    r.inscp_fen = left.inscp_fen - it.inscp_fen;
    r.lmt_used = r.overlmt_fen != 0;
  }
  // Only an item with a refund can be overdrawn (a charge's parts are >= 0).
  if (overdrawn != nullptr) {
    for (size_t i = 0; i < n && overdrawn->empty(); ++i) {
      if (IsRefund(lines[i]) && SumsOfItem(lines, out, version, i, n).Overdrawn()) *overdrawn = lines[i].med_list_codg;
    }
  }
  return out;
}

int64_t AccumValue(const Accumulators& acc, std::string_view key) {
  int64_t total = 0;
  for (const AccumEntry& e : acc) {
    if (e.key == key) total += e.value;
  }
  return total;
}

namespace {

// Adjudicate's steps, in the order docs/settlement.md numbers them. Each
// writes its part of the breakdown and its line of the trace.

// What applies to the claim: the insurance place's policy in force and the
// person's category. Looked up first: without them there is nothing to do.
struct Applicable {
  const Policy* pol = nullptr;
  PersonCategory category{};
  size_t cat = 0;  // the category as an index into the policy's figures
};

Result<Applicable> FindApplicable(const Claim& claim, const policy::PolicyBook& policies) {
  const Policy* pol = policies.Find(claim.insuplc_admdvs, claim.insutype, claim.med_type, claim.hosp_lv, claim.date);
  if (pol == nullptr) {
    // What was looked for is no personal data, and tells the hospital what
    // to ask the insurance place's agency about.
    const std::string sought = claim.insuplc_admdvs + " insutype " + claim.insutype + " med_type " + claim.med_type +
                               " level " + std::to_string(claim.hosp_lv) + " on " + claim.date.ToString();
    return Status::Error("XT-SETL-001", "no policy of the insurance place applies to this claim (" + sought + ")",
                         sought);
  }
  const std::optional<PersonCategory> category = policy::CategoryOf(claim.psn_type, claim.birth, claim.date);
  if (!category) {
    return Status::Error("XT-SETL-002", "the person's category cannot be derived",
                         "psn_type '" + claim.psn_type + "' birth " + claim.birth.ToString());
  }
  const size_t cat = static_cast<size_t>(*category);
  if (!pol->deductible.first_fen[cat]) {
    return Status::Error("XT-SETL-002", "the policy has no figures for the person's category",
                         "policy " + pol->id + " category " + std::string(policy::CategoryName(*category)));
  }
  return Applicable{pol, *category, cat};
}

// Step 1: each line by the treatment place's catalogue, and the claim's
// totals of each part. Refuses a negative claim and overdrawn refunds.
Status SplitClaimLines(const Claim& claim, const catalog::Catalog& catalog, Breakdown& b, Tracer& t) {
  std::string overdrawn;
  b.lines = SplitLines(claim.lines, catalog, claim.mdtrtarea_admvs, claim.date, &overdrawn);
  int not_listed = 0, class_c = 0, over_cap = 0, class_b = 0, refunds = 0;
  // The catalogue days the lines were classed on, for the trace.
  Date first_fee = claim.lines.empty() ? claim.date : claim.lines[0].fee_date.value_or(claim.date);
  Date last_fee = first_fee;
  for (size_t i = 0; i < claim.lines.size(); ++i) {
    const ClaimLine& in = claim.lines[i];
    const LineResult& r = b.lines[i];
    if (IsRefund(in)) ++refunds;
    first_fee = std::min(first_fee, in.fee_date.value_or(claim.date));
    last_fee = std::max(last_fee, in.fee_date.value_or(claim.date));
    if (!r.listed) {
      ++not_listed;
    } else if (r.charge_class == ChargeClass::kC) {
      ++class_c;
    } else if (r.charge_class == ChargeClass::kB) {
      ++class_b;
    }
    if (r.lmt_used) ++over_cap;
    b.medfee_sumamt_fen += r.amount_fen;
    b.fulamt_ownpay_amt_fen += r.fulamt_ownpay_fen;
    b.overlmt_selfpay_fen += r.overlmt_fen;
    b.preselfpay_amt_fen += r.preselfpay_fen;
    b.inscp_scp_amt_fen += r.inscp_fen;
  }
  if (b.medfee_sumamt_fen < 0) {
    return Status::Error("XT-SETL-003", "the claim's total is negative",
                         "medfee_sumamt " + FormatFen(b.medfee_sumamt_fen));
  }
  // A refund line cancels a charge of its item in the same claim. Refunds
  // that exceed the charges of their item belong to an already settled
  // claim: that is a reversal (2208/2305), not a new claim. Refusing them
  // keeps every item's parts, so every part and the person's part,
  // non-negative.
  if (!overdrawn.empty()) {
    return Status::Error("XT-SETL-003", "refund lines of item " + overdrawn + " exceed its charges in this claim",
                         "item " + overdrawn);
  }
  XT_INVARIANT(b.fulamt_ownpay_amt_fen >= 0 && b.overlmt_selfpay_fen >= 0 && b.preselfpay_amt_fen >= 0 &&
                   b.inscp_scp_amt_fen >= 0,
               "no item overdrawn, so no part is negative");

  t.S("1 明细 lines: ").I(static_cast<int64_t>(claim.lines.size())).S(" (not listed ").I(not_listed);
  t.S(", 丙 ").I(class_c).S(", 乙 ").I(class_b).S(", over price cap ").I(over_cap).S(", refund ").I(refunds);
  t.S(") in the ").S(std::string_view(claim.mdtrtarea_admvs).substr(0, 2)).S("0000 catalogue ");
  if (first_fee == last_fee) {
    t.S("on ").D(first_fee);
  } else {
    t.S("of each fee's date (").D(first_fee).S(" to ").D(last_fee).S(")");
  }
  t.S("; medfee ").Y(b.medfee_sumamt_fen).S(" = 全自费 fulamt_ownpay ").Y(b.fulamt_ownpay_amt_fen);
  t.S(" + 超限价 overlmt ").Y(b.overlmt_selfpay_fen).S(" + 先行自付 preselfpay ").Y(b.preselfpay_amt_fen);
  t.S(" + 范围内 inscp ").Y(b.inscp_scp_amt_fen).NL();
  return Status::Ok();
}

// Step 2: the policy and category found, and whether the trip counts as
// filed; an unfiled cross-province trip has every ratio cut.
void DecideFiling(const Claim& claim, const policy::PolicyBook& policies, const Applicable& a, Breakdown& b,
                  Tracer& t) {
  const Policy& pol = *a.pol;
  const std::string_view insuplc = claim.insuplc_admdvs;
  const std::string_view mdtrtarea = claim.mdtrtarea_admvs;
  const bool same_province = insuplc.size() >= 2 && mdtrtarea.size() >= 2 && insuplc[0] == mdtrtarea[0] &&
                             insuplc[1] == mdtrtarea[1];
  t.S("2 政策 policy ").S(pol.id).S(pol.sample ? " (sample)" : "").S("; category ");
  t.S(policy::CategoryName(a.category)).S(" (psn_type ").S(claim.psn_type).S("); ");
  const policy::DeemedFiledRule* deemed = nullptr;
  if (same_province) {
    t.S("same province: no filing needed");
  } else if (claim.filed) {
    t.S("filed 已备案");
  } else if ((deemed = policies.DeemedFiled(insuplc, mdtrtarea, claim.med_type, claim.date)) != nullptr) {
    t.S("deemed filed 视同备案 (rule from ").D(deemed->validity.begin).S(")");
  } else {
    b.filed_effective = false;
    b.unfiled_cut_bp = pol.unfiled_cut_bp;
    t.S("unfiled 未备案 cross-province trip: every ratio cut by ").Y(b.unfiled_cut_bp).S(" points");
  }
  t.NL();
}

// Step 3: the deductible, per year (what is left of the year's) or per stay
// (the first stay's figure, or a later stay's).
void ApplyDeductible(const Applicable& a, const Accumulators& ytd, Breakdown& b, Tracer& t) {
  const Fen S = b.inscp_scp_amt_fen;
  const policy::DeductibleRule& ded = a.pol->deductible;
  const Fen first_fen = *ded.first_fen[a.cat];
  Fen remaining = 0;
  t.S("3 起付线 deductible");
  if (ded.period == DeductiblePeriod::kYear) {
    const Fen used = AccumOf(ytd, kDedPrefix, ded.accum_key);
    remaining = std::max<Fen>(first_fen - used, 0);
    b.act_pay_dedc_fen = std::min(std::max<Fen>(S, 0), remaining);
    t.S(" (per year): policy ").Y(first_fen).S(", used this year ").Y(used);
  } else {
    const int64_t stays = AccumOf(ytd, kStayPrefix, ded.accum_key);
    remaining = stays <= 0 ? first_fen : ded.later_fen[a.cat].value_or(first_fen);
    b.act_pay_dedc_fen = std::min(std::max<Fen>(S, 0), remaining);
    t.S(" (per stay): stay ").I(std::max<int64_t>(stays, 0) + 1).S(" this year, policy ").Y(remaining);
  }
  t.S(", applied ").Y(b.act_pay_dedc_fen).NL();
}

// Step 4: the payable in-scope amount, band by band, each segment paid by
// its band's fund at its ratio (PayFrom: caps and overflow). Fills
// ctx.states with what each fund paid.
void PayBands(const Applicable& a, const Accumulators& ytd, BandContext& ctx) {
  const Policy& pol = *a.pol;
  Breakdown& b = *ctx.b;
  Tracer& t = *ctx.t;
  // PolicyBook::Add refuses a fund named twice, so a policy has at most one
  // layer per fund kind.
  XT_INVARIANT(pol.funds.size() <= policy::kFundKindCount, "policy " + pol.id + " has too many fund layers");
  ctx.state_of.fill(-1);
  b.funds.reserve(pol.funds.size());
  for (size_t i = 0; i < pol.funds.size(); ++i) {
    const FundLayer& layer = pol.funds[i];
    FundState& st = ctx.states[i];
    st.layer = &layer;
    st.row = i;
    st.ytd_paid_fen = AccumOf(ytd, kCapPrefix, layer.cap_key);
    st.cap_left_before_fen = std::max<Fen>(layer.annual_cap_fen - st.ytd_paid_fen, 0);
    ctx.state_of[static_cast<size_t>(layer.fund)] = static_cast<int>(i);
    FundPayment& row = b.funds.emplace_back();
    row.fund = layer.fund;
    row.fund_pay_type = layer.fund_pay_type;
    row.cap_left_fen = st.cap_left_before_fen;
  }

  const Fen S = b.inscp_scp_amt_fen;
  const Fen year_before = pol.band_basis == BandBasis::kYear
                              ? std::max<Fen>(AccumOf(ytd, kInscpPrefix, pol.band_accum_key), 0)
                              : 0;
  const Fen pay_from = SaturatingAdd(year_before, b.act_pay_dedc_fen);
  const Fen pay_to = SaturatingAdd(year_before, std::max<Fen>(S, 0));

  // The pooled fund's ratio where payment starts (what pool_prop_selfpay
  // reports); 0 when nothing is payable, as when another fund pays there.
  for (const Band& band : pol.bands) {
    if (pay_from >= pay_to) break;
    if (pay_from < band.upper_fen) {
      if (band.fund == FundKind::kPooled) b.pool_prop_selfpay_bp = Cut(band.ratio_bp[a.cat], ctx.cut_bp);
      break;
    }
  }

  t.S("4 分段 bands (");
  if (pol.band_basis == BandBasis::kYear) {
    t.S("year basis, in scope this year before ").Y(year_before);
  } else {
    t.S("claim basis");
  }
  if (pay_from < pay_to) {
    t.S("): payable [").Y(pay_from).S(", ").Y(pay_to).S(") = ").Y(pay_to - pay_from).NL();
  } else {
    t.S("): nothing payable").NL();
  }
  int segment = 0;
  Fen lower = 0;
  for (const Band& band : pol.bands) {
    if (lower >= pay_to) break;
    const Fen seg_lo = std::max(lower, pay_from);
    const Fen seg_hi = std::min(band.upper_fen, pay_to);
    if (seg_lo < seg_hi) {
      const BasisPoints r = Cut(band.ratio_bp[a.cat], ctx.cut_bp);
      t.S("4.").I(++segment).S(" band [").Y(lower).S(", ").Pos(band.upper_fen).S(") segment [").Y(seg_lo);
      t.S(", ").Y(seg_hi).S(") ");
      PayFrom(ctx, band.fund, lower, band.upper_fen, seg_hi - seg_lo, r, nullptr, 0);
      t.NL();
    }
    lower = band.upper_fen;
  }
  if (pay_to > lower && pay_from < pay_to) {
    const Fen seg_lo = std::max(lower, pay_from);
    t.S("4.").I(++segment).S(" above the last band [").Y(seg_lo).S(", ").Y(pay_to).S("): ").Y(pay_to - seg_lo);
    t.S(" is the person's").NL();
  }
}

// Step 5: each fund's total into its row and its interface field.
void TotalFunds(const BandContext& ctx, size_t fund_count, Breakdown& b, Tracer& t) {
  t.S("5 基金 funds:");
  for (size_t i = 0; i < fund_count; ++i) {
    const FundState& st = ctx.states[i];
    FundPayment& row = b.funds[i];
    row.pay_fen = st.paid_fen;
    switch (st.layer->fund) {
      case FundKind::kPooled: b.hifp_pay_fen += st.paid_fen; break;
      case FundKind::kLargeAmount: b.hifob_pay_fen += st.paid_fen; break;
      case FundKind::kCriticalIllness: b.hifmi_pay_fen += st.paid_fen; break;
      case FundKind::kCivilServant: b.cvlserv_pay_fen += st.paid_fen; break;
      case FundKind::kEnterprise: b.hifes_pay_fen += st.paid_fen; break;
      case FundKind::kMedicalAssistance: b.maf_pay_fen += st.paid_fen; break;
      case FundKind::kOther: b.oth_pay_fen += st.paid_fen; break;
    }
    b.fund_pay_sumamt_fen += st.paid_fen;
    t.S(i == 0 ? " " : ", ").S(policy::FundKindName(st.layer->fund)).C(' ').S(st.layer->fund_pay_type);
    t.S(" pays ").Y(st.paid_fen).S(" (cap left ").Y(st.cap_left_before_fen).S(" -> ");
    t.Y(st.cap_left_before_fen - st.paid_fen).C(')');
    if (row.info.empty()) row.info = "nothing payable";
  }
  t.S("; total ").Y(b.fund_pay_sumamt_fen).NL();
}

// Step 6: the person's part, what the personal account pays of it, cash.
void SplitPersonPart(const Claim& claim, Breakdown& b, Tracer& t) {
  b.psn_part_amt_fen = b.medfee_sumamt_fen - b.fund_pay_sumamt_fen;
  t.S("6 个人 person: part ").Y(b.psn_part_amt_fen).S("; ");
  if (claim.insutype == code::kInsutypeEmployeeBasic && claim.acct_used) {
    b.acct_pay_fen = std::min(std::max<Fen>(b.psn_part_amt_fen, 0), std::max<Fen>(claim.acct_balance_fen, 0));
    b.balc_fen = claim.acct_balance_fen - b.acct_pay_fen;
    t.S("个人账户 account: balance ").Y(claim.acct_balance_fen).S(", pays ").Y(b.acct_pay_fen).S(", left ");
    t.Y(b.balc_fen);
  } else {
    b.acct_pay_fen = 0;
    b.balc_fen = claim.acct_balance_fen;
    t.S(claim.insutype == code::kInsutypeEmployeeBasic ? "account not used" : "no personal account for this insutype");
  }
  b.psn_cash_pay_fen = b.psn_part_amt_fen - b.acct_pay_fen;
  t.S("; 现金 cash ").Y(b.psn_cash_pay_fen).NL();
}

// What the claim adds to the person's accumulators (zeros are left out).
void RecordDeltas(const Policy& pol, const BandContext& ctx, Breakdown& b) {
  const policy::DeductibleRule& ded = pol.deductible;
  b.deltas.reserve(2 + pol.funds.size());
  if (ded.period == DeductiblePeriod::kYear) {
    AddDelta(&b.deltas, kDedPrefix, ded.accum_key, b.act_pay_dedc_fen);
  } else {
    // A per-stay policy settles a stay, and the stay counts as the year's
    // (first or later) only when something of it was in scope: a stay that
    // nets to nothing in scope applied no deductible (docs/settlement.md).
    AddDelta(&b.deltas, kStayPrefix, ded.accum_key, b.inscp_scp_amt_fen > 0 ? 1 : 0);
  }
  if (pol.band_basis == BandBasis::kYear) AddDelta(&b.deltas, kInscpPrefix, pol.band_accum_key, b.inscp_scp_amt_fen);
  for (size_t i = 0; i < pol.funds.size(); ++i) {
    AddDelta(&b.deltas, kCapPrefix, pol.funds[i].cap_key, ctx.states[i].paid_fen);
  }
}

}  // namespace

Result<Breakdown> Adjudicate(const Claim& claim, const catalog::Catalog& catalog,
                             const policy::PolicyBook& policies, const Accumulators& ytd) {
  // Step 2's look-up first: the policy and the category decide whether to go on.
  XT_ASSIGN_OR_RETURN(const Applicable a, FindApplicable(claim, policies));

  Breakdown b;
  b.lines.reserve(claim.lines.size());
  b.trace.reserve(720 + 200 * a.pol->bands.size() + 120 * a.pol->funds.size());
  Tracer t(&b.trace);
  XT_RETURN_IF_ERROR(SplitClaimLines(claim, catalog, b, t));
  b.policy_id = a.pol->id;
  b.category = a.category;
  DecideFiling(claim, policies, a, b, t);
  ApplyDeductible(a, ytd, b, t);
  BandContext ctx;
  ctx.category = a.cat;
  ctx.cut_bp = b.unfiled_cut_bp;
  ctx.b = &b;
  ctx.t = &t;
  PayBands(a, ytd, ctx);
  TotalFunds(ctx, a.pol->funds.size(), b, t);
  SplitPersonPart(claim, b, t);
  RecordDeltas(*a.pol, ctx, b);
  return b;
}

// The breakdown's identities (docs/settlement.md), one line each: long
// because there are that many, and each reads as the rule it checks.
std::string CheckIdentities(const Breakdown& b) {
  std::string out;
  auto fail = [&out](const std::string& what) {
    if (!out.empty()) out += "; ";
    out += what;
  };
  auto eq = [&fail](const char* what, Fen lhs, Fen rhs) {
    if (lhs != rhs) fail(std::string(what) + ": " + FormatFen(lhs) + " != " + FormatFen(rhs));
  };
  auto nonneg = [&fail](const char* what, Fen v) {
    if (v < 0) fail(std::string(what) + " is negative: " + FormatFen(v));
  };

  eq("medfee = fulamt + overlmt + preselfpay + inscp", b.medfee_sumamt_fen,
     b.fulamt_ownpay_amt_fen + b.overlmt_selfpay_fen + b.preselfpay_amt_fen + b.inscp_scp_amt_fen);
  Fen amount = 0, fulamt = 0, overlmt = 0, preselfpay = 0, inscp = 0;
  for (const LineResult& l : b.lines) {
    if (l.amount_fen != l.fulamt_ownpay_fen + l.overlmt_fen + l.preselfpay_fen + l.inscp_fen) {
      fail("line " + l.feedetl_sn + ": amount != its parts");
    }
    amount += l.amount_fen;
    fulamt += l.fulamt_ownpay_fen;
    overlmt += l.overlmt_fen;
    preselfpay += l.preselfpay_fen;
    inscp += l.inscp_fen;
  }
  eq("medfee = sum of line amounts", b.medfee_sumamt_fen, amount);
  eq("fulamt_ownpay = sum of lines", b.fulamt_ownpay_amt_fen, fulamt);
  eq("overlmt_selfpay = sum of lines", b.overlmt_selfpay_fen, overlmt);
  eq("preselfpay = sum of lines", b.preselfpay_amt_fen, preselfpay);
  eq("inscp = sum of lines", b.inscp_scp_amt_fen, inscp);

  std::array<Fen, policy::kFundKindCount> by_kind{};
  for (const FundPayment& f : b.funds) {
    by_kind[static_cast<size_t>(f.fund)] += f.pay_fen;
    nonneg("fund payment", f.pay_fen);
    nonneg("fund cap left", f.cap_left_fen);
    if (f.pay_fen > f.cap_left_fen) {
      fail("fund " + f.fund_pay_type + " pays " + FormatFen(f.pay_fen) + " above its cap left " +
           FormatFen(f.cap_left_fen));
    }
  }
  eq("hifp_pay = pooled rows", b.hifp_pay_fen, by_kind[static_cast<size_t>(FundKind::kPooled)]);
  eq("hifob_pay = large-amount rows", b.hifob_pay_fen, by_kind[static_cast<size_t>(FundKind::kLargeAmount)]);
  eq("hifmi_pay = critical-illness rows", b.hifmi_pay_fen, by_kind[static_cast<size_t>(FundKind::kCriticalIllness)]);
  eq("cvlserv_pay = civil-servant rows", b.cvlserv_pay_fen, by_kind[static_cast<size_t>(FundKind::kCivilServant)]);
  eq("hifes_pay = enterprise rows", b.hifes_pay_fen, by_kind[static_cast<size_t>(FundKind::kEnterprise)]);
  eq("maf_pay = assistance rows", b.maf_pay_fen, by_kind[static_cast<size_t>(FundKind::kMedicalAssistance)]);
  eq("oth_pay = other rows", b.oth_pay_fen, by_kind[static_cast<size_t>(FundKind::kOther)]);
  eq("fund_pay_sumamt = the funds", b.fund_pay_sumamt_fen,
     b.hifp_pay_fen + b.hifob_pay_fen + b.hifmi_pay_fen + b.cvlserv_pay_fen + b.hifes_pay_fen + b.maf_pay_fen +
         b.oth_pay_fen);
  eq("psn_part = medfee - fund_pay_sumamt", b.psn_part_amt_fen, b.medfee_sumamt_fen - b.fund_pay_sumamt_fen);
  eq("psn_cash = psn_part - acct_pay", b.psn_cash_pay_fen, b.psn_part_amt_fen - b.acct_pay_fen);
  eq("hosp_part = 0", b.hosp_part_amt_fen, 0);

  nonneg("act_pay_dedc", b.act_pay_dedc_fen);
  if (b.act_pay_dedc_fen > std::max<Fen>(b.inscp_scp_amt_fen, 0)) fail("act_pay_dedc exceeds the in-scope amount");
  if (b.fund_pay_sumamt_fen > std::max<Fen>(b.inscp_scp_amt_fen - b.act_pay_dedc_fen, 0)) {
    fail("the funds pay more than the payable in-scope amount");
  }
  nonneg("hifp_pay", b.hifp_pay_fen);
  nonneg("hifob_pay", b.hifob_pay_fen);
  nonneg("hifmi_pay", b.hifmi_pay_fen);
  nonneg("cvlserv_pay", b.cvlserv_pay_fen);
  nonneg("hifes_pay", b.hifes_pay_fen);
  nonneg("maf_pay", b.maf_pay_fen);
  nonneg("oth_pay", b.oth_pay_fen);
  nonneg("acct_pay", b.acct_pay_fen);
  if (b.medfee_sumamt_fen >= 0) {
    nonneg("psn_part_amt", b.psn_part_amt_fen);
    nonneg("psn_cash_pay", b.psn_cash_pay_fen);
  }
  if (b.unfiled_cut_bp != 0 && b.filed_effective) fail("a cut applied to a filed claim");
  return out;
}

}  // namespace xt::settle
