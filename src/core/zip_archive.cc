#include "core/zip_archive.h"

#include <zip.h>

#include <memory>
#include <stdexcept>

namespace xt::zip {
namespace {

struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};
struct ArchiveDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};

[[noreturn]] void Fail(const char* what, zip_error_t* e) {
  // Only memory runs out here: every byte is in memory, nothing is read
  // from outside.
  throw std::runtime_error(std::string("zip: ") + what + ": " + zip_error_strerror(e));
}

}  // namespace

bool LooksZipped(std::string_view bytes) {
  return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' &&
         ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
}

std::string ZipOne(const std::string& name, std::string_view body, int64_t mtime) {
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, SourceFree> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) Fail("buffer", &error);
  zip_t* archive = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (!archive) Fail("open", &error);
  zip_source_keep(buffer.get());  // the archive's close must leave the bytes to us
  zip_source_t* file = zip_source_buffer(archive, body.data(), body.size(), 0);
  const zip_int64_t index = file ? zip_file_add(archive, name.c_str(), file, ZIP_FL_ENC_UTF_8) : -1;
  if (index < 0) {
    if (file) zip_source_free(file);
    zip_discard(archive);
    throw std::runtime_error("zip: add");
  }
  zip_file_set_mtime(archive, static_cast<zip_uint64_t>(index), static_cast<time_t>(mtime), 0);
  zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 9);
  if (zip_close(archive) != 0) {
    zip_discard(archive);
    throw std::runtime_error("zip: close");
  }
  zip_stat_t st;
  if (zip_source_stat(buffer.get(), &st) != 0 || zip_source_open(buffer.get()) != 0) {
    throw std::runtime_error("zip: read back");
  }
  std::string out(static_cast<size_t>(st.size), '\0');
  const zip_int64_t got = zip_source_read(buffer.get(), out.data(), out.size());
  zip_source_close(buffer.get());
  if (got != static_cast<zip_int64_t>(out.size())) throw std::runtime_error("zip: short read");
  return out;
}

bool Unzip(std::string_view bytes, size_t max_bytes, std::vector<Entry>* entries, std::string* why) {
  entries->clear();
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) Fail("buffer", &error);
  std::unique_ptr<zip_t, ArchiveDiscard> archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);  // not taken over when the open fails
    *why = std::string("the file is not a readable zip archive (") + zip_error_strerror(&error) + ")";
    zip_error_fini(&error);
    return false;
  }
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  size_t total = 0;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_NAME)) {
      *why = "entry " + std::to_string(i + 1) + " of the zip archive cannot be read";
      return false;
    }
    const std::string name = st.name;
    if (!name.empty() && name.back() == '/') continue;  // a folder
    // The size is the archive's own claim; the read below checks it.
    if (st.size > max_bytes - total) {
      *why = "the zip archive unpacks to more than " + std::to_string(max_bytes) + " bytes";
      return false;
    }
    std::string body(static_cast<size_t>(st.size), '\0');
    zip_file_t* f = zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0);
    if (!f) {
      *why = "entry " + name + " of the zip archive cannot be opened (" +
             zip_error_strerror(zip_get_error(archive.get())) + ")";
      return false;
    }
    const zip_int64_t got = zip_fread(f, body.data(), body.size());
    char extra;
    const zip_int64_t more = got == static_cast<zip_int64_t>(body.size()) ? zip_fread(f, &extra, 1) : 0;
    zip_fclose(f);
    if (got != static_cast<zip_int64_t>(body.size()) || more != 0) {
      *why = "entry " + name + " of the zip archive is damaged";
      return false;
    }
    total += body.size();
    entries->push_back({name, std::move(body)});
  }
  return true;
}

}  // namespace xt::zip
