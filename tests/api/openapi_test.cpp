// The OpenAPI document (api/http/openapi.json) against the real server: every route is documented with
// its method and scope, every documented path is a route, the server serves the file itself, and
// every example exchange of the document is answered with the documented status and an answer
// that fits the documented schema.

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "api/http/api_keys.h"
#include "api/store/order_store.h"
#include "api/http/routes.h"
#include "core/artifact.h"
#include "server_fixture.h"
#include "support/json_schema.h"
#include "support/model_builder.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using cobuy::testing::SchemaChecker;

const char* const kMethods[] = {"get", "head", "post", "put", "patch", "delete", "options", "trace"};

std::string document_path() { return std::string(COBUY_BUNDLED_DATASETS) + "/../api/http/openapi.json"; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const Json& document() {
  static const Json doc = Json::parse(read_file(document_path()));
  return doc;
}

/// The named examples of a parameter or media type (an empty object when it has none).
const Json& examples_of(const Json& node) {
  static const Json kNone = Json::object();
  return node.contains("examples") ? node.at("examples") : kNone;
}

/// The parameters of an operation (an empty array when it has none).
const Json& parameters_of(const Json& op) {
  static const Json kNone = Json::array();
  return op.contains("parameters") ? op.at("parameters") : kNone;
}

/// "/v1/items/{item_id}/similar" with every {param} replaced by `value`.
std::string concrete_path(std::string pattern, const std::string& value) {
  for (auto open = pattern.find('{'); open != std::string::npos; open = pattern.find('{')) {
    pattern.replace(open, pattern.find('}', open) - open + 1, value);
  }
  return pattern;
}

std::string percent_encoded(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// The document's name of the operation `route` takes: "get", "post" or "delete".
std::string operation_of(const Route& route) {
  std::string s(method_name(route.method));
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Sends one request; `body` nullopt = none.
httplib::Result send(httplib::Client& cli, const std::string& method, const std::string& target,
                     const httplib::Headers& headers, const std::optional<std::string>& body) {
  const std::string b = body.value_or("");
  const char* type = "application/json";
  if (method == "GET") return cli.Get(target.c_str(), headers);
  if (method == "HEAD") return cli.Head(target.c_str(), headers);
  if (method == "POST") return cli.Post(target.c_str(), headers, b, type);
  if (method == "PUT") return cli.Put(target.c_str(), headers, b, type);
  if (method == "PATCH") return cli.Patch(target.c_str(), headers, b, type);
  if (method == "DELETE") return cli.Delete(target.c_str(), headers, b, type);
  ADD_FAILURE() << "no client call for method " << method;
  return cli.Get(target.c_str(), headers);
}

/// The model the examples speak of: Online Retail's teacups and a few home items, customer 17850
/// with three orders; the catalogue says the cake stand is out of stock and the pink teacup in stock.
std::shared_ptr<Model> example_model() {
  auto m = std::make_shared<Model>(testing::ModelBuilder()
                                       .item("22697", "kitchen", 2.95f)
                                       .item("22698", "kitchen", 2.95f, /*in_stock=*/true)
                                       .item("22699", "kitchen", 2.95f)
                                       .item("22423", "kitchen", 12.75f, /*in_stock=*/false)
                                       .item("85123A", "home", 2.55f)
                                       .item("84879", "home", 1.69f)
                                       .bought_with("22697", {"22699", "22423", "22698"})
                                       .bought_with("22699", {"22697", "22423"})
                                       .bought_with("22423", {"22697", "22699"})
                                       .bought_with("85123A", {"84879"})
                                       .bought_with("84879", {"85123A"})
                                       .substitutes("22697", {"22698"})
                                       .popular({"85123A", "22423", "84879", "22697", "22699", "22698"})
                                       .order("17850", "2011-10-01T10:00:00Z", {"85123A", "84879"}, 12.0f)
                                       .order("17850", "2011-10-31T10:00:00Z", {"85123A"}, 8.0f)
                                       .order("17850", "2011-11-20T10:00:00Z", {"85123A", "22697"}, 15.0f)
                                       .build());
  const std::map<std::string, std::string> titles = {
      {"22697", "GREEN REGENCY TEACUP AND SAUCER"}, {"22698", "PINK REGENCY TEACUP AND SAUCER"},
      {"22699", "ROSES REGENCY TEACUP AND SAUCER"}, {"22423", "REGENCY CAKESTAND 3 TIER"},
      {"85123A", "WHITE HANGING HEART T-LIGHT HOLDER"}, {"84879", "ASSORTED COLOUR BIRD ORNAMENT"}};
  for (const auto& [id, title] : titles) m->catalog.titles[*m->catalog.find(id)] = title;
  m->version = "20111209-3f2a9c1e";
  m->created_at = "2011-12-10T08:00:00Z";
  m->ingest_summary = nlohmann::json::object();
  return m;
}

/// A server on the example model as `cobuy serve --model DIR --orders-db DB` runs it (so the
/// reload and order examples work), in a fresh temporary directory.
class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("cobuy-openapi-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    save_model(*example_model(), (root_ / "model").string());
  }
  void TearDown() override {
    running_.reset();
    fs::remove_all(root_);
  }
  void start(std::shared_ptr<const ApiKeys> keys = nullptr) {
    ServerOptions o = Running::test_options();
    o.model_dir = (root_ / "model").string();
    o.orders = OrderStore::open((root_ / "orders.db").string());
    o.keys = std::move(keys);
    running_ = std::make_unique<Running>(load_model(o.model_dir), o);
  }

  fs::path root_;
  std::unique_ptr<Running> running_;
};

/// Calls `f(path, method, operation)` for every operation of the document, in document order.
template <typename F>
void for_each_operation(F&& f) {
  for (const auto& [path, item] : document().at("paths").items()) {
    for (const char* method : kMethods) {
      if (item.contains(method)) f(path, std::string(method), item.at(method));
    }
  }
}

TEST(OpenApiDocument, IsAnOpenApi3DocumentWithResolvableReferences) {
  const Json& doc = document();
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc.at("openapi").is_string());
  EXPECT_TRUE(doc.at("openapi").get<std::string>().starts_with("3.")) << doc.at("openapi");
  EXPECT_TRUE(doc.at("info").at("title").is_string());
  EXPECT_TRUE(doc.at("info").at("version").is_string());
  EXPECT_FALSE(doc.at("paths").empty());
  // Every $ref anywhere points into the document.
  const SchemaChecker checker(doc);
  std::size_t refs = 0;
  const std::function<void(const Json&)> walk = [&](const Json& node) {
    if (node.is_object() && node.contains("$ref")) {
      ++refs;
      EXPECT_NO_THROW(checker.resolve(node)) << node;
    }
    if (node.is_structured()) {
      for (const auto& child : node) walk(child);
    }
  };
  walk(doc);
  EXPECT_GT(refs, 50u);
}

TEST(OpenApiDocument, EveryRouteIsDocumentedWithItsMethodAndEveryPathIsARoute) {
  const Json& paths = document().at("paths");
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    const auto id = static_cast<RouteId>(r);
    if (id == RouteId::unmatched) continue;
    const std::string label(route_label(id));
    ASSERT_TRUE(paths.contains(label)) << "route " << label << " is not in api/http/openapi.json";
    const auto route = match_route(concrete_path(label, "22697"));
    ASSERT_TRUE(route) << label;
    EXPECT_TRUE(paths.at(label).contains(operation_of(*route))) << label << " lacks its " << operation_of(*route) << " operation";
  }
  for (const auto& [path, item] : paths.items()) {
    const auto route = match_route(concrete_path(path, "22697"));
    ASSERT_TRUE(route) << "documented path " << path << " is not a route of the server";
    EXPECT_EQ(route_label(route->id), path) << "documented path " << path << " matches another route";
    const std::set<std::string> allowed = route->method == Method::get ? std::set<std::string>{"get", "head"}
                                                                         : std::set<std::string>{operation_of(*route)};
    for (const char* method : kMethods) {
      if (item.contains(method)) {
        EXPECT_TRUE(allowed.count(method)) << path << " documents " << method << ", which it refuses";
      }
    }
  }
}

