// A config file holding a number too large for a double (1e400) is refused with Error naming
// the file, like any invalid JSON (nlohmann throws out_of_range there, not parse_error).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "core/offer_policy.h"

namespace cobuy {
namespace {

TEST(JsonFiles, NumberTooLargeForADoubleIsAnErrorNamingTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "cobuy-config-1e400.json";
  std::ofstream(path) << R"({"ease": {"lambda": 1e400}})";
  for (int k = 0; k < 2; ++k) {
    try {
      if (k == 0) {
        load_train_config(path.string());
      } else {
        load_offer_policy(path.string());
      }
      ADD_FAILURE() << "1e400 accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace cobuy
