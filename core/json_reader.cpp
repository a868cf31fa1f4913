#include "core/json_reader.h"

#include <fstream>
#include <sstream>

#include "core/config.h"

namespace cobuy {

PairScore parse_enum(const std::string& field, const nlohmann::json& value, PairScore) {
  COBUY_CHECK(value.is_string(), ErrorCode::bad_request, "config field '" << field << "' must be a string");
  return parse_pair_score(value.get<std::string>());
}

nlohmann::json read_json_file(const std::string& path, const char* what) {
  std::ifstream f(path);
  COBUY_CHECK(f.good(), ErrorCode::io, "cannot read " << what << " " << path);
  std::stringstream buffer;
  buffer << f.rdbuf();
  try {
    // ignore_comments lets shipped files explain each field with // comments.
    return nlohmann::json::parse(buffer.str(), nullptr, true, true);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    COBUY_FAIL(ErrorCode::bad_request, what << " " << path << " is not valid JSON: " << e.what());
  }
}

}  // namespace cobuy
