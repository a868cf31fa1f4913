#pragma once
/// API keys of the HTTP server: the keys file, tokens, verification and the scope each route
/// needs.
///
/// The keys file is text, one key a line: `NAME SCOPES SHA256HEX`, where SCOPES is a comma list
/// of `read` and `write` and SHA256HEX the SHA-256 of the token (64 hex digits); blank lines and
/// lines starting with `#` are ignored. The token itself is never stored. A client sends it as
/// `Authorization: Bearer <token>`.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/routes.h"

namespace cobuy {

/// What a key may do. `write` does not imply `read`.
enum class Scope : std::uint8_t {
  read,   ///< model, recommendations, offers, items, metrics, constant, shop figures
  write,  ///< orders (record, cancel, return), erasing a customer, admin reload
};

/// "read" or "write".
std::string_view scope_name(Scope scope);

/// A set of scopes.
class ScopeSet {
 public:
  ScopeSet() = default;
  ScopeSet(std::initializer_list<Scope> scopes) {
    for (const Scope s : scopes) add(s);
  }
  void add(Scope s) { bits_ |= bit(s); }
  bool has(Scope s) const { return (bits_ & bit(s)) != 0; }
  bool empty() const { return bits_ == 0; }
  bool operator==(const ScopeSet&) const = default;

 private:
  static std::uint8_t bit(Scope s) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(s)); }
  std::uint8_t bits_ = 0;
};

/// Parses "read", "write" or "read,write" (any order, no spaces); throws Error(bad_request)
/// naming the bad part for anything else, an empty list or a repeated scope.
ScopeSet parse_scopes(std::string_view text);
/// "read", "write" or "read,write".
std::string scopes_text(ScopeSet scopes);

/// The scope a route needs, or nullopt for a public route (health, readiness, the OpenAPI
/// document, unmatched paths).
std::optional<Scope> route_scope(RouteId route);

/// SHA-256 digest, 32 bytes.
using Sha256 = std::array<unsigned char, 32>;
/// SHA-256 of `data` (OpenSSL).
Sha256 sha256(std::string_view data);
/// Lowercase hex of a digest (64 characters).
std::string to_hex(const Sha256& digest);

/// A new token: "cobuy_" and 64 hex digits of 32 bytes from getrandom(). Throws Error(internal)
/// if the kernel cannot supply random bytes.
std::string new_token();

/// One key of the file.
struct ApiKey {
  std::string name;  ///< letters, digits and "._-", 1 to 64 characters; unique in a file
  ScopeSet scopes;   ///< never empty
  Sha256 hash{};     ///< SHA-256 of the token
};

/// Whether `name` is a valid key name (letters, digits and "._-", 1 to 64 characters).
bool valid_key_name(std::string_view name);

/// The keys of one file, immutable once loaded; shared by the server's request threads.
class ApiKeys {
 public:
  /// Parses a keys file's text; `source` names it in errors. Throws Error(bad_data)
  /// "SOURCE:LINE: reason" for a malformed line, a bad name, scope or hash, or a name or hash
  /// that appears twice.
  static ApiKeys parse(std::string_view text, const std::string& source);
  /// Reads and parses the file at `path`; throws Error(io) if it cannot be read.
  static ApiKeys load(const std::string& path);

  const std::vector<ApiKey>& keys() const { return keys_; }
  /// The key whose hash is the SHA-256 of `token`, or null. The presented token's digest is
  /// compared with every stored hash (CRYPTO_memcmp, no early exit), so the time taken does not
  /// depend on the stored key material.
  const ApiKey* verify(std::string_view token) const;

 private:
  std::vector<ApiKey> keys_;
};

/// Adds a key named `name` with `scopes` to the keys file at `path` and returns its token (the
/// only time it exists outside the caller). Creates the file with mode 0600 if absent; the other
/// lines (comments included) are kept. The file is replaced atomically (written beside it, then
/// renamed). Throws Error(bad_request) for a bad or duplicate name, Error(bad_data) if the
/// existing file is malformed, Error(io) if it cannot be written.
std::string create_api_key(const std::string& path, const std::string& name, ScopeSet scopes);

/// Removes the key named `name` from the keys file at `path`, keeping every other line; throws
/// Error(not_found) if there is no such key, Error(bad_data) / Error(io) as create_api_key().
void revoke_api_key(const std::string& path, const std::string& name);

/// The token of an Authorization header value "Bearer <token>" (scheme in any case), or
/// nullopt when the value is empty, another scheme or has no token. The token points into
/// `authorization`.
std::optional<std::string_view> bearer_token(std::string_view authorization);

/// Whether `host` is a loopback address: "localhost", 127.0.0.0/8, ::1 (also "[::1]" and
/// IPv4-mapped 127.x addresses).
bool is_loopback_host(std::string_view host);

/// Refuses to listen on a host other than loopback without API keys: throws Error(bad_request)
/// saying to pass --keys when `host` is not loopback and `has_keys` is false.
void check_listen_address(std::string_view host, bool has_keys);

}  // namespace cobuy
