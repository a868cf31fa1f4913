// The logger writes one line per event, with outside text escaped so it cannot drive the terminal.
#include "core/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace log = cobuy::log;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = log::level();
    log::set_level(log::Level::info);
    log::set_sink([this](const std::string& line) { lines_.push_back(line); });
  }
  void TearDown() override {
    log::set_sink(nullptr);
    log::set_level(saved_);
  }
  std::vector<std::string> lines_;
  log::Level saved_ = log::Level::info;
};

TEST_F(LogTest, EscapesControlCharactersInTheMessageAndEveryField) {
  log::warn("request failed\x1b[2J", {{"method", "GET"},
                                      {"path", "/v1/items/\x1b]0;pwned\x07"},
                                      {"error", "two\nlines level=error"},
                                      {"id", "csi\xc2\x9b"}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0],
            "level=warn msg=\"request failed\\x1b[2J\" method=GET path=\"/v1/items/\\x1b]0;pwned\\x07\" "
            "error=\"two\\nlines level=error\" id=\"csi\\u009b\"");
  EXPECT_EQ(lines_[0].find('\x1b'), std::string::npos);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos) << "a log line stays one line";
}

TEST_F(LogTest, QuotesOnlyWhatNeedsIt) {
  log::info("model written", {{"dir", "/tmp/model"},
                              {"title", "Caf\xc3\xa9"},
                              {"empty", ""},
                              {"quoted", "say \"hi\""},
                              {"slash", "C:\\x1b"},
                              {"n", 42}});
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0],
            "level=info msg=\"model written\" dir=/tmp/model title=Caf\xc3\xa9 empty=\"\" quoted=\"say \\\"hi\\\"\" "
            "slash=\"C:\\\\x1b\" n=42")
      << "a literal backslash is quoted and doubled, so it never reads as an escape";
}

TEST_F(LogTest, LevelsBelowTheSetOneAreDropped) {
  log::debug("hidden");
  log::error("shown");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0], "level=error msg=shown");
}

}  // namespace
