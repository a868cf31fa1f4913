#include "datasets/bundled.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/error.h"

namespace cobuy::datasets {

std::string bundled_online_retail_path() {
  namespace fs = std::filesystem;
  const char* file = "online_retail.csv.gz";
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("COBUY_DATA_DIR")) dirs.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(exe.parent_path() / ".." / "datasets");
    dirs.push_back(exe.parent_path() / ".." / "share" / "cobuy" / "datasets");
  }
  dirs.emplace_back(COBUY_BUNDLED_DATA_DIR);
  std::string looked;
  for (const auto& d : dirs) {
    fs::path p = d / file;
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
    looked += (looked.empty() ? "" : ", ") + p.string();
  }
  COBUY_FAIL(ErrorCode::io, "bundled dataset " << file << " not found (looked in " << looked
                                                << "); set COBUY_DATA_DIR or pass --orders");
}

}  // namespace cobuy::datasets
