#include "core/binary_io.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

namespace cobuy {
namespace {
std::uint32_t crc_of(std::string_view data) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  std::size_t pos = 0;
  while (pos < data.size()) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(data.size() - pos, 1u << 30));
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(data.data() + pos), chunk);
    pos += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

std::vector<char> read_file(const std::string& path) {
  // A directory opens as a stream whose tellg() is absurd (sizing the buffer by it threw bad_alloc).
  std::error_code ec;
  COBUY_CHECK(std::filesystem::is_regular_file(path, ec), ErrorCode::bad_data, "cannot read " << path << ": not a file");
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  COBUY_CHECK(f.good(), ErrorCode::bad_data, "cannot read " << path);
  const auto size = f.tellg();
  COBUY_CHECK(size >= 0, ErrorCode::bad_data, "cannot read " << path);
  std::vector<char> data(static_cast<std::size_t>(size));
  f.seekg(0);
  f.read(data.data(), size);
  COBUY_CHECK(f.good() || f.eof(), ErrorCode::bad_data, "cannot read " << path);
  return data;
}
}  // namespace

std::uint32_t BinaryWriter::write_to(const std::string& path) const {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  COBUY_CHECK(fd >= 0, ErrorCode::io, "cannot create " << path << ": " << std::strerror(errno));
  const std::string& buf = bytes();
  std::size_t done = 0;
  while (done < buf.size()) {
    auto n = ::write(fd, buf.data() + done, buf.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      COBUY_FAIL(ErrorCode::io, "cannot write " << path << ": " << std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  COBUY_CHECK(synced && closed, ErrorCode::io, "cannot flush " << path << ": " << std::strerror(errno));
  return crc_of(buf);
}

BinaryReader::BinaryReader(const std::string& path)
    : data_(read_file(path)), in_({data_.data(), data_.size()}, path, ErrorCode::bad_data) {}

std::uint32_t BinaryReader::crc32() const { return crc_of({data_.data(), data_.size()}); }

}  // namespace cobuy
