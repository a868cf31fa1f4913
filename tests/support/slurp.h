#pragma once
/// A whole file's bytes, for tests that compare outputs.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cobuy::test {

/// The file's contents ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace cobuy::test
