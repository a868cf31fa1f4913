#pragma once
/// Reading typed fields of JSON config objects (the training config, the offer policy) with
/// errors that name the field. Internal to core.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/error.h"

namespace cobuy {

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

/// Parses an enum-valued field; each enum type read by ObjectReader provides an overload.
PairScore parse_enum(const std::string& field, const nlohmann::json& value, PairScore);

/// Reads a JSON file whose lines may hold // comments; throws Error naming `what` and the path.
nlohmann::json read_json_file(const std::string& path, const char* what);

/// Reads `key` of object `j` into `out` if present, checking its type; remembers the key as seen.
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {
    COBUY_CHECK(j.is_object(), ErrorCode::bad_request, "config '" << path_ << "' must be an object");
  }

  template <typename T>
  void read(const char* key, T& out) {
    auto it = j_.find(key);
    seen_.push_back(key);
    if (it == j_.end()) return;
    const std::string name = path_.empty() ? key : path_ + "." + key;
    if constexpr (std::is_same_v<T, double>) {
      COBUY_CHECK(it->is_number(), ErrorCode::bad_request, "config field '" << name << "' must be a number");
      out = it->template get<double>();
    } else if constexpr (std::is_same_v<T, std::uint32_t>) {
      COBUY_CHECK(it->is_number_unsigned() || (it->is_number_integer() && it->template get<long long>() >= 0),
                  ErrorCode::bad_request, "config field '" << name << "' must be a non-negative integer");
      auto v = it->template get<unsigned long long>();
      COBUY_CHECK(v <= 0xffffffffULL, ErrorCode::bad_request, "config field '" << name << "' is too large");
      out = static_cast<std::uint32_t>(v);
    } else if constexpr (std::is_same_v<T, bool>) {
      COBUY_CHECK(it->is_boolean(), ErrorCode::bad_request, "config field '" << name << "' must be true or false");
      out = it->template get<bool>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      COBUY_CHECK(it->is_string(), ErrorCode::bad_request, "config field '" << name << "' must be a string");
      out = it->template get<std::string>();
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      COBUY_CHECK(it->is_array(), ErrorCode::bad_request, "config field '" << name << "' must be an array of strings");
      out.clear();
      for (const auto& v : *it) {
        COBUY_CHECK(v.is_string(), ErrorCode::bad_request, "config field '" << name << "' must be an array of strings");
        out.push_back(v.template get<std::string>());
      }
    } else if constexpr (is_optional<T>::value) {
      if (it->is_null()) {
        out.reset();
      } else {
        typename T::value_type v{};
        const nlohmann::json wrapped = {{key, *it}};
        ObjectReader one(wrapped, path_);
        one.read(key, v);
        out = v;
      }
    } else {
      out = parse_enum(name, *it, out);
    }
  }

  const nlohmann::json* child(const char* key) {
    seen_.push_back(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }

  /// Throws for keys that were never asked for (typos must not pass silently).
  void reject_unknown() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
        COBUY_FAIL(ErrorCode::bad_request, "unknown config field '" << (path_.empty() ? "" : path_ + ".")
                                                                     << it.key() << "'");
      }
    }
  }

 private:
  const nlohmann::json& j_;
  std::string path_;
  std::vector<std::string> seen_;
};

}  // namespace cobuy
