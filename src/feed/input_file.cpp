#include "feed/input_file.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "feed/gzip_source.h"

namespace hashmon {
namespace {

constexpr size_t kIdentityBytes = 64 * 1024;
constexpr size_t kArchiveBlock = 1 << 20;

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t Fnv1a(const char* p, size_t n, uint64_t h = 1469598103934665603ull) {
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint8_t>(p[i])) * 1099511628211ull;
  return h;
}

class FdSource : public ByteSource {
 public:
  FdSource(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdSource() override {
    if (owned_) close(fd_);
  }
  ssize_t Read(char* buf, size_t n) override {
    while (true) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return r;
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return -1;
    }
  }
  bool Skip(uint64_t n) override {
    if (lseek(fd_, static_cast<off_t>(n), SEEK_CUR) >= 0) return true;
    return ByteSource::Skip(n);
  }

 private:
  int fd_;
  bool owned_;
};

// Serves bytes already read (to sniff the format or hash the identity) before the rest.
class PrefixedSource : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  ssize_t Read(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      const size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return static_cast<ssize_t>(k);
    }
    ssize_t r = rest_->Read(buf, n);
    if (r < 0) error_ = rest_->error();
    return r;
  }
  bool Skip(uint64_t n) override {
    const uint64_t from_prefix = std::min<uint64_t>(n, prefix_.size() - pos_);
    pos_ += from_prefix;
    return from_prefix == n || rest_->Skip(n - from_prefix);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

// Reads up to n bytes, retrying short reads.
std::string ReadPrefix(ByteSource* src, size_t n, bool* failed) {
  std::string out(n, '\0');
  size_t have = 0;
  while (have < n) {
    ssize_t r = src->Read(out.data() + have, n - have);
    if (r < 0) {
      *failed = true;
      break;
    }
    if (r == 0) break;
    have += static_cast<size_t>(r);
  }
  out.resize(have);
  return out;
}

std::unique_ptr<Member> MakeMember(std::string name, const std::string& entry,
                                   std::unique_ptr<ByteSource> bytes, bool identify,
                                   std::string* error) {
  auto m = std::make_unique<Member>();
  m->name = std::move(name);
  bool failed = false;
  std::string prefix = ReadPrefix(bytes.get(), kIdentityBytes, &failed);
  if (failed) {
    *error = m->name + ": " + bytes->error();
    return nullptr;
  }
  if (identify) {
    m->identity = "file:" + Hex64(Fnv1a(prefix.data(), prefix.size())) + ":" + entry;
  }
  m->bytes = std::make_unique<PrefixedSource>(std::move(prefix), std::move(bytes));
  return m;
}

enum class Format { kPlain, kCompressed, kArchive };

Format Sniff(const std::string& head) {
  using std::string_view_literals::operator""sv;  // (xz's magic ends in a NUL)
  auto starts = [&](std::string_view magic) { return head.compare(0, magic.size(), magic) == 0; };
  if (starts("\x1f\x8b"sv) || starts("BZh"sv) || starts("\x28\xb5\x2f\xfd"sv) ||
      starts("\xfd\x37\x7a\x58\x5a\x00"sv)) {
    return Format::kCompressed;
  }
  if (head.size() >= 262 && std::memcmp(head.data() + 257, "ustar", 5) == 0) {
    return Format::kArchive;  // tar
  }
  if (starts("PK\x03\x04"sv)) return Format::kArchive;  // zip
  return Format::kPlain;
}

// Reads the data of the current entry of an archive (raw format: the decompressed file).
class ArchiveDataSource : public ByteSource {
 public:
  explicit ArchiveDataSource(struct archive* a) : a_(a) {}
  ssize_t Read(char* buf, size_t n) override {
    la_ssize_t r = archive_read_data(a_, buf, n);
    if (r < 0) {
      error_ = archive_error_string(a_) ? archive_error_string(a_) : "archive read error";
      return -1;
    }
    return static_cast<ssize_t>(r);
  }

 private:
  struct archive* a_;
};

// One archive handle over a ByteSource: a compressed file, a tar, or a compressed tar entry.
class ArchiveReader {
 public:
  ArchiveReader(std::unique_ptr<ByteSource> src, bool allow_archives)
      : src_(std::move(src)), buf_(kArchiveBlock) {
    a_ = archive_read_new();
    archive_read_support_filter_all(a_);
    if (allow_archives) {  // tar or zip (the outermost only: not one inside another)
      archive_read_support_format_tar(a_);
      archive_read_support_format_zip(a_);
    }
    archive_read_support_format_raw(a_);
  }
  ~ArchiveReader() { archive_read_free(a_); }

  bool Open(std::string* error) {
    if (archive_read_open(a_, this, nullptr, &ArchiveReader::ReadCallback, nullptr) != ARCHIVE_OK) {
      *error = Error();
      return false;
    }
    return true;
  }
  // Advances to the next entry; returns false at the end (error set on failure).
  bool NextEntry(std::string* entry_name, bool* is_file, std::string* error) {
    struct archive_entry* e;
    int r = archive_read_next_header(a_, &e);
    if (r == ARCHIVE_EOF) return false;
    if (r < ARCHIVE_WARN) {
      *error = Error();
      return false;
    }
    const char* p = archive_entry_pathname(e);
    *entry_name = p ? p : "";
    *is_file = archive_format(a_) == ARCHIVE_FORMAT_RAW || archive_entry_filetype(e) == AE_IFREG;
    return true;
  }
  bool is_raw() const { return archive_format(a_) == ARCHIVE_FORMAT_RAW; }
  struct archive* handle() {
    return a_;
  }
  std::string Error() const {
    const char* s = archive_error_string(a_);
    return s ? s : (src_->error().empty() ? "unreadable archive" : src_->error());
  }

 private:
  static la_ssize_t ReadCallback(struct archive*, void* self, const void** buffer) {
    auto* r = static_cast<ArchiveReader*>(self);
    ssize_t n = r->src_->Read(r->buf_.data(), r->buf_.size());
    *buffer = r->buf_.data();
    return n;
  }
  std::unique_ptr<ByteSource> src_;
  std::vector<char> buf_;
  struct archive* a_;
};

// A name no one gives a feed: hidden files and directories (.DS_Store, an editor's .swp, .git)
// and the resource forks macOS puts into archives (__MACOSX/, ._name). Read as feeds, they
// were lines of binary rejected as not_json.
bool IsHiddenOrMetadata(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "__MACOSX" || (part.size() > 1 && part[0] == '.' && part != "..")) return true;
    start = end + 1;
  }
  return false;
}

