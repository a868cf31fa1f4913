#pragma once
/// expect_in: a test expectation that a message or document holds a part, showing the whole text
/// when it does not.

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace cobuy::testing {

/// Expects `text` to hold `part`.
inline void expect_in(const std::string& text, std::string_view part) {
  EXPECT_NE(text.find(part), std::string::npos) << "expected \"" << part << "\" in:\n" << text;
}

}  // namespace cobuy::testing
