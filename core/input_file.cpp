#include "core/input_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace cobuy {
namespace {

constexpr std::size_t kInputChunk = std::size_t{1} << 18;  // compressed bytes read at a time
constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};
constexpr int kGzipWindow = 15 + 16;  // a 32 KiB window, gzip wrapper only (header and trailer checked)

}  // namespace

struct InputFile::Impl {
  std::string path;
  int fd = -1;
  bool gzip = false;
  bool file_eof = false;   // read() of the file returned 0
  bool done = false;       // read() will return 0 from now on
  bool member_end = false; // inflate reached the end of a gzip member
  std::vector<unsigned char> in = std::vector<unsigned char>(kInputChunk);
  std::size_t in_begin = 0, in_end = 0;  // unconsumed bytes of `in` (plain files, and the sniffing)
  std::uint64_t in_base = 0;             // offset in the file of in[0]
  z_stream z{};
  bool z_ready = false;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (z_ready) inflateEnd(&z);
    if (fd >= 0) ::close(fd);
  }

  /// Offset in the file of the next compressed byte inflate would read.
  std::uint64_t z_offset() const { return in_base + static_cast<std::uint64_t>(z.next_in - in.data()); }

  /// Reads at most `size` bytes of the file into `out`; 0 at its end.
  std::size_t read_file(unsigned char* out, std::size_t size) {
    for (;;) {
      const ssize_t n = ::read(fd, out, size);
      if (n >= 0) {
        if (n == 0) file_eof = true;
        return static_cast<std::size_t>(n);
      }
      COBUY_CHECK(errno == EINTR, ErrorCode::io, "cannot read " << path << ": " << std::strerror(errno));
    }
  }

  /// Moves the unconsumed bytes [from, in_end) to the front of `in` and reads more after them,
  /// until the buffer is full or the file ends. Returns how many bytes are now in the buffer.
  std::size_t refill(std::size_t from) {
    std::memmove(in.data(), in.data() + from, in_end - from);
    in_base += from;
    in_end -= from;
    in_begin = 0;
    while (in_end < in.size() && !file_eof) in_end += read_file(in.data() + in_end, in.size() - in_end);
    return in_end;
  }

  std::size_t read_plain(char* out, std::size_t size) {
    if (in_begin < in_end) {  // what the sniffing read first
      const std::size_t n = std::min(size, in_end - in_begin);
      std::memcpy(out, in.data() + in_begin, n);
      in_begin += n;
      return n;
    }
    const std::size_t n = file_eof ? 0 : read_file(reinterpret_cast<unsigned char*>(out), size);
    if (n == 0) done = true;
    return n;
  }

  /// Refills zlib's input with the bytes after those it consumed.
  void refill_z() {
    const auto consumed = static_cast<std::size_t>(z.next_in - in.data());
    in_end = consumed + z.avail_in;
    refill(consumed);
    z.next_in = in.data();
    z.avail_in = static_cast<uInt>(in_end);
  }

  /// After a member's end: false at the end of the file, true when another member follows (zlib is
  /// reset for it); anything else is trailing garbage.
  bool next_member() {
    if (z.avail_in < 2 && !file_eof) refill_z();
    if (z.avail_in == 0) return false;
    COBUY_CHECK(z.avail_in >= 2 && std::memcmp(z.next_in, kGzipMagic, 2) == 0, ErrorCode::bad_data,
                path << ": trailing garbage after the gzip stream at byte " << z_offset());
    inflateReset(&z);
    member_end = false;
    return true;
  }

  std::size_t read_gzip(char* out, std::size_t size) {
    for (;;) {
      if (member_end && !next_member()) {
        done = true;
        return 0;
      }
      if (z.avail_in == 0) {
        if (!file_eof) refill_z();
        COBUY_CHECK(z.avail_in > 0, ErrorCode::bad_data,
                    path << ": truncated gzip stream: the file ends at byte " << z_offset()
                         << " inside the compressed data (the file is cut short)");
      }
      z.next_out = reinterpret_cast<Bytef*>(out);
      z.avail_out = static_cast<uInt>(std::min<std::size_t>(size, UINT_MAX));
      const int rc = inflate(&z, Z_NO_FLUSH);
      const std::size_t produced = std::min<std::size_t>(size, UINT_MAX) - z.avail_out;
      COBUY_CHECK(rc != Z_MEM_ERROR, ErrorCode::io, "cannot read " << path << ": out of memory for gzip decompression");
      // Z_BUF_ERROR: all input consumed without output; more is read above.
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) fail_data(rc);
      if (rc == Z_STREAM_END) member_end = true;
      if (produced > 0) return produced;
    }
  }

  /// Reports a corrupt gzip stream. The check values are the four bytes inflate read last.
  [[noreturn]] void fail_data(int rc) {
    const std::string msg = z.msg ? z.msg : rc == Z_NEED_DICT ? "a preset dictionary is required" : "corrupt data";
    if (msg == "incorrect data check") {
      COBUY_FAIL(ErrorCode::bad_data, path << ": gzip CRC-32 mismatch: the member's trailer at byte "
                                           << z_offset() - 4 << " does not match its data (the file is corrupt)");
    }
    if (msg == "incorrect length check") {
      COBUY_FAIL(ErrorCode::bad_data, path << ": gzip length mismatch: the member's trailer at byte " << z_offset() - 4
                                           << " does not match its data (the file is corrupt)");
    }
    COBUY_FAIL(ErrorCode::bad_data, path << ": corrupt gzip data at byte " << z_offset() << ": " << msg);
  }
};

InputFile::InputFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InputFile::InputFile(InputFile&&) noexcept = default;
InputFile& InputFile::operator=(InputFile&&) noexcept = default;
InputFile::~InputFile() = default;

InputFile InputFile::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  COBUY_CHECK(impl->fd >= 0, ErrorCode::io, "cannot open " << path << ": " << std::strerror(errno));
  Impl& s = *impl;
  s.refill(0);
  s.gzip = s.in_end >= 2 && std::memcmp(s.in.data(), kGzipMagic, 2) == 0;
  if (s.gzip) {
    COBUY_CHECK(inflateInit2(&s.z, kGzipWindow) == Z_OK, ErrorCode::io,
                "cannot read " << path << ": out of memory for gzip decompression");
    s.z_ready = true;
    s.z.next_in = s.in.data();
    s.z.avail_in = static_cast<uInt>(s.in_end);
  }
  return InputFile(std::move(impl));
}

std::size_t InputFile::read(char* out, std::size_t size) {
  Impl& s = *impl_;
  if (s.done || size == 0) return 0;
  return s.gzip ? s.read_gzip(out, size) : s.read_plain(out, size);
}

const std::string& InputFile::path() const { return impl_->path; }

}  // namespace cobuy
