// The rooms of the code and their one-way dependencies (docs/DEVELOPMENT.md, "Layout"): every
// project include of every source file points to its own room or to one below it.

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// Each room and the rooms its files may include (besides its own).
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> rooms = {
      {"core", {}},
      {"index", {"core"}},
      {"training", {"core", "index"}},
      {"datasets", {"core"}},
      {"api/store", {"core"}},
      {"api/report", {"core", "index", "training", "datasets"}},
      {"api/http", {"core", "index", "training", "api/store"}},
      {"api/cli", {"core", "index", "training", "datasets", "api/store", "api/report", "api/http"}},
  };
  return rooms;
}

/// The room of a path relative to the source tree ("api/http/server.cpp" -> "api/http"), or "".
std::string room_of(const std::string& path) {
  for (const auto& [room, below] : allowed()) {
    if (path.rfind(room + "/", 0) == 0) return room;  // a file right in api/ is in no room
  }
  return "";
}

TEST(Layering, EveryIncludePointsToItsOwnRoomOrOneBelow) {
  const fs::path root = fs::path(COBUY_BUNDLED_DATASETS).parent_path();
  const std::regex include(R"re(^\s*#\s*include\s+"([a-z_]+/[^"]+)")re");
  std::size_t files = 0, includes = 0;
  for (const char* top : {"core", "index", "training", "datasets", "api"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".h" && ext != ".cpp" && ext != ".in")) continue;
      const std::string rel = fs::relative(e.path(), root).generic_string();
      const std::string room = room_of(rel);
      ASSERT_FALSE(room.empty()) << rel << " lies in no room of the layout";
      ++files;
      std::ifstream f(e.path());
      std::smatch m;
      for (std::string line; std::getline(f, line);) {
        if (!std::regex_search(line, m, include)) continue;
        const std::string target = room_of(m[1].str());
        if (target.empty()) continue;  // not a project header (generated or third-party)
        ++includes;
        EXPECT_TRUE(target == room || allowed().at(room).count(target)) << rel << " includes " << m[1].str();
      }
    }
  }
  EXPECT_GT(files, 100u);
  EXPECT_GT(includes, 300u);
}

}  // namespace
}  // namespace cobuy
