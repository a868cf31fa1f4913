#include "api/http/api_keys.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace cobuy {
namespace {

constexpr std::string_view kTokenPrefix = "cobuy_";
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxNameChars = 64;

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<Sha256> parse_hex_digest(std::string_view hex) {
  if (hex.size() != 2 * Sha256{}.size()) return std::nullopt;
  Sha256 out{};
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

/// The file's lines (without "\n" or a trailing "\r").
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

/// Parses every key line; `line_of_key[k]` is the 0-based line of keys[k].
std::vector<ApiKey> parse_keys(std::string_view text, const std::string& source, std::vector<std::size_t>& line_of_key) {
  std::vector<ApiKey> keys;
  const auto lines = split_lines(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const auto fields = split_fields(lines[n]);
    if (fields.empty() || fields[0].starts_with('#')) continue;
    const auto where = [&] { return source + ":" + std::to_string(n + 1) + ": "; };
    COBUY_CHECK(fields.size() == 3, ErrorCode::bad_data,
                where() << "expected 'NAME SCOPES SHA256HEX', got " << fields.size() << " field"
                        << (fields.size() == 1 ? "" : "s"));
    ApiKey key;
    key.name = std::string(fields[0]);
    COBUY_CHECK(valid_key_name(key.name), ErrorCode::bad_data,
                where() << "bad key name '" << key.name.substr(0, kMaxNameChars)
                        << "' (letters, digits and ._- only, at most 64 characters)");
    try {
      key.scopes = parse_scopes(fields[1]);
    } catch (const Error& e) {
      COBUY_FAIL(ErrorCode::bad_data, where() << e.what());
    }
    const auto hash = parse_hex_digest(fields[2]);
    COBUY_CHECK(hash, ErrorCode::bad_data,
                where() << "the hash of key '" << key.name << "' must be 64 hex digits (a SHA-256), got "
                        << fields[2].size() << " characters");
    key.hash = *hash;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      COBUY_CHECK(keys[k].name != key.name, ErrorCode::bad_data,
                  where() << "key '" << key.name << "' is already on line " << line_of_key[k] + 1);
      COBUY_CHECK(keys[k].hash != key.hash, ErrorCode::bad_data,
                  where() << "key '" << key.name << "' has the same hash as key '" << keys[k].name << "' on line "
                          << line_of_key[k] + 1);
    }
    keys.push_back(std::move(key));
    line_of_key.push_back(n);
  }
  return keys;
}

/// The file's text, or nullopt when it does not exist.
std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    COBUY_CHECK(!std::filesystem::exists(path), ErrorCode::io, "cannot read keys file " << path);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  COBUY_CHECK(!in.bad(), ErrorCode::io, "cannot read keys file " << path);
  return ss.str();
}

/// Replaces `path` with `text`: written to a temporary file beside it with `mode`, synced, renamed.
void write_text_atomically(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  COBUY_CHECK(fd >= 0, ErrorCode::io, "cannot write " << tmp << ": " << std::strerror(errno));
  ::fchmod(fd, mode);  // open() applies the umask
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int err = errno;
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = ok ? errno : err;
    ::unlink(tmp.c_str());
    COBUY_FAIL(ErrorCode::io, "cannot write keys file " << path << ": " << std::strerror(e));
  }
}

mode_t file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 07777;
}

}  // namespace

std::string_view scope_name(Scope scope) {
  switch (scope) {
    case Scope::read: return "read";
    case Scope::write: return "write";
  }
  return "read";
}

