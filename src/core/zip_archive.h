// Zip archives in memory, from libzip: the national interface's files
// travel zipped (a catalogue download through 9102, a 3202 detail file
// through 9101), one text file inside.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xt::zip {

// True when `bytes` begin as a zip archive does (a local file header,
// "PK\3\4", or the end record of an empty archive, "PK\5\6").
bool LooksZipped(std::string_view bytes);

// An archive holding one file, `name`, with `body` deflated; its time is
// `mtime` (seconds since the epoch), so that the same input gives the same
// bytes.
std::string ZipOne(const std::string& name, std::string_view body, int64_t mtime);

struct Entry {
  std::string name;
  std::string body;
};
// The files of an archive, in its order (folders left out). False, with
// `why` in words a client may read, when the bytes are not a readable
// archive or would unpack to more than `max_bytes` in all: a larger archive
// is refused, not unpacked.
bool Unzip(std::string_view bytes, size_t max_bytes, std::vector<Entry>* entries, std::string* why);

}  // namespace xt::zip
