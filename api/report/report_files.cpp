#include "api/report/report_files.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace cobuy {

namespace fs = std::filesystem;

void write_report_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  COBUY_CHECK(!ec && fs::is_directory(dir), ErrorCode::io,
              "cannot create report directory " << dir << (ec ? ": " + ec.message() : std::string()));
  static std::atomic<unsigned> counter{0};
  for (const auto& [name, content] : files) {
    const fs::path target = fs::path(dir) / name;
    const fs::path tmp = fs::path(dir) / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(counter++));
    bool ok = false;
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      ok = f.good() && (f << content).flush().good();
    }
    if (ok) fs::rename(tmp, target, ec);
    if (!ok || ec) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      COBUY_FAIL(ErrorCode::io, "cannot write " << target.string() << (ec ? ": " + ec.message() : std::string()));
    }
  }
}

}  // namespace cobuy