ScopeSet parse_scopes(std::string_view text) {
  ScopeSet out;
  COBUY_CHECK(!text.empty(), ErrorCode::bad_request, "no scope given (read, write or read,write)");
  std::string_view rest = text;
  while (true) {
    const auto comma = rest.find(',');
    const auto part = rest.substr(0, comma);
    std::optional<Scope> scope;
    for (const Scope s : {Scope::read, Scope::write}) {
      if (part == scope_name(s)) scope = s;
    }
    COBUY_CHECK(scope, ErrorCode::bad_request,
                "unknown scope '" << part.substr(0, 40) << "' in '" << text.substr(0, 80) << "' (read or write)");
    COBUY_CHECK(!out.has(*scope), ErrorCode::bad_request, "scope '" << part << "' given twice in '" << text << "'");
    out.add(*scope);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string scopes_text(ScopeSet scopes) {
  std::string out;
  for (const Scope s : {Scope::read, Scope::write}) {
    if (!scopes.has(s)) continue;
    if (!out.empty()) out += ',';
    out += scope_name(s);
  }
  return out;
}

std::optional<Scope> route_scope(RouteId route) {
  // No default: a new route must be given a scope here (or declared public) to compile.
  switch (route) {
    case RouteId::healthz:
    case RouteId::readyz:
    case RouteId::openapi:
    // The dashboard's page, script and style hold no data: a browser loads them without a key,
    // and the page sends the key the user gives it with each API call (which need `read`).
    case RouteId::dashboard:
    case RouteId::dashboard_asset:
    case RouteId::unmatched: return std::nullopt;
    case RouteId::model:
    case RouteId::constant:
    case RouteId::recommendations:
    case RouteId::offers:
    case RouteId::bought_together:
    case RouteId::similar:
    case RouteId::offer_stats:
    case RouteId::shop_stats:
    case RouteId::metrics: return Scope::read;
    case RouteId::orders:
    case RouteId::events:
    case RouteId::cancel_order:
    case RouteId::order_returns:
    case RouteId::erase_customer:  // the strictest scope there is: erasing cannot be undone
    case RouteId::reload: return Scope::write;
  }
  return Scope::write;  // unreachable; the most restrictive answer
}

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  unsigned int n = 0;
  const int ok = EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr);
  COBUY_ASSERT(ok == 1 && n == out.size());
  return out;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest.size());
  for (const unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string new_token() {
  std::array<unsigned char, kTokenBytes> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const auto n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    COBUY_CHECK(n > 0, ErrorCode::internal, "getrandom() failed: " << std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  static_assert(kTokenBytes == Sha256{}.size());
  return std::string(kTokenPrefix) + to_hex(bytes);
}

bool valid_key_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameChars &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
         });
}

ApiKeys ApiKeys::parse(std::string_view text, const std::string& source) {
  std::vector<std::size_t> lines;
  ApiKeys out;
  out.keys_ = parse_keys(text, source, lines);
  return out;
}

ApiKeys ApiKeys::load(const std::string& path) {
  const auto text = read_text(path);
  COBUY_CHECK(text, ErrorCode::io, "keys file " << path << " does not exist (create one with `cobuy keys create`)");
  return parse(*text, path);
}

const ApiKey* ApiKeys::verify(std::string_view token) const {
  // Tokens are 256 random bits, so one unsalted SHA-256 is enough: a stolen file gives nothing to
  // brute-force, and a slow password hash would only cost time on every request.
  const Sha256 digest = sha256(token);
  const ApiKey* found = nullptr;
  for (const auto& key : keys_) {
    // Every stored hash is compared in full: no early exit, whichever key matches.
    const int differs = CRYPTO_memcmp(key.hash.data(), digest.data(), digest.size());
    if (differs == 0) found = &key;
  }
  return found;
}

std::string create_api_key(const std::string& path, const std::string& name, ScopeSet scopes) {
  COBUY_CHECK(valid_key_name(name), ErrorCode::bad_request,
              "bad key name '" << name.substr(0, kMaxNameChars) << "' (letters, digits and ._- only, 1 to 64 characters)");
  COBUY_CHECK(!scopes.empty(), ErrorCode::bad_request, "a key needs a scope (read, write or read,write)");
  const auto existing = read_text(path);
  std::string text = existing ? *existing
                              : "# cobuy API keys: NAME SCOPES SHA256-OF-TOKEN, one a line (`cobuy keys --help`).\n";
  const auto keys = ApiKeys::parse(text, path);
  for (const auto& key : keys.keys()) {
    COBUY_CHECK(key.name != name, ErrorCode::bad_request,
                "keys file " << path << " already has a key named '" << name << "' (revoke it first)");
  }
  const std::string token = new_token();
  if (!text.empty() && !text.ends_with('\n')) text += '\n';
  text += name + " " + scopes_text(scopes) + " " + to_hex(sha256(token)) + "\n";
  write_text_atomically(path, text, existing ? file_mode(path) : 0600);
  return token;
}

void revoke_api_key(const std::string& path, const std::string& name) {
  const auto text = read_text(path);
  COBUY_CHECK(text, ErrorCode::io, "keys file " << path << " does not exist");
  std::vector<std::size_t> line_of_key;
  const auto keys = parse_keys(*text, path, line_of_key);
  std::optional<std::size_t> drop;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (keys[k].name == name) drop = line_of_key[k];
  }
  COBUY_CHECK(drop, ErrorCode::not_found, "keys file " << path << " has no key named '" << name << "'");
  std::string out;
  const auto lines = split_lines(*text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    if (n == *drop) continue;
    out.append(lines[n]);
    out += '\n';
  }
  write_text_atomically(path, out, file_mode(path));
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return std::nullopt;
  }
  auto rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  if (rest.empty()) return std::nullopt;
  return rest;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string h(host);
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

void check_listen_address(std::string_view host, bool has_keys) {
  COBUY_CHECK(has_keys || is_loopback_host(host), ErrorCode::bad_request,
              "refusing to listen on '" << host
                                        << "' without API keys: pass --keys FILE (create one with `cobuy keys "
                                           "create`), or listen on 127.0.0.1");
}

}  // namespace cobuy