TEST(OpenApiDocument, EveryOperationDeclaresTheScopeTheServerRequires) {
  const Json& doc = document();
  ASSERT_TRUE(doc.at("components").at("securitySchemes").contains("bearerAuth"));
  for_each_operation([&](const std::string& path, const std::string& method, const Json& op) {
    ASSERT_TRUE(op.contains("security")) << method << " " << path << " does not say whether it needs a key";
    const auto route = match_route(concrete_path(path, "22697"));
    ASSERT_TRUE(route);
    const auto scope = route_scope(route->id);
    if (!scope) {
      EXPECT_EQ(op.at("security"), Json::array()) << path << " is public";
    } else {
      const Json expected = Json::parse(R"([{"bearerAuth": [")" + std::string(scope_name(*scope)) + R"("]}])");
      EXPECT_EQ(op.at("security"), expected) << method << " " << path;
      EXPECT_TRUE(op.at("responses").contains("401")) << path;
      EXPECT_TRUE(op.at("responses").contains("403")) << path;
    }
  });
}

TEST(OpenApiDocument, EveryExampleValueFitsItsSchema) {
  const Json& doc = document();
  const SchemaChecker checker(doc);
  std::size_t checked = 0;
  const auto check_media = [&](const Json& media, const std::string& where) {
    const Json& schema = media.at("schema");
    if (media.contains("example")) {
      ++checked;
      EXPECT_EQ(checker.problems(media.at("example"), schema), std::vector<std::string>{}) << where;
    }
    for (const auto& [name, example] : examples_of(media).items()) {
      ++checked;
      EXPECT_EQ(checker.problems(checker.resolve(example).at("value"), schema), std::vector<std::string>{})
          << where << " example " << name;
    }
  };
  for (const auto& [name, response] : doc.at("components").at("responses").items()) {
    for (const auto& [type, media] : response.at("content").items()) check_media(media, "components/responses/" + name);
  }
  for_each_operation([&](const std::string& path, const std::string& method, const Json& op) {
    for (const auto& [status, r] : op.at("responses").items()) {
      const Json& response = checker.resolve(r);
      ASSERT_TRUE(response.contains("description")) << method << " " << path << " " << status;
      if (!response.contains("content")) continue;
      for (const auto& [type, media] : response.at("content").items()) {
        check_media(media, method + " " + path + " " + status);
      }
    }
  });
  EXPECT_GT(checked, 30u);
}

