// The catalogue downloads of the national interface (1301-1319 but the
// 1312 query): each answers a file_qury_no, "plc/<infno>/<province>/<ver>",
// and 9102 then fetches the file it names, made here from the catalogue.
//
// The file is a zip archive (vendors save 9102's bytes as .zip and unpack
// them) holding one UTF-8 text file: a header line, then one tab-separated
// line per item version. docs/interface.md lists the columns and which
// catalogue each infno holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "core/status.h"

namespace xt::service {

// "plc/": the prefix of the files made from the catalogue (the interface's
// fixmedins_code for them is "plc" too).
inline constexpr std::string_view kCatalogFilePrefix = "plc/";

// True for the infnos answered with a catalogue file.
bool IsCatalogDownload(std::string_view infno);

// The file_qury_no of a download: the versions of the province's items
// that began after `ver_day` (yyyyMMdd; "0": every version).
std::string CatalogFileNo(std::string_view infno, std::string_view province, std::string_view ver_day);

struct CatalogFile {
  std::string filename;  // "<infno>_<province>_<ver>.zip"
  std::string zipped;    // the archive's bytes
  int64_t rows = 0;      // item versions in it
};
// The file named by `no`; XT-FILE-002 when `no` names none.
Result<CatalogFile> MakeCatalogFile(const catalog::Catalog& catalog, std::string_view no);

}  // namespace xt::service