// A compressed file inside a tar, read through a second archive handle.
class NestedSource : public ByteSource {
 public:
  explicit NestedSource(std::unique_ptr<ArchiveReader> inner) : inner_(std::move(inner)) {}
  ssize_t Read(char* buf, size_t n) override {
    la_ssize_t r = archive_read_data(inner_->handle(), buf, n);
    if (r < 0) {
      error_ = inner_->Error();
      return -1;
    }
    return static_cast<ssize_t>(r);
  }

 private:
  std::unique_ptr<ArchiveReader> inner_;
};

class SingleMemberInput : public InputFile {
 public:
  explicit SingleMemberInput(std::unique_ptr<Member> m) : member_(std::move(m)) {}
  std::unique_ptr<Member> Next(std::string*) override { return std::move(member_); }

 private:
  std::unique_ptr<Member> member_;
};

class CompressedInput : public InputFile {
 public:
  CompressedInput(std::string path, std::unique_ptr<ArchiveReader> reader, bool identify)
      : path_(std::move(path)), reader_(std::move(reader)), identify_(identify) {}
  std::unique_ptr<Member> Next(std::string* error) override {
    while (true) {
      std::string entry;
      bool is_file = false;
      if (!reader_->NextEntry(&entry, &is_file, error)) return nullptr;
      if (!is_file || IsHiddenOrMetadata(entry)) continue;
      if (reader_->is_raw()) {
        return MakeMember(path_, "", std::make_unique<ArchiveDataSource>(reader_->handle()),
                          identify_, error);
      }
      const std::string name = path_ + ":" + entry;
      auto data = std::make_unique<ArchiveDataSource>(reader_->handle());
      if (EndsWith(entry, ".gz")) {
        return MakeMember(name, entry_name_for(name), std::make_unique<GzipSource>(std::move(data)),
                          identify_, error);
      }
      if (EndsWith(entry, ".bz2") || EndsWith(entry, ".zst") || EndsWith(entry, ".xz")) {
        auto inner = std::make_unique<ArchiveReader>(std::move(data), false);
        if (!inner->Open(error) || !inner->NextEntry(&entry, &is_file, error)) {
          *error = name + ": " + *error;
          return nullptr;
        }
        return MakeMember(name, entry_name_for(name),
                          std::make_unique<NestedSource>(std::move(inner)), identify_, error);
      }
      return MakeMember(name, entry_name_for(name), std::move(data), identify_, error);
    }
  }