TEST_F(OpenApiTest, TheServerServesTheDocumentAsBuiltFromTheFile) {
  start();
  auto cli = running_->client();
  const auto res = cli.Get("/openapi.json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->body, read_file(document_path())) << "rebuild: the served document differs from api/http/openapi.json";
  const auto head = cli.Head("/openapi.json");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  const auto post = cli.Post("/openapi.json", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD, OPTIONS");
}

/// One example exchange of the document: the request made of the examples named `name`.
struct Exchange {
  std::string method;
  std::string target;  ///< path and query
  httplib::Headers headers;
  std::optional<std::string> body;
};

Exchange exchange(const SchemaChecker& checker, const std::string& path, const std::string& method, const Json& op,
                  const std::string& name, const Json& response_example) {
  Exchange x;
  x.method = upper(response_example.value("x-request-method", method));
  std::string target = path;
  std::string query;
  for (const auto& p : parameters_of(op)) {
    const Json& param = checker.resolve(p);
    const Json& examples = examples_of(param);
    const std::string in = param.at("in");
    const std::string pname = param.at("name");
    if (!examples.contains(name)) {
      EXPECT_TRUE(in != "path") << method << " " << path << ": path parameter " << pname << " has no example " << name;
      continue;
    }
    const Json& value = checker.resolve(examples.at(name)).at("value");
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (in == "path") {
      target.replace(target.find("{" + pname + "}"), pname.size() + 2, percent_encoded(text));
    } else if (in == "query") {
      query += (query.empty() ? "?" : "&") + pname + "=" + percent_encoded(text);
    } else if (in == "header") {
      x.headers.emplace(pname, text);
    }
  }
  x.target = target + query;
  if (op.contains("requestBody")) {
    const Json& examples = examples_of(op.at("requestBody").at("content").at("application/json"));
    if (examples.contains(name)) x.body = checker.resolve(examples.at(name)).at("value").dump();
  }
  return x;
}

TEST_F(OpenApiTest, EveryExampleExchangeIsAnsweredAsDocumented) {
  start();
  const Json& doc = document();
  const SchemaChecker checker(doc);
  auto cli = running_->client();
  std::size_t exchanges = 0;
  std::set<int> statuses;
  for_each_operation([&](const std::string& path, const std::string& method, const Json& op) {
    const std::string where = upper(method) + " " + path;
    std::set<std::string> answered;
    bool success = false;
    for (const auto& [status_text, r] : op.at("responses").items()) {
      const Json& response = checker.resolve(r);
      if (!response.contains("content")) continue;
      for (const auto& [type, media] : response.at("content").items()) {
        for (const auto& [name, e] : examples_of(media).items()) {
          const Json& example = checker.resolve(e);
          const Exchange x = exchange(checker, path, method, op, name, example);
          SCOPED_TRACE(where + " example '" + name + "': " + x.method + " " + x.target + " " + x.body.value_or(""));
          const auto res = send(cli, x.method, x.target, x.headers, x.body);
          ASSERT_TRUE(res) << httplib::to_string(res.error());
          ++exchanges;
          answered.insert(name);
          EXPECT_EQ(std::to_string(res->status), status_text) << res->body;
          EXPECT_EQ(res->get_header_value("Content-Type"), type);
          Json body = type == "application/json" ? Json::parse(res->body, nullptr, false) : Json(res->body);
          ASSERT_FALSE(body.is_discarded()) << "not JSON: " << res->body;
          EXPECT_EQ(checker.problems(body, media.at("schema")), std::vector<std::string>{}) << res->body;
          const Json& value = example.at("value");
          if (value.is_object() && value.contains("error")) {
            EXPECT_EQ(body.value("error", Json::object()).value("code", ""), value.at("error").at("code")) << res->body;
          }
          statuses.insert(res->status);
          success = success || (res->status >= 200 && res->status < 300);
        }
      }
    }
    EXPECT_TRUE(success) << where << " has no example of a successful exchange";
    // Every request-side example belongs to an exchange the test ran.
    std::set<std::string> requests;
    for (const auto& p : parameters_of(op)) {
      for (const auto& [name, e] : examples_of(checker.resolve(p)).items()) requests.insert(name);
    }
    if (op.contains("requestBody")) {
      for (const auto& [name, e] : examples_of(op.at("requestBody").at("content").at("application/json")).items()) {
        requests.insert(name);
      }
    }
    for (const auto& name : requests) {
      EXPECT_TRUE(answered.count(name)) << where << ": request example '" << name << "' has no response example";
    }
  });
  EXPECT_GT(exchanges, 30u);
  for (const int status : {200, 201, 400, 404, 405, 422}) EXPECT_TRUE(statuses.count(status)) << "no example answered " << status;
}

TEST_F(OpenApiTest, SuccessfulExampleRequestsFitTheirRequestSchemas) {
  const Json& doc = document();
  const SchemaChecker checker(doc);
  std::size_t checked = 0;
  for_each_operation([&](const std::string& path, const std::string& method, const Json& op) {
    if (!op.contains("requestBody")) return;
    const Json& media = op.at("requestBody").at("content").at("application/json");
    for (const auto& [name, e] : examples_of(media).items()) {
      bool success = false;
      for (const auto& [status, r] : op.at("responses").items()) {
        const Json& response = checker.resolve(r);
        if (!status.starts_with("2") || !response.contains("content")) continue;
        for (const auto& [type, m] : response.at("content").items()) success = success || examples_of(m).contains(name);
      }
      if (!success) continue;  // an error example's request is wrong on purpose
      ++checked;
      EXPECT_EQ(checker.problems(checker.resolve(e).at("value"), media.at("schema")), std::vector<std::string>{})
          << method << " " << path << " request example " << name;
    }
  });
  EXPECT_GT(checked, 5u);
}

TEST_F(OpenApiTest, WithApiKeysTheDocumentedSecurityIsEnforced) {
  const std::string read_token = new_token();
  const std::string write_token = new_token();
  start(std::make_shared<const ApiKeys>(ApiKeys::parse("reader read " + to_hex(sha256(read_token)) + "\nwriter write " +
                                                           to_hex(sha256(write_token)) + "\n",
                                                       "test keys")));
  const Json& doc = document();
  const SchemaChecker checker(doc);
  auto cli = running_->client();
  for_each_operation([&](const std::string& path, const std::string& method, const Json& op) {
    const std::string target = concrete_path(path, "22697");
    const std::optional<std::string> body = method == "post" ? std::optional<std::string>("{}") : std::nullopt;
    SCOPED_TRACE(upper(method) + " " + target);
    const auto anonymous = send(cli, upper(method), target, {}, body);
    ASSERT_TRUE(anonymous);
    const Json& security = op.at("security");
    if (security.empty()) {
      EXPECT_NE(anonymous->status, 401) << anonymous->body;
      return;
    }
    const std::string scope = security.at(0).at("bearerAuth").at(0);
    const auto expect_documented = [&](const httplib::Result& res, int status) {
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, status) << res->body;
      const Json& media = checker.resolve(op.at("responses").at(std::to_string(status))).at("content").at("application/json");
      EXPECT_EQ(checker.problems(Json::parse(res->body), media.at("schema")), std::vector<std::string>{}) << res->body;
    };
    expect_documented(anonymous, 401);
    const std::string& other = scope == "read" ? write_token : read_token;
    expect_documented(send(cli, upper(method), target, {{"Authorization", "Bearer " + other}}, body), 403);
    const std::string& right = scope == "read" ? read_token : write_token;
    const auto allowed = send(cli, upper(method), target, {{"Authorization", "Bearer " + right}}, body);
    ASSERT_TRUE(allowed);
    EXPECT_NE(allowed->status, 401);
    EXPECT_NE(allowed->status, 403);
  });
}

}  // namespace
}  // namespace cobuy
