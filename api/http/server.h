#pragma once
/// The HTTP server: routes, JSON codecs and error mapping around core's recommendation logic.
/// httplib stays inside server.cpp (it must not be included next to Eigen, see DESIGN.md).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/model.h"
#include "core/offer_policy.h"
#include "core/time_util.h"

namespace cobuy {

class ApiKeys;
class OrderStore;

/// How the server listens and what it accepts.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                 ///< 0 = pick a free port (see Server::port())
  unsigned threads = 0;            ///< worker threads; 0 = max(8, 4 * cores)
  ServeLimits limits;
  std::size_t max_body_bytes = 1 << 20;
  /// Requests that have fully arrived and wait for a worker; past this a request is answered 503
  /// at once. Slow or idle connections wait in the connection loop and count neither here nor
  /// against the workers.
  std::size_t max_queue = 256;
  std::size_t max_connections = 10000;  ///< open connections; past this a new one is answered 503
  /// A request head must arrive within this of its first byte (of the connection's start, for
  /// the first request); past it the connection is answered 408 and closed.
  std::chrono::milliseconds header_timeout{2000};
  std::size_t max_header_bytes = 32768;  ///< bytes of header lines in one request; past it: 431
  std::size_t max_headers = 100;         ///< header lines in one request; past it: 431
  /// Browser origins ("https://shop.example") allowed to call the API; a request with any other
  /// Origin header is refused (403). Empty: no browser origin at all.
  std::vector<std::string> allow_origins;
  /// Time budget of one request's work (deadline::Scope): past it, the request answers 503 with
  /// code "timeout" instead of holding its worker.
  std::chrono::milliseconds request_timeout{2000};
  /// POST /v1/offers. Single-use coupon codes (coupon_codes) need `orders`: the Server imports
  /// their files there when made and on every reload (see import_policy_coupons).
  OfferPolicy policy;
  /// How far ahead of this server's clock an order's timestamp may be (POST /v1/orders, an
  /// offers request's order); seconds. An offers request's `at` may be a year more.
  Timestamp max_clock_skew = kDefaultMaxClockSkew;
  std::shared_ptr<OrderStore> orders;  ///< the order log (POST /v1/orders); null = none
  std::string model_dir;               ///< where the model came from; the default of reload()
  /// API keys: every route but /healthz, /readyz and /openapi.json then needs a bearer token with
  /// the route's scope (401 without a valid one, 403 without the scope). Null = no keys: every
  /// route is open, and bind() refuses any host but loopback.
  std::shared_ptr<const ApiKeys> keys;
  std::string keys_path;  ///< the file `keys` came from ("" = none); what reload_keys() reads
};

/// The live model as GET /v1/model and reload() describe it.
struct ModelStatus {
  std::string version;
  std::string model_dir;  ///< "" when the model was set by set_model()
  std::string loaded_at;  ///< ISO-8601 UTC time it was swapped in
  std::string replaced_version;  ///< reload(): the version it replaced ("" = none)
};

/// Serves one model (an immutable snapshot) over HTTP/1.1 with keep-alive. Routes, bodies and
/// errors are described in DESIGN.md ("HTTP API"); every answer, errors included, is JSON.
class Server {
 public:
  /// `model` may be null: the server then answers /healthz, reports 503 on /readyz and on the
  /// routes that need a model, until set_model() provides one. The model's embedding index (if
  /// any) is loaded here, once, and fills short bought-together lists; throws Error(bad_data) if
  /// it is unusable. A policy with single-use coupon codes but no order log throws
  /// Error(bad_request) saying --orders-db is needed; their files are imported into the log here.
  Server(std::shared_ptr<const Model> model, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the socket; throws Error(io) naming host and port if it cannot (a port already in use
  /// fails: SO_REUSEPORT is not set, so two servers never share one port by accident), and
  /// Error(bad_request) for a host other than loopback when no API keys are configured.
  void bind();
  /// The bound port (after bind()), or -1 before.
  int port() const;
  /// Serves until stop() is called (from another thread or a signal handler thread); binds first
  /// if bind() was not called. Returns once in-flight requests have been answered.
  void run();
  /// Asks run() to return; safe from any thread, also before run() has started (run() then
  /// returns at once).
  void stop();
  /// Swaps the served model atomically; requests in flight finish on the old one. The new
  /// model's embedding index is loaded first: if it is unusable this throws Error(bad_data) and
  /// the old model keeps serving.
  void set_model(std::shared_ptr<const Model> model);
  /// Imports the policy's files of single-use coupon codes again (codes appended since join their
  /// pools), then loads the artifact in `dir` ("" = ServerOptions::model_dir) with load_model()
  /// and swaps it in as set_model() does; POST /v1/admin/reload and SIGHUP call this. Reloads are
  /// serialised. Throws Error(bad_request) when no directory is known, read_coupon_codes()'s
  /// errors for a file of codes that became unreadable or invalid, and load_model()'s
  /// Error(bad_data or io) for an unusable artifact; the old model keeps serving then.
  ModelStatus reload(const std::string& dir = "");
  /// Re-reads ServerOptions::keys_path (if set) and swaps the new keys in, so keys created or
  /// revoked since start-up take effect; SIGHUP calls this. Throws the load error (and logs it)
  /// for an unreadable or malformed file, in which case the old keys stay. Returns the number of
  /// keys now in use, or -1 when the server has no keys file.
  int reload_keys();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cobuy
