#include "service/catalog_files.h"

#include <array>
#include <optional>

#include "core/date.h"
#include "core/money.h"
#include "core/zip_archive.h"
#include "service/errors.h"

namespace xt::service {
namespace {

using catalog::ItemVersion;

// What each download holds. The exchange keeps one catalogue of drugs,
// service items and consumables per province; the lists of diagnoses,
// operations and diseases (1307-1311, 1313-1315) and the institutions'
// own catalogues (1316, 1317) are not kept here, so their files hold the
// header only, as a download with nothing newer than `ver` does.
struct Download {
  std::string_view infno;
  bool (*holds)(const ItemVersion&);
};
// The national drug codes begin with the kind of drug: X 西药, Z 中成药,
// T 中药饮片 (herbal pieces, 1302).
bool IsHerbalPiece(const ItemVersion& it) { return it.kind == catalog::ItemKind::kDrug && it.code.starts_with('T'); }
bool None(const ItemVersion&) { return false; }
constexpr std::array<Download, 18> kDownloads = {{
    {"1301", [](const ItemVersion& it) { return it.kind == catalog::ItemKind::kDrug && !IsHerbalPiece(it); }},
    {"1302", IsHerbalPiece},
    {"1303", None},  // 医疗机构制剂: none in the catalogue
    {"1304", None},  // 民族药: none in the catalogue
    {"1305", [](const ItemVersion& it) { return it.kind == catalog::ItemKind::kService; }},
    {"1306", [](const ItemVersion& it) { return it.kind == catalog::ItemKind::kConsumable; }},
    {"1307", None},  // 疾病与诊断
    {"1308", None},  // 手术操作
    {"1309", None},  // 门诊慢特病种
    {"1310", None},  // 按病种付费病种
    {"1311", None},  // 日间手术治疗病种
    {"1313", None},  // 肿瘤形态学
    {"1314", None},  // 中医疾病
    {"1315", None},  // 中医证候
    {"1316", None},  // 医疗目录与医保目录匹配
    {"1317", None},  // 医药机构目录匹配
    {"1318", [](const ItemVersion& it) { return it.price_cap_fen.has_value(); }},
    {"1319", [](const ItemVersion& it) { return it.charge_class == catalog::ChargeClass::kB; }},
}};

const Download* Find(std::string_view infno) {
  for (const Download& d : kDownloads) {
    if (d.infno == infno) return &d;
  }
  return nullptr;
}

constexpr std::string_view kHeader =
    "hilist_code\thilist_name\tlist_type\tchrgitm_lv\tpric_uplmt_amt\tselfpay_prop\tbegndate\tenddate\tver\n";

}  // namespace

bool IsCatalogDownload(std::string_view infno) { return Find(infno) != nullptr; }

std::string CatalogFileNo(std::string_view infno, std::string_view province, std::string_view ver_day) {
  std::string no(kCatalogFilePrefix);
  no.append(infno).append("/").append(province).append("/").append(ver_day);
  return no;
}

Result<CatalogFile> MakeCatalogFile(const catalog::Catalog& catalog, std::string_view no) {
  if (!no.starts_with(kCatalogFilePrefix)) return err::FileNotFound(std::string(no));
  const std::string_view rest = no.substr(kCatalogFilePrefix.size());
  const size_t a = rest.find('/'), b = a == std::string_view::npos ? a : rest.find('/', a + 1);
  if (b == std::string_view::npos) return err::FileNotFound(std::string(no));
  const std::string infno(rest.substr(0, a)), province(rest.substr(a + 1, b - a - 1)), ver(rest.substr(b + 1));
  const Download* download = Find(infno);
  if (!download) return err::FileNotFound(std::string(no));
  std::optional<Date> after;
  if (ver != "0") {
    after = ParseDate(ver);
    if (!after) return err::FileNotFound(std::string(no));
  }
  std::string body(kHeader);
  CatalogFile file;
  Date newest = Date::FromCivil(2000, 1, 1);
  for (const ItemVersion* it : catalog.ItemsOf(province)) {
    if (!download->holds(*it) || (after && it->validity.begin <= *after)) continue;
    body += it->code + '\t' + it->name + '\t' + std::string(catalog::ItemKindName(it->kind)) + '\t' +
            std::string(catalog::ChargeClassCode(it->charge_class)) + '\t' +
            (it->price_cap_fen ? FormatFen(*it->price_cap_fen) : std::string()) + '\t' +
            FormatDecimal(it->selfpay_prop_bp, 4) + '\t' + it->validity.begin.ToString() + '\t' +
            (it->validity.end ? it->validity.end->ToString() : std::string()) + '\t' + it->validity.begin.ToCompact() +
            '\n';
    ++file.rows;
    newest = std::max(newest, it->validity.begin);
  }
  const std::string stem = infno + "_" + province + "_" + ver;
  file.filename = stem + ".zip";
  // Dated by its newest version, so the same catalogue gives the same bytes.
  file.zipped = zip::ZipOne(stem + ".txt", body, StartOf(newest));
  return file;
}

}  // namespace xt::service
