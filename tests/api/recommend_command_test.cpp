// `cobuy recommend`: one result line per query line, blank and broken lines included, with the
// error of a bad line said once, in plain words.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/run_cobuy.h"

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

class RecommendCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-recommend-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream orders(dir_ / "orders.csv");
    orders << "order_id,item_id\n";
    for (int k = 0; k < 4; ++k) orders << "a" << k << ",tea\na" << k << ",saucer\n";
    orders.close();
    const auto r = cobuy::testing::run_cobuy("train --orders " + (dir_ / "orders.csv").string() + " --out " +
                                             (dir_ / "model").string());
    ASSERT_EQ(r.status, 0) << r.output;
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs `cobuy recommend` on `queries` (written as is) and returns the output lines, raw.
  std::vector<std::string> recommend(const std::string& queries, cobuy::testing::CobuyRun* run = nullptr) {
    std::ofstream(dir_ / "queries.jsonl", std::ios::binary) << queries;
    const auto r = cobuy::testing::run_cobuy("recommend --model " + (dir_ / "model").string() + " --queries " +
                                             (dir_ / "queries.jsonl").string() + " --out " +
                                             (dir_ / "out.jsonl").string());
    if (run != nullptr) *run = r;
    std::vector<std::string> lines;
    std::ifstream f(dir_ / "out.jsonl");
    for (std::string line; std::getline(f, line);) lines.push_back(line);
    return lines;
  }
  fs::path dir_;
};

TEST_F(RecommendCommandTest, EveryInputLineGetsExactlyOneOutputLine) {
  cobuy::testing::CobuyRun run;
  const auto out = recommend(
      "{\"id\": \"q1\", \"items\": [\"tea\"], \"limit\": 1}\n"
      "\n"
      "   \t\r\n"
      "{\"id\": \"q4\", \"items\": [\"saucer\"], \"limit\": 1}\n"
      "{broken json\n"
      "[1, 2]\n"
      "{\"id\": 7, \"items\": [\"tea\"], \"limit\": 0}\n"
      "{\"id\": {\"x\": 1}}\n"
      "{\"items\": [\"tea\"], \"limit\": -1}\n"
      "\n",
      &run);
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("8 of 10 queries"), std::string::npos) << run.output;
  ASSERT_EQ(out.size(), 10u) << "one line per input line, blank ones included";
  std::vector<json> res;
  for (const auto& line : out) res.push_back(json::parse(line));

  EXPECT_EQ(res[0]["id"], "q1");
  EXPECT_EQ(res[0]["items"][0]["item_id"], "saucer");
  EXPECT_EQ(res[3]["id"], "q4");
  EXPECT_EQ(res[3]["items"][0]["item_id"], "tea");

  const auto expect_error = [&](std::size_t k, const json& id, const std::string& message) {
    ASSERT_TRUE(res[k].contains("error")) << out[k];
    EXPECT_EQ(res[k]["id"], id) << out[k];
    EXPECT_EQ(res[k]["error"]["code"], "bad_request") << out[k];
    EXPECT_EQ(res[k]["error"]["message"], message) << out[k];
  };
  expect_error(1, "line 2", "line 2: blank line, expected a query object");
  expect_error(2, "line 3", "line 3: blank line, expected a query object");
  expect_error(4, "line 5", "line 5: not valid JSON (unexpected 'b' at column 2)");
  expect_error(5, "line 6", "line 6: a query must be a JSON object, got array");
  // A number id reads as its decimal text, as on a result line.
  expect_error(6, "7", "line 7: field 'limit' must be a positive integer, got number 0");
  expect_error(7, "line 8", "line 8: field 'id' must be a string or a number, got object");
  // No id: the empty id a result line would carry.
  expect_error(8, "", "line 9: field 'limit' must be a positive integer, got number -1");
  expect_error(9, "line 10", "line 10: blank line, expected a query object");
}

TEST_F(RecommendCommandTest, AnErrorSaysLineNOnceAndNotTheJsonLibrarysText) {
  const auto out = recommend("{\"id\": \"q1\", \"items\": [\"tea\"\n{\"limit\": 1e400}\n");
  ASSERT_EQ(out.size(), 2u);
  const auto first = json::parse(out[0]);
  EXPECT_EQ(first["id"], "line 1");
  EXPECT_EQ(first["error"]["message"], "line 1: not valid JSON (unexpected end of input at column 29)");
  EXPECT_EQ(json::parse(out[1])["error"]["message"], "line 2: not valid JSON (number 1e400 is out of range)");
  for (const auto& line : out) {
    const std::string message = json::parse(line)["error"]["message"];
    EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
    EXPECT_EQ(message.find("line", 1), std::string::npos) << "\"line N\" once: " << message;
  }
}

}  // namespace
