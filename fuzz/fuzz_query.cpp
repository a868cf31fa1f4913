// libFuzzer target: a JSONL queries file as `cobuy recommend` reads it (api/cli/recommend_command.cpp):
// each line is parsed by parse_json_text, read by query_from_json, validated against the default
// limits, answered by recommend() on a small fixed model and written as a result line. Error is the
// expected way to refuse a line (the command writes it as an error line); anything else escaping,
// a sanitizer report, a hang or a huge allocation is a bug.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http/codec.h"
#include "core/error.h"
#include "core/log.h"
#include "fuzz_model.h"

namespace {

using nlohmann::json;

struct Shop {
  std::shared_ptr<const cobuy::Model> model = cobuy::fuzz::fuzz_model();
  cobuy::ComplementSearch complements = cobuy::fuzz::fuzz_complements(model);
};

void answer_line(const Shop& shop, const std::string& line) {
  try {
    const cobuy::Query q = cobuy::query_from_json(cobuy::parse_json_text(line));
    cobuy::validate(q, cobuy::ServeLimits{});
    const auto result = cobuy::recommend(*shop.model, q, shop.complements);
    // Every answer is serialised, as the command writes it.
    (void)cobuy::result_to_json(*shop.model, result).dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const cobuy::Error& e) {
    (void)cobuy::error_json(cobuy::error_code_name(e.code()), e.what()).dump(-1, ' ', false,
                                                                           json::error_handler_t::replace);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  cobuy::log::set_level(cobuy::log::Level::error);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Shop shop;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::string line;
  // The same line handling as run_recommend: CRLF tolerated; a blank line is refused by
  // parse_json_text here and by an earlier check there.
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    answer_line(shop, line);
  }
  return 0;
}
