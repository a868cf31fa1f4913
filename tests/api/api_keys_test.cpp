// API keys: the keys file (parsing, errors with file and line), tokens, hashing, verification,
// scopes, creating and revoking keys in a file, and which hosts count as loopback.

#include "api/http/api_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/http/codec.h"
#include "core/error.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

std::string key_line(const std::string& name, const std::string& scopes, const std::string& token) {
  return name + " " + scopes + " " + to_hex(sha256(token)) + "\n";
}

/// The message of the Error(code) that `f` throws ("" and a test failure if it throws none).
template <typename F>
std::string error_of(F&& f, ErrorCode code) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no Error thrown";
  return "";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ApiKeys, Sha256IsTheStandardDigest) {
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ApiKeys, TokensArePrefixedRandomHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const auto t = new_token();
    ASSERT_EQ(t.size(), 6u + 64u) << t;
    EXPECT_TRUE(t.starts_with("cobuy_")) << t;
    EXPECT_EQ(t.find_first_not_of("0123456789abcdef", 6), std::string::npos) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(ApiKeys, ParsesNamesScopesAndHashesSkippingCommentsAndBlankLines) {
  const std::string text = "# cobuy keys\n\n" + key_line("shop-emails", "read", "t1") + "   # indented comment\r\n" +
                           "crm\twrite,read\t" + to_hex(sha256("t2")) + "\r\n" + key_line("ingest", "write", "t3") +
                           "ops read,write " + to_hex(sha256("t4"));  // no final newline
  const auto keys = ApiKeys::parse(text, "keys.txt");
  ASSERT_EQ(keys.keys().size(), 4u);
  EXPECT_EQ(keys.keys()[0].name, "shop-emails");
  EXPECT_EQ(keys.keys()[0].scopes, ScopeSet({Scope::read}));
  EXPECT_EQ(keys.keys()[1].name, "crm");
  EXPECT_EQ(keys.keys()[1].scopes, ScopeSet({Scope::read, Scope::write}));
  EXPECT_EQ(keys.keys()[2].scopes, ScopeSet({Scope::write}));
  EXPECT_EQ(keys.keys()[3].name, "ops");
  EXPECT_EQ(keys.keys()[1].hash, sha256("t2"));
  EXPECT_TRUE(ApiKeys::parse("", "empty").keys().empty());
}

TEST(ApiKeys, UppercaseHexHashesAreAccepted) {
  std::string hex = to_hex(sha256("tok"));
  for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto keys = ApiKeys::parse("a read " + hex + "\n", "k");
  ASSERT_NE(keys.verify("tok"), nullptr);
}

TEST(ApiKeys, BadLinesNameTheFileAndLine) {
  const std::string good = key_line("a", "read", "t1");
  const auto bad = [&](const std::string& line) {
    return error_of([&] { ApiKeys::parse("# header\n" + good + line, "/etc/cobuy/keys"); }, ErrorCode::bad_data);
  };
  EXPECT_NE(bad("b read\n").find("/etc/cobuy/keys:3: expected 'NAME SCOPES SHA256HEX', got 2 fields"),
            std::string::npos);
  EXPECT_NE(bad(key_line("b", "read", "t2") + " extra\n").find("/etc/cobuy/keys:4: expected"), std::string::npos);
  EXPECT_NE(bad("b read " + to_hex(sha256("t2")) + " extra\n").find("/etc/cobuy/keys:3: expected"), std::string::npos);
  EXPECT_NE(bad(key_line("b/c", "read", "t2")).find("/etc/cobuy/keys:3: bad key name 'b/c'"), std::string::npos);
  EXPECT_NE(bad(key_line("b", "admin", "t2")).find("/etc/cobuy/keys:3: unknown scope 'admin'"), std::string::npos);
  EXPECT_NE(bad(key_line("b", "read,read", "t2")).find("/etc/cobuy/keys:3: scope 'read' given twice"),
            std::string::npos);
  EXPECT_NE(bad("b read abc123\n").find("/etc/cobuy/keys:3: the hash of key 'b' must be 64 hex digits"),
            std::string::npos);
  std::string not_hex = to_hex(sha256("t2"));
  not_hex[10] = 'g';
  EXPECT_NE(bad("b read " + not_hex + "\n").find("/etc/cobuy/keys:3: the hash"), std::string::npos);
  EXPECT_NE(bad(key_line("a", "write", "t2")).find("/etc/cobuy/keys:3: key 'a' is already on line 2"),
            std::string::npos);
  EXPECT_NE(bad(key_line("b", "write", "t1")).find("/etc/cobuy/keys:3: key 'b' has the same hash as key 'a' on line 2"),
            std::string::npos);
}

TEST(ApiKeys, VerifyFindsTheKeyOfATokenAndNothingElse) {
  const auto keys = ApiKeys::parse(key_line("r", "read", "cobuy_r") + key_line("w", "write", "cobuy_w"), "k");
  ASSERT_NE(keys.verify("cobuy_r"), nullptr);
  EXPECT_EQ(keys.verify("cobuy_r")->name, "r");
  ASSERT_NE(keys.verify("cobuy_w"), nullptr);
  EXPECT_EQ(keys.verify("cobuy_w")->name, "w");
  EXPECT_EQ(keys.verify("cobuy_x"), nullptr);
  EXPECT_EQ(keys.verify("cobuy_"), nullptr);
  EXPECT_EQ(keys.verify(""), nullptr);
  EXPECT_EQ(keys.verify("cobuy_r "), nullptr);
  // The stored hash is not a token.
  EXPECT_EQ(keys.verify(to_hex(sha256("cobuy_r"))), nullptr);
}

TEST(ApiKeys, ScopesParseInAnyOrderAndRefuseTheRest) {
  EXPECT_EQ(parse_scopes("read"), ScopeSet({Scope::read}));
  EXPECT_EQ(parse_scopes("write"), ScopeSet({Scope::write}));
  EXPECT_EQ(parse_scopes("write,read"), ScopeSet({Scope::read, Scope::write}));
  EXPECT_EQ(scopes_text(parse_scopes("write,read")), "read,write");
  EXPECT_FALSE(parse_scopes("write").has(Scope::read));  // write does not imply read
  for (const char* bad : {"", "admin", "read,", ",read", "read, write", "READ", "read,read"}) {
    EXPECT_THROW(parse_scopes(bad), Error) << bad;
  }
}

TEST(ApiKeys, EveryRouteHasItsScope) {
  for (const auto r : {RouteId::healthz, RouteId::readyz, RouteId::openapi, RouteId::unmatched}) {
    EXPECT_EQ(route_scope(r), std::nullopt) << route_label(r);
  }
  for (const auto r : {RouteId::model, RouteId::constant, RouteId::recommendations, RouteId::offers,
                       RouteId::bought_together, RouteId::similar, RouteId::metrics, RouteId::offer_stats}) {
    EXPECT_EQ(route_scope(r), Scope::read) << route_label(r);
  }
  for (const auto r : {RouteId::orders, RouteId::events, RouteId::cancel_order, RouteId::order_returns, RouteId::erase_customer,
                       RouteId::reload}) {
    EXPECT_EQ(route_scope(r), Scope::write) << route_label(r);
  }
}

TEST(ApiKeys, BearerTokensComeFromTheAuthorizationHeader) {
  EXPECT_EQ(bearer_token("Bearer cobuy_abc"), "cobuy_abc");
  EXPECT_EQ(bearer_token("bearer   cobuy_abc  "), "cobuy_abc");
  EXPECT_EQ(bearer_token("BEARER cobuy_abc"), "cobuy_abc");
  EXPECT_EQ(bearer_token(""), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer   "), std::nullopt);
  EXPECT_EQ(bearer_token("Bearercobuy_abc"), std::nullopt);
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(bearer_token("cobuy_abc"), std::nullopt);
}

TEST(ApiKeys, AuthErrorsMapTo401And403) {
  EXPECT_EQ(http_status(ErrorCode::unauthorized), 401);
  EXPECT_EQ(http_status(ErrorCode::forbidden), 403);
  EXPECT_EQ(error_code_name(ErrorCode::unauthorized), "unauthorized");
  EXPECT_EQ(error_code_name(ErrorCode::forbidden), "forbidden");
}

TEST(ApiKeys, LoopbackHostsAreRecognised) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "", "::", "10.0.0.1", "128.0.0.1", "192.168.1.7", "example.com",
                        "localhost.example.com", "::ffff:10.0.0.1", "fe80::1"}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
  EXPECT_NO_THROW(check_listen_address("127.0.0.1", false));
  EXPECT_NO_THROW(check_listen_address("0.0.0.0", true));
  const auto message = error_of([] { check_listen_address("0.0.0.0", false); }, ErrorCode::bad_request);
  EXPECT_NE(message.find("refusing to listen on '0.0.0.0' without API keys: pass --keys FILE"), std::string::npos)
      << message;
}

class KeysFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cobuy-keys-file-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "keys").string(); }
  fs::path dir_;
};

TEST_F(KeysFileTest, CreateMakesAPrivateFileThatVerifiesTheTokenAndStoresOnlyItsHash) {
  const auto token = create_api_key(path(), "emails", ScopeSet({Scope::read}));
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = read_file(path());
  EXPECT_EQ(text.find(token), std::string::npos) << text;
  EXPECT_NE(text.find("emails read " + to_hex(sha256(token)) + "\n"), std::string::npos) << text;
  const auto keys = ApiKeys::load(path());
  ASSERT_EQ(keys.keys().size(), 1u);
  ASSERT_NE(keys.verify(token), nullptr);
  EXPECT_EQ(keys.verify(token)->name, "emails");
  EXPECT_TRUE(fs::is_regular_file(path()));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1) << "no temporary left";
}

TEST_F(KeysFileTest, CreateKeepsOtherLinesAndRefusesADuplicateOrBadName) {
  {
    std::ofstream f(path());
    f << "# my comment\n" << key_line("old", "write", "tok-old");
  }
  const auto token = create_api_key(path(), "new", ScopeSet({Scope::read, Scope::write}));
  const std::string text = read_file(path());
  EXPECT_TRUE(text.starts_with("# my comment\n" + key_line("old", "write", "tok-old"))) << text;
  const auto keys = ApiKeys::load(path());
  ASSERT_EQ(keys.keys().size(), 2u);
  EXPECT_EQ(keys.verify("tok-old")->name, "old");
  EXPECT_EQ(keys.verify(token)->name, "new");
  EXPECT_NE(error_of([&] { create_api_key(path(), "old", ScopeSet({Scope::read})); }, ErrorCode::bad_request)
                .find("already has a key named 'old'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { create_api_key(path(), "a b", ScopeSet({Scope::read})); }, ErrorCode::bad_request)
                .find("bad key name 'a b'"),
            std::string::npos);
  EXPECT_EQ(read_file(path()), text) << "a refused create leaves the file alone";
}

TEST_F(KeysFileTest, CreateRefusesToAddToAMalformedFile) {
  {
    std::ofstream f(path());
    f << "oops\n";
  }
  EXPECT_NE(error_of([&] { create_api_key(path(), "a", ScopeSet({Scope::read})); }, ErrorCode::bad_data)
                .find(path() + ":1:"),
            std::string::npos);
}

TEST_F(KeysFileTest, ARevokedKeyNoLongerVerifiesAndTheOthersStay) {
  const auto keep = create_api_key(path(), "keep", ScopeSet({Scope::read}));
  const auto gone = create_api_key(path(), "gone", ScopeSet({Scope::write}));
  ::chmod(path().c_str(), 0640);
  ASSERT_NE(ApiKeys::load(path()).verify(gone), nullptr);
  revoke_api_key(path(), "gone");
  const auto keys = ApiKeys::load(path());
  EXPECT_EQ(keys.verify(gone), nullptr);
  ASSERT_NE(keys.verify(keep), nullptr);
  EXPECT_EQ(keys.keys().size(), 1u);
  EXPECT_TRUE(read_file(path()).starts_with("# cobuy API keys")) << "comments are kept";
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u) << "the file keeps its mode";
  EXPECT_NE(error_of([&] { revoke_api_key(path(), "gone"); }, ErrorCode::not_found).find("no key named 'gone'"),
            std::string::npos);
}

TEST_F(KeysFileTest, AMissingFileIsAnIoErrorNamingIt) {
  EXPECT_NE(error_of([&] { ApiKeys::load(path()); }, ErrorCode::io).find(path()), std::string::npos);
  EXPECT_NE(error_of([&] { revoke_api_key(path(), "x"); }, ErrorCode::io).find(path()), std::string::npos);
}

}  // namespace
}  // namespace cobuy