 private:
  std::string entry_name_for(const std::string& name) const {
    return name.substr(path_.size() + 1);
  }
  std::string path_;
  std::unique_ptr<ArchiveReader> reader_;
  bool identify_;
};

}  // namespace

bool ByteSource::Skip(uint64_t n) {
  std::vector<char> sink(1 << 16);
  while (n > 0) {
    ssize_t r = Read(sink.data(), static_cast<size_t>(std::min<uint64_t>(n, sink.size())));
    if (r <= 0) return false;
    n -= static_cast<uint64_t>(r);
  }
  return true;
}

std::unique_ptr<InputFile> InputFile::Open(const std::string& path, std::string* error) {
  const bool is_stdin = path == "-";
  int fd = is_stdin ? 0 : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int why = errno;
    *error = path + ": " + std::strerror(why);
    if (why == EACCES) *error += ": make it readable to this user (chmod a+r, or run as its owner)";
    return nullptr;
  }
  auto raw = std::make_unique<FdSource>(fd, !is_stdin);
  bool failed = false;
  std::string head = ReadPrefix(raw.get(), 512, &failed);
  if (failed) {
    *error = path + ": " + raw->error();
    return nullptr;
  }
  std::unique_ptr<ByteSource> src = std::make_unique<PrefixedSource>(head, std::move(raw));
  if (head.compare(0, 2, "\x1f\x8b") == 0) {  // gzip: zlib, which checks it (gzip_source.h)
    src = std::make_unique<GzipSource>(std::move(src));
    head = ReadPrefix(src.get(), 512, &failed);
    if (failed) {
      *error = path + ": " + src->error();
      return nullptr;
    }
    src = std::make_unique<PrefixedSource>(head, std::move(src));
  }
  const Format format = Sniff(head);
  if (format == Format::kPlain) {
    auto member = MakeMember(path, "", std::move(src), !is_stdin, error);
    if (!member) return nullptr;
    return std::make_unique<SingleMemberInput>(std::move(member));
  }
  auto reader = std::make_unique<ArchiveReader>(std::move(src), true);
  if (!reader->Open(error)) {
    *error = path + ": " + *error;
    return nullptr;
  }
  return std::make_unique<CompressedInput>(path, std::move(reader), !is_stdin);
}

namespace {

std::string CannotList(const std::string& dir, const std::error_code& ec) {
  return "cannot list the directory " + dir + " (" + ec.message() +
         "): make it readable to this user (chmod a+rx, or run as its owner), or move it out "
         "of the inputs";
}

bool ListDirectory(const std::string& dir, std::vector<std::string>* files, std::string* error) {
  std::vector<std::string> found;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  std::filesystem::path reading = dir;  // what a failed step failed to read
  while (!ec && it != end) {
    std::error_code type_ec;  // a dangling link is no file, and no reason to stop
    if (IsHiddenOrMetadata(it->path().filename().string())) {
      if (it->is_directory(type_ec)) it.disable_recursion_pending();
      reading = it->path().parent_path();
      it.increment(ec);
      continue;
    }
    if (it->is_regular_file(type_ec)) found.push_back(it->path().string());
    // The next step enters this entry if it is a directory (links are not followed), else
    // reads on in the directory that holds it; a failed step leaves the iterator at its end.
    const bool enters = it->is_directory(type_ec) && !it->is_symlink(type_ec);
    reading = enters ? it->path() : it->path().parent_path();
    it.increment(ec);
  }
  if (ec) {
    *error = CannotList(reading.string(), ec);
    return false;
  }
  std::sort(found.begin(), found.end());
  files->insert(files->end(), found.begin(), found.end());
  return true;
}

}  // namespace

bool ExpandInputPaths(const std::vector<std::string>& paths, std::vector<std::string>* files,
                      std::string* error) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (p != "-" && std::filesystem::is_directory(p, ec)) {
      if (!ListDirectory(p, files, error)) return false;
    } else {
      files->push_back(p);
    }
  }
  return true;
}

}  // namespace hashmon
