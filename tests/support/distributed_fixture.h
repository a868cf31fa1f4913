#pragma once
/// Order files and comparisons for the distributed-training tests (tests/training with one
/// process, tests/distributed under mpirun, tests/api through the command line).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/input_file.h"
#include "core/order_data.h"
#include "support/slurp.h"

namespace cobuy::test {

/// The first `max_rows` data rows of the bundled Online Retail file, cut by line count into
/// `parts` CSV files (each with the header) in `dir`, so orders run across files as in a shop's
/// monthly exports cut mid-order. Returns the paths in order.
inline std::vector<std::string> write_online_retail_parts(const std::filesystem::path& dir, std::size_t parts,
                                                          std::size_t max_rows, const std::string& bundled) {
  std::filesystem::create_directories(dir);
  auto in = InputFile::open(bundled);
  std::string text;
  char buf[1 << 16];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;) text.append(buf, n);
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size() && lines.size() <= max_rows;) {
    const auto end = text.find('\n', at);
    const auto stop = end == std::string::npos ? text.size() : end;
    lines.push_back(std::string_view(text).substr(at, stop - at));
    at = stop + 1;
  }
  const std::size_t rows = lines.size() - 1;
  std::vector<std::string> paths;
  for (std::size_t p = 0; p < parts; ++p) {
    const auto path = (dir / ("orders-" + std::to_string(p) + ".csv")).string();
    std::ofstream f(path, std::ios::binary);
    f << lines[0] << '\n';
    for (std::size_t r = 1 + rows * p / parts; r < 1 + rows * (p + 1) / parts; ++r) f << lines[r] << '\n';
    paths.push_back(path);
  }
  return paths;
}

/// Generic order files with what merging across files must get right: an order whose rows are
/// in three files (its customer only in the second, an item repeated with a new price), items
/// whose title and category change in a later file, a customer first seen in a later file, a
/// duplicate row within one file and the same row in two files, and equal times across files.
inline std::vector<std::string> write_edge_parts(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string header = "order_id,item_id,customer_id,timestamp,quantity,price,title,category\n";
  const std::vector<std::string> bodies = {
      "o1,a,c1,2024-01-01 10:00,1,2.0,Apple,fruit\n"
      "o1,b,c1,2024-01-01 10:00,2,3.0,Bread,\n"
      "o2,a,,2024-01-02 09:00,1,,Apple,fruit\n"
      "o2,c,,2024-01-02 09:00,1,1.5,,\n"
      "o3,b,c2,2024-01-03 12:00,1,3.0,Bread,bakery\n"
      "o3,b,c2,2024-01-03 12:00,1,3.0,Bread,bakery\n"
      "o4,d,c1,2024-01-05 08:00,1,4.0,Dates,fruit\n",
      "o2,d,c3,2024-01-02 09:00,3,4.5,Dates,\n"
      "o5,a,c3,2024-01-02 09:00,1,2.2,Green apple,fruit\n"
      "o5,c,c3,2024-01-02 09:00,1,1.5,Cheese,dairy\n"
      "o6,e,c4,2024-01-04 10:00,1,9.0,Eggs,dairy\n"
      "o6,a,c4,2024-01-04 10:00,1,2.2,,\n",
      "o2,c,c5,2024-01-02 09:00,2,1.7,,\n"
      "o7,e,c2,2024-01-01 10:00,1,9.5,Eggs,\n"
      "o7,b,c2,2024-01-01 10:00,1,3.1,Bread,\n"
      "o8,d,c1,2024-01-06 10:00,1,4.0,Dates,\n"
      "o8,e,c1,2024-01-06 10:00,1,9.5,Eggs,\n"
      "o3,b,c2,2024-01-03 12:00,1,3.0,Bread,bakery\n"};
  std::vector<std::string> paths;
  for (std::size_t p = 0; p < bodies.size(); ++p) {
    const auto path = (dir / ("edge-" + std::to_string(p) + ".csv")).string();
    std::ofstream(path, std::ios::binary) << header << bodies[p];
    paths.push_back(path);
  }
  return paths;
}

inline bool same_float(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

/// Every field of two cleaned histories, exactly (NaN prices equal).
inline void expect_same_orders(const OrderData& want, const OrderData& got) {
  EXPECT_EQ(want.catalog.ids, got.catalog.ids);
  EXPECT_EQ(want.catalog.titles, got.catalog.titles);
  EXPECT_EQ(want.catalog.categories, got.catalog.categories);
  EXPECT_EQ(want.catalog.in_stock, got.catalog.in_stock);
  ASSERT_EQ(want.catalog.prices.size(), got.catalog.prices.size());
  for (std::size_t i = 0; i < want.catalog.prices.size(); ++i) {
    EXPECT_TRUE(same_float(want.catalog.prices[i], got.catalog.prices[i])) << "price of " << want.catalog.ids[i];
  }
  EXPECT_EQ(want.customer_ids, got.customer_ids);
  ASSERT_EQ(want.orders.size(), got.orders.size());
  for (std::size_t o = 0; o < want.orders.size(); ++o) {
    const Order &w = want.orders[o], &g = got.orders[o];
    ASSERT_EQ(w.id, g.id) << "order " << o;
    EXPECT_EQ(w.customer, g.customer) << w.id;
    EXPECT_EQ(w.time, g.time) << w.id;
    ASSERT_EQ(w.lines.size(), g.lines.size()) << w.id;
    for (std::size_t l = 0; l < w.lines.size(); ++l) {
      EXPECT_EQ(w.lines[l].item, g.lines[l].item) << w.id;
      EXPECT_EQ(w.lines[l].quantity, g.lines[l].quantity) << w.id;
      EXPECT_TRUE(same_float(w.lines[l].price, g.lines[l].price)) << w.id;
    }
  }
}

/// The manifest without what differs between two runs on the same data (times of writing and
/// of each stage, the version made from the time).
inline nlohmann::json comparable_manifest(const std::filesystem::path& dir) {
  auto m = nlohmann::json::parse(slurp(dir / "manifest.json"));
  m.erase("created_at");
  m.erase("model_version");
  m.erase("version");
  auto flat = m.flatten();
  for (auto it = flat.begin(); it != flat.end();) {
    it = it.key().find("seconds") != std::string::npos ? flat.erase(it) : std::next(it);
  }
  return flat.unflatten();
}

/// Two artifacts with the same contents: every file byte for byte, the manifest but for times.
inline void expect_same_artifact(const std::filesystem::path& want, const std::filesystem::path& got) {
  for (const auto& e : std::filesystem::directory_iterator(want)) {
    const auto name = e.path().filename();
    if (name == "manifest.json") continue;
    EXPECT_TRUE(slurp(e.path()) == slurp(got / name)) << name << " differs";
  }
  EXPECT_EQ(comparable_manifest(want), comparable_manifest(got));
}

}  // namespace cobuy::test
