// printable(): the one escaping of outside text before it reaches a terminal or a log line.
#include "core/printable.h"

#include <gtest/gtest.h>

namespace {

using cobuy::is_printable;
using cobuy::printable;

TEST(Printable, EscapesC0ControlsAndDel) {
  EXPECT_EQ(printable("order\x1b[31m_id"), "order\\x1b[31m_id");
  EXPECT_EQ(printable("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(printable(std::string("nul\0bel\x07", 8)), "nul\\x00bel\\x07");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
}

TEST(Printable, EscapesC1ControlsAsCodePoints) {
  EXPECT_EQ(printable("csi\xc2\x9b" "31m"), "csi\\u009b31m");
  EXPECT_EQ(printable("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0") << "U+00A0 is past the C1 block";
}

TEST(Printable, KeepsValidUtf8AndPlainText) {
  const std::string text = "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e, 22697 \"pink\" \\ 100%";
  EXPECT_EQ(printable(text), text);
  EXPECT_TRUE(is_printable(text));
  EXPECT_EQ(printable(""), "");
}

TEST(Printable, EscapesBytesThatAreNotWellFormedUtf8) {
  EXPECT_EQ(printable("\xff"), "\\xff");
  EXPECT_EQ(printable("a\x9b" "b"), "a\\x9bb") << "a lone C1 byte, as 8-bit terminals read CSI";
  EXPECT_EQ(printable("\xc0\x80"), "\\xc0\\x80") << "overlong NUL";
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "a UTF-16 surrogate";
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80") << "past U+10FFFF";
  EXPECT_EQ(printable("\xe2\x98"), "\\xe2\\x98") << "cut short at the end";
  EXPECT_EQ(printable("\xe2\x98x"), "\\xe2\\x98x");
  EXPECT_FALSE(is_printable("\xe2\x98"));
}

TEST(Printable, BackslashesTheCharactersAsked) {
  EXPECT_EQ(printable("say \"hi\" \\ \x1b", "\"\\"), "say \\\"hi\\\" \\\\ \\x1b");
  EXPECT_EQ(printable("say \"hi\""), "say \"hi\"") << "nothing backslashed unless asked";
}

}  // namespace
