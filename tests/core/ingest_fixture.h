#pragma once
// The fixture of the ingestion tests: files written to a temporary directory, and load_orders'
// error or an order's lines read back.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ingest.h"
#include "core/log.h"

namespace cobuy {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::set_level(log::Level::error);
    dir_ = std::filesystem::temp_directory_path() / ("cobuy-ingest-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    log::set_level(log::Level::info);
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  /// The Error thrown by load_orders, or an Error(internal, "no error").
  Error error_of(const std::vector<std::string>& paths, const IngestOptions& o = {}) {
    try {
      load_orders(paths, o);
    } catch (const Error& e) {
      return e;
    }
    return Error(ErrorCode::internal, "no error");
  }
  /// item id -> quantity of one order.
  static std::map<std::string, float> lines_of(const OrderData& data, const std::string& order_id) {
    std::map<std::string, float> out;
    for (const auto& o : data.orders) {
      if (o.id != order_id) continue;
      for (const auto& l : o.lines) out[data.catalog.ids[l.item]] += l.quantity;
    }
    return out;
  }
  std::filesystem::path dir_;
};

}  // namespace cobuy
