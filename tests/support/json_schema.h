#pragma once
/// A small JSON Schema checker for the tests of the OpenAPI document (api/http/openapi.json): the
/// subset of JSON Schema 2020-12 the document uses, with `$ref` into the document itself. A
/// keyword it does not know is reported as a problem, so a schema never passes because the
/// checker skipped part of it.

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cobuy::testing {

/// Checks values against the schemas of one document (an OpenAPI document or a bare schema).
/// Keywords: $ref ("#/..." pointers into the document), type (a name or a list of names),
/// enum, const, required, properties, additionalProperties (bool or schema), items, minItems,
/// minimum, oneOf, anyOf, allOf; annotations (description, default, title, summary, example,
/// examples, format, deprecated, readOnly, writeOnly) are ignored.
class SchemaChecker {
 public:
  using Json = nlohmann::ordered_json;

  /// `document` must outlive the checker.
  explicit SchemaChecker(const Json& document) : doc_(document) {}

  /// What is wrong with `value` under `schema`, one line per problem ("$.items[0].score: ...");
  /// empty when it conforms.
  std::vector<std::string> problems(const Json& value, const Json& schema) const {
    std::vector<std::string> out;
    check(value, schema, "$", out, 0);
    return out;
  }

  /// The object a `{"$ref": "#/a/b"}` points to (following chains of refs), or `node` itself
  /// when it is not a reference. Throws std::out_of_range for a dangling pointer.
  const Json& resolve(const Json& node) const {
    const Json* at = &node;
    for (int hops = 0; at->is_object() && at->contains("$ref"); ++hops) {
      if (hops > 32) throw std::out_of_range("$ref cycle at " + node.dump());
      at = &pointer(at->at("$ref").get<std::string>());
    }
    return *at;
  }

 private:
  const Json& pointer(const std::string& ref) const {
    if (!ref.starts_with("#/")) throw std::out_of_range("only local $ref are supported, got " + ref);
    return doc_.at(Json::json_pointer(ref.substr(1)));
  }

  static bool has_type(const Json& v, const std::string& type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "null") return v.is_null();
    if (type == "number") return v.is_number();
    if (type == "integer") {
      return v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    }
    return false;
  }

  void check(const Json& v, const Json& schema, const std::string& at, std::vector<std::string>& out,
             int depth) const {
    if (depth > 64) {
      out.push_back(at + ": schema nesting too deep (a $ref cycle?)");
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) out.push_back(at + ": no value is allowed here");
      return;
    }
    if (!schema.is_object()) {
      out.push_back(at + ": the schema is not an object: " + schema.dump());
      return;
    }
    static const std::set<std::string> kIgnored = {"description", "default", "title", "summary", "example",
                                                   "examples", "format", "deprecated", "readOnly", "writeOnly"};
    for (const auto& [key, sub] : schema.items()) {
      if (kIgnored.count(key)) continue;
      if (key == "$ref") {
        try {
          check(v, pointer(sub.get<std::string>()), at, out, depth + 1);
        } catch (const std::exception& e) {
          out.push_back(at + ": bad $ref " + sub.dump() + ": " + e.what());
        }
      } else if (key == "type") {
        bool ok = false;
        if (sub.is_string()) {
          ok = has_type(v, sub.get<std::string>());
        } else {
          for (const auto& t : sub) ok = ok || has_type(v, t.get<std::string>());
        }
        if (!ok) out.push_back(at + ": expected type " + sub.dump() + ", got " + v.type_name() + " " + shown(v));
      } else if (key == "enum") {
        bool found = false;
        for (const auto& e : sub) found = found || e == v;
        if (!found) out.push_back(at + ": " + shown(v) + " is not one of " + sub.dump());
      } else if (key == "const") {
        if (sub != v) out.push_back(at + ": expected " + sub.dump() + ", got " + shown(v));
      } else if (key == "required") {
        if (!v.is_object()) continue;
        for (const auto& name : sub) {
          if (!v.contains(name.get<std::string>())) out.push_back(at + ": required field '" + name.get<std::string>() + "' is missing");
        }
      } else if (key == "properties") {
        if (!v.is_object()) continue;
        for (const auto& [name, value] : v.items()) {
          if (sub.contains(name)) check(value, sub.at(name), at + "." + name, out, depth + 1);
        }
      } else if (key == "additionalProperties") {
        if (!v.is_object()) continue;
        const Json* declared = schema.contains("properties") ? &schema.at("properties") : nullptr;
        for (const auto& [name, value] : v.items()) {
          if (declared && declared->contains(name)) continue;
          if (sub.is_boolean() && !sub.get<bool>()) {
            out.push_back(at + ": field '" + name + "' is not in the schema");
          } else {
            check(value, sub, at + "." + name, out, depth + 1);
          }
        }
      } else if (key == "items") {
        if (!v.is_array()) continue;
        for (std::size_t k = 0; k < v.size(); ++k) check(v[k], sub, at + "[" + std::to_string(k) + "]", out, depth + 1);
      } else if (key == "minItems") {
        if (v.is_array() && v.size() < sub.get<std::size_t>()) {
          out.push_back(at + ": " + std::to_string(v.size()) + " items, at least " + sub.dump() + " expected");
        }
      } else if (key == "minimum") {
        if (v.is_number() && v.get<double>() < sub.get<double>()) out.push_back(at + ": " + v.dump() + " is below " + sub.dump());
      } else if (key == "oneOf" || key == "anyOf") {
        std::size_t matches = 0;
        for (const auto& option : sub) {
          std::vector<std::string> ignored;
          check(v, option, at, ignored, depth + 1);
          matches += ignored.empty() ? 1 : 0;
        }
        if (key == "oneOf" && matches != 1) {
          out.push_back(at + ": " + shown(v) + " matches " + std::to_string(matches) + " of the oneOf schemas, not 1");
        } else if (key == "anyOf" && matches == 0) {
          out.push_back(at + ": " + shown(v) + " matches none of the anyOf schemas");
        }
      } else if (key == "allOf") {
        for (const auto& part : sub) check(v, part, at, out, depth + 1);
      } else {
        out.push_back(at + ": the checker does not support the keyword '" + key + "'");
      }
    }
  }

  static std::string shown(const Json& v) {
    const std::string s = v.dump();
    return s.size() <= 60 ? s : s.substr(0, 60) + "...";
  }

  const Json& doc_;
};

}  // namespace cobuy::testing
