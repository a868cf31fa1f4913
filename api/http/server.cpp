#include "api/http/server.h"

#include <httplib.h>
#include <strings.h>

#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "api/http/admin_routes.h"
#include "api/http/api_keys.h"
#include "api/http/codec.h"
#include "api/http/connection_loop.h"
#include "api/http/listen_socket.h"
#include "api/http/cors.h"
#include "api/http/dashboard_assets.h"
#include "api/http/feedback_routes.h"
#include "api/http/history_routes.h"
#include "api/http/http_core.h"
#include "api/http/metrics.h"
#include "api/http/openapi_document.h"
#include "api/http/responses.h"
#include "api/http/routes.h"
#include "api/http/shop_stats_routes.h"
#include "api/http/offer_codec.h"
#include "api/http/offer_routes.h"
#include "core/artifact.h"
#include "core/deadline.h"
#include "core/error.h"
#include "core/log.h"
#include "core/recommender.h"
#include "core/time_util.h"
#include "index/complement_search.h"

namespace cobuy {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// When the current request started, for the per-request log line. Each worker thread serves one
// request at a time from pre-routing to the logger, so a thread_local suffices.
thread_local Clock::time_point t_request_start{};
// The name of the API key that authorised the current request ("" = none), for the same log line.
thread_local std::string t_key_name;
/// A served model and the search over its embedding index, loaded once per model and kept alive
/// together (the search holds the rebuilt Faiss index).
struct Served {
  std::shared_ptr<const Model> model;  ///< null until a model is set
  ComplementSearch complements;        ///< empty without embeddings
  std::shared_ptr<const OfferEngine> offers;  ///< null until a model is set
  std::string model_dir;                      ///< "" when not loaded from a directory
  std::string loaded_at;                      ///< when it was loaded, ISO-8601 UTC
};

std::shared_ptr<const Served> load(std::shared_ptr<const Model> model, const OfferPolicy& policy,
                                   std::string model_dir, std::string loaded_at = now_iso()) {
  auto served = std::make_shared<Served>();
  if (model) {
    served->complements = make_complement_search(model);
    served->offers = std::make_shared<const OfferEngine>(model, policy, served->complements);
  }
  served->model = std::move(model);
  served->model_dir = std::move(model_dir);
  served->loaded_at = std::move(loaded_at);
  return served;
}

double seconds_since(Clock::time_point start) {
  if (start == Clock::time_point{}) return 0;
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  CorsPolicy cors;
  http::HttpCore http;
  int port = -1;
  std::mutex loop_mutex;                       ///< guards `loop` and `stop_requested` between bind() and stop()
  std::unique_ptr<http::ConnectionLoop> loop;  ///< made by bind()
  bool stop_requested = false;

  Metrics metrics;

  Impl(std::shared_ptr<const Model> m, ServerOptions o)
      : options(std::move(o)), cors(options.allow_origins), served_(load(std::move(m), options.policy, options.model_dir)) {}

  /// The model a request works on, start to end, with its complement search. A mutex rather than
  /// std::atomic<std::shared_ptr>: libstdc++ 12's version unlocks its load with a relaxed store, a
  /// data race that ThreadSanitizer reports; an uncontended lock around one pointer copy costs tens
  /// of nanoseconds.
  std::shared_ptr<const Served> snapshot() const {
    std::lock_guard lock(model_mutex_);
    return served_;
  }
  /// Returns the model swapped out.
  std::shared_ptr<const Served> set_model(std::shared_ptr<const Model> m, std::string dir,
                                          std::string loaded_at = now_iso()) {
    // Load the index before taking the lock: a bad one throws here and the old model stays.
    auto next = load(std::move(m), options.policy, std::move(dir), std::move(loaded_at));
    std::lock_guard lock(model_mutex_);
    served_.swap(next);
    // The old model (in next) is released outside the lock, by whichever request holds it last.
    return next;
  }

  ModelStatus reload(const std::string& dir);
  int reload_keys();
  /// Throws Error(unauthorized / forbidden) unless the request may use `route` (see ApiKeys).
  void authorize(const Route& route, const httplib::Request& req, httplib::Response& res) const;
  void install_routes();
  /// Refuses, before its body is read, a request from an origin not on the allow-list (403) or
  /// with a body that is not declared JSON (415); true when it wrote such an answer.
  bool refuse_cross_site(const httplib::Request& req, httplib::Response& res);
  http::LoopOptions loop_options() const;
  bool read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                 std::string& body) const;
  void handle(const httplib::Request& req, httplib::Response& res, const std::string& body);
  void answer(const Route& route, const httplib::Request& req, httplib::Response& res, const std::string& body,
              const Served& served);

 private:
  std::mutex reload_mutex_;  // one reload at a time: two would load twice and race to swap
  mutable std::mutex model_mutex_;
  std::shared_ptr<const Served> served_;
  mutable std::mutex keys_mutex_;
  std::shared_ptr<const ApiKeys> keys_ = options.keys;  // swapped by reload_keys()
};

ModelStatus Server::Impl::reload(const std::string& dir) {
  std::lock_guard reloading(reload_mutex_);
  ModelStatus live;
  const std::string& from = dir.empty() ? options.model_dir : dir;
  try {
    COBUY_CHECK(!from.empty(), ErrorCode::bad_request,
                "no model directory: name one in the body ({\"model\": \"DIR\"}) or start the server with --model");
    import_policy_coupons(options.orders.get(), options.policy);  // codes appended to the files since
    auto model = load_model(from);
    live = {model->version, from, now_iso(), ""};
    const auto old = set_model(std::move(model), from, live.loaded_at);
    if (old->model) live.replaced_version = old->model->version;
  } catch (const Error& e) {
    metrics.add_reload(false);
    log::warn("model reload failed", {{"model", from}, {"error", e.what()}});
    throw;
  }
  // The replaced model was freed (unless requests in flight still hold it) on the arena of the
  // thread that loaded it; hand those pages back to the system, or every reload adds a model's
  // worth of resident memory (measured by bench/load_test.sh).
  malloc_trim(0);
  metrics.add_reload(true);
  log::info("model reloaded", {{"model", from}, {"version", live.version}, {"replaced", live.replaced_version}});
  return live;
}

int Server::Impl::reload_keys() {
  if (options.keys_path.empty()) return -1;
  std::shared_ptr<const ApiKeys> next;
  try {
    next = std::make_shared<const ApiKeys>(ApiKeys::load(options.keys_path));
  } catch (const Error& e) {
    log::warn("api keys reload failed", {{"keys", options.keys_path}, {"error", e.what()}});
    throw;
  }
  const int count = static_cast<int>(next->keys().size());
  {
    std::lock_guard lock(keys_mutex_);
    keys_.swap(next);
  }
  log::info("api keys reloaded", {{"keys", options.keys_path}, {"count", count}});
  return count;
}

void Server::Impl::authorize(const Route& route, const httplib::Request& req, httplib::Response& res) const {
  // Whether there are keys at all is fixed at construction; only keyed servers take the lock.
  if (!options.keys) return;
  const auto scope = route_scope(route.id);
  if (!scope) return;
  std::shared_ptr<const ApiKeys> keys;
  {
    std::lock_guard lock(keys_mutex_);
    keys = keys_;
  }
  const std::string authorization = req.get_header_value("Authorization");  // the token points into it
  const auto token = bearer_token(authorization);
  const ApiKey* key = token ? keys->verify(*token) : nullptr;
  if (key == nullptr) {
    res.set_header("WWW-Authenticate", token ? R"(Bearer realm="cobuy", error="invalid_token")" : R"(Bearer realm="cobuy")");
    COBUY_FAIL(ErrorCode::unauthorized, (token ? "the API key is not valid"
                                               : "an API key is needed: send the header 'Authorization: Bearer TOKEN'"));
  }
  t_key_name = key->name;
  if (!key->scopes.has(*scope)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"cobuy\", error=\"insufficient_scope\", scope=\"" +
                                           std::string(scope_name(*scope)) + "\"");
    COBUY_FAIL(ErrorCode::forbidden, "API key '" << key->name << "' lacks the '" << scope_name(*scope) << "' scope that "
                                                 << req.method << " " << route_label(route.id) << " needs");
  }
}

void Server::Impl::install_routes() {
  // The connection loop (api/http/connection_loop.cpp) accepts, times and buffers connections; these
  // two only shape the Keep-Alive header httplib writes, which must say what the loop does.
  const auto loop = loop_options();
  http.set_keep_alive_max_count(loop.keep_alive_max_requests);
  http.set_keep_alive_timeout(std::max<time_t>(1, static_cast<time_t>(loop.keep_alive_timeout.count() / 1000)));
  http.set_payload_max_length(options.max_body_bytes);

  // Methods without a body are answered entirely here (no regex dispatch, see match_route);
  // the others go on to the content-reader handlers below, which read the body with a size cap.
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    t_request_start = Clock::now();
    t_key_name.clear();
    res.set_header("X-Request-Id", request_id(req.get_header_value("X-Request-Id")));
    if (refuse_cross_site(req, res)) {
      const auto route = match_route(req.path);
      metrics.record_request(route ? route->id : RouteId::unmatched, res.status, seconds_since(t_request_start));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (method_has_body(req.method)) return httplib::Server::HandlerResponse::Unhandled;
    handle(req, res, {});
    return httplib::Server::HandlerResponse::Handled;
  });
  const httplib::Server::HandlerWithContentReader with_body =
      [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
        std::string body;
        if (read_body(req, res, reader, body)) {
          handle(req, res, body);
        } else {
          const auto route = match_route(req.path);
          metrics.record_request(route ? route->id : RouteId::unmatched, res.status, seconds_since(t_request_start));
        }
      };
  http.Post(".*", with_body);
  http.Put(".*", with_body);
  http.Patch(".*", with_body);
  http.Delete(".*", with_body);
  // httplib's own errors (malformed request line, URI too long, ...) become JSON too; responses
  // that already carry a body are ours.
  const httplib::Server::HandlerWithResponse on_error = [](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const auto [code, message] = httplib_error(res.status);
    std::string text(message);
    if (res.status == 404) text = "no route for " + req.method + " " + req.path;
    write_error(res, res.status, code, text);
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(on_error);
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::error("request failed", {{"method", req.method}, {"path", req.path}, {"error", what}, {"request_id", res.get_header_value("X-Request-Id")}});
    write_error(res, 500, "internal", "internal error");
  });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (log::level() > log::Level::debug) return;
    // Requests httplib rejected before pre-routing have no start time.
    const auto micros =
        t_request_start == Clock::time_point{}
            ? -1
            : std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t_request_start).count();
    t_request_start = {};
    log::debug("request", {{"method", req.method},
                           {"path", req.path},
                           {"status", res.status},
                           {"micros", micros},
                           {"request_id", res.get_header_value("X-Request-Id")},
                           {"key", t_key_name}});
  });
}

bool Server::Impl::refuse_cross_site(const httplib::Request& req, httplib::Response& res) {
  std::string origin = req.get_header_value("Origin");
  // The dashboard's own calls (GET /ui's page) are served as if they named no origin.
  if (trusted_same_origin(origin, req.get_header_value("Host"), options.keys != nullptr)) origin.clear();
  // Only a body a route would read must be JSON: a wrong method or path keeps its 405 or 404.
  const auto route = match_route(req.path);
  const bool reads_body = route && route->method == Method::post && req.method == "POST" &&
                          declares_body(req.get_header_value("Transfer-Encoding"), req.get_header_value("Content-Length"));
  if (const auto refusal = cors.refusal(origin, reads_body, req.get_header_value("Content-Type"))) {
    res.set_header("Connection", "close");  // the body is left unread: the connection cannot go on
    write_error(res, refusal->status, refusal->code, refusal->message);
    return true;
  }
  for (const auto& [name, value] : cors.answer_headers(origin)) res.set_header(name, value);
  return false;
}

http::LoopOptions Server::Impl::loop_options() const {
  http::LoopOptions o;
  o.workers = options.threads != 0 ? options.threads : std::max(8u, 4 * std::thread::hardware_concurrency());
  o.max_queue = options.max_queue;
  o.max_connections = options.max_connections;
  o.header_timeout = options.header_timeout;
  o.max_body_bytes = options.max_body_bytes;
  o.head.max_header_bytes = options.max_header_bytes;
  o.head.max_headers = options.max_headers;
  return o;
}

bool Server::Impl::read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                             std::string& body) const {
  // Without Content-Length or chunked encoding a request has no body (RFC 9112 6.3); httplib 0.11
  // would read until the client closes, stalling the answer for the read timeout.
  const bool chunked = strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked") == 0;
  if (!chunked && !req.has_header("Content-Length")) return true;
  const std::size_t max = options.max_body_bytes;
  std::size_t received = 0;
  bool over = false;
  bool ok = false;
  if (req.is_multipart_form_data()) {
    // Drain it (the connection stays usable), then refuse it.
    ok = reader([](const httplib::MultipartFormData&) { return true; },
                [&](const char*, std::size_t n) {
                  received += n;
                  over = received > max;
                  return !over;
                });
    if (ok) {
      write_error(res, 400, "bad_request", "the body must be JSON, not multipart/form-data");
      return false;
    }
  } else {
    // httplib enforces max_body_bytes against Content-Length but not for chunked bodies.
    ok = reader([&](const char* data, std::size_t n) {
      over = body.size() + n > max;
      if (!over) body.append(data, n);
      return !over;
    });
  }
  if (ok) return true;
  // The rest of the body is unread: this connection cannot carry another request.
  res.set_header("Connection", "close");
  if (over || res.status == 413) {
    write_error(res, 413, "too_large", "the request body is over " + std::to_string(max) + " bytes");
  } else {
    write_error(res, 400, "bad_request", "the request body could not be read");
  }
  return false;
}

void Server::Impl::handle(const httplib::Request& req, httplib::Response& res, const std::string& body) {
  const auto route = match_route(req.path);
  try {
    COBUY_CHECK(route, ErrorCode::not_found, "no route for " << req.method << " " << req.path);
    const std::string allowed =
        route->method == Method::get ? "GET, HEAD, OPTIONS" : std::string(method_name(route->method)) + ", OPTIONS";
    const bool method_ok =
        req.method == method_name(route->method) || (route->method == Method::get && req.method == "HEAD");
    if (req.method == "OPTIONS") {
      // A CORS preflight carries no credentials: it is answered before authorisation.
      res.status = 204;
      res.set_header("Allow", allowed);
      for (const auto& [name, value] : cors.preflight_headers(req.get_header_value("Origin"), allowed)) {
        res.set_header(name, value);
      }
    } else {
      authorize(*route, req, res);
      if (method_ok) {
        const deadline::Scope budget(options.request_timeout);
        answer(*route, req, res, body, *snapshot());
      } else {
        res.set_header("Allow", allowed);
        write_error(res, 405, "method_not_allowed",
                    req.method + " is not allowed on " + req.path + " (allowed: " + allowed + ")");
      }
    }
  } catch (const Error& e) {
    const int status = http_status(e.code());
    if (status == 500) log::error("request failed", {{"method", req.method}, {"path", req.path}, {"error", e.what()}, {"request_id", res.get_header_value("X-Request-Id")}});
    write_error(res, status, error_code_name(e.code()), e.what());
  } catch (const std::exception& e) {
    log::error("request failed", {{"method", req.method}, {"path", req.path}, {"error", e.what()}, {"request_id", res.get_header_value("X-Request-Id")}});
    write_error(res, 500, "internal", "internal error");
  }
  metrics.record_request(route ? route->id : RouteId::unmatched, res.status, seconds_since(t_request_start));
}

void Server::Impl::answer(const Route& route, const httplib::Request& req, httplib::Response& res,
                          const std::string& body, const Served& served) {
  const auto need_model = [&]() -> const Model& {
    COBUY_CHECK(served.model, ErrorCode::unavailable, "no model is loaded");
    return *served.model;
  };
  const auto need_item = [&](const Model& m) {
    const auto item = m.catalog.find(route.path_id);
    COBUY_CHECK(item, ErrorCode::not_found, "unknown item '" << route.path_id << "'");
    return *item;
  };
  switch (route.id) {
    case RouteId::healthz: {
      static const std::string kOk = R"({"status":"ok"})";
      res.status = 200;
      res.set_content(kOk, "application/json");
      return;
    }
    case RouteId::constant: {
      static const std::string kConstant = R"({"constant":true,"service":"cobuy"})";
      res.status = 200;
      res.set_content(kConstant, "application/json");
      return;
    }
    case RouteId::readyz: {
      const Model& m = need_model();
      write_json(res, 200, {{"status", "ready"}, {"model_version", m.version}});
      return;
    }
    case RouteId::model: {
      json manifest = manifest_json(need_model());
      manifest["offers"] = offer_engine_json(*served.offers);
      manifest["loaded_at"] = served.loaded_at;
      manifest["model_dir"] = served.model_dir.empty() ? json() : json(served.model_dir);
      write_json(res, 200, manifest);
      return;
    }
    case RouteId::bought_together: {
      const Model& m = need_model();
      const auto item = need_item(m);
      const auto limit = limit_param(req, options.limits);
      write_json(res, 200, item_answer_to_json(m, item, bought_together(m, item, limit, served.complements,
                                                                        item_filters_from_params(req.params))));
      return;
    }
    case RouteId::similar: {
      const Model& m = need_model();
      const auto item = need_item(m);
      const auto limit = limit_param(req, options.limits);
      write_json(res, 200,
                 item_answer_to_json(m, item, similar_items(m, item, limit, item_filters_from_params(req.params))));
      return;
    }
    case RouteId::recommendations: {
      const Model& m = need_model();
      Query query = query_from_json(parse_body(body));
      validate(query, options.limits);
      query.erased_customer = erased_customer(options.orders.get(), query.customer_id);
      const RecommendResult result = recommend(m, query, served.complements);
      if (result.fallback) metrics.add_fallback();
      write_json(res, 200, result_to_json(m, result));
      return;
    }
    case RouteId::offers: {
      need_model();
      OffersAnswerCounts counts;
      const json answer =
          answer_offers(*served.offers, options.orders.get(), parse_body(body), options.max_clock_skew, &counts);
      if (answer.value("fallback", false)) metrics.add_fallback();
      metrics.add_offers_without_code(counts.offers_without_code);
      write_json(res, 200, answer);
      return;
    }
    case RouteId::orders: {
      const auto [status, answer] = answer_order(options.orders.get(), parse_body(body), options.max_clock_skew);
      if (status == 201) metrics.add_order_recorded();
      write_json(res, status, answer);
      return;
    }
    case RouteId::cancel_order: {
      const auto [status, answer] = answer_cancel(options.orders.get(), route.path_id);
      write_json(res, status, answer);
      return;
    }
    case RouteId::order_returns: {
      const auto [status, answer] = answer_return(options.orders.get(), route.path_id, parse_body(body));
      write_json(res, status, answer);
      return;
    }
    case RouteId::erase_customer: {
      const auto [status, answer] = answer_erase(options.orders.get(), route.path_id);
      write_json(res, status, answer);
      return;
    }
    case RouteId::events: {
      const auto [status, answer] = answer_event(options.orders.get(), parse_body(body), options.max_clock_skew);
      write_json(res, status, answer);
      return;
    }
    case RouteId::offer_stats: {
      need_model();
      write_json(res, 200, answer_offer_stats(options.orders.get(), served.offers->policy(), req.params));
      return;
    }
    case RouteId::metrics: {
      res.status = 200;
      res.set_content(answer_metrics(metrics, served.model.get(), options.orders.get(), &options.policy),
                      "text/plain; version=0.0.4");
      return;
    }
    case RouteId::reload: {
      const auto [status, answer] =
          answer_reload([this](const std::string& dir) { return reload(dir); }, body.empty() ? json() : parse_body(body));
      write_json(res, status, answer);
      return;
    }
    case RouteId::openapi: {
      res.status = 200;
      res.set_content(openapi_document().data(), openapi_document().size(), "application/json");
      return;
    }
    case RouteId::shop_stats: {
      write_json(res, 200, answer_shop_stats(need_model(), served.offers->thresholds(), options.orders.get()));
      return;
    }
    case RouteId::dashboard:
    case RouteId::dashboard_asset: {
      const auto asset = dashboard_asset(route.path_id);
      COBUY_CHECK(asset, ErrorCode::not_found, "no dashboard file '" << route.path_id << "'");
      res.status = 200;
      res.set_header("Content-Security-Policy", std::string(kDashboardCsp));
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-cache");
      res.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type).c_str());
      return;
    }
    case RouteId::unmatched: break;
  }
}

Server::Server(std::shared_ptr<const Model> model, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), std::move(options))) {
  COBUY_CHECK(impl_->options.max_body_bytes > 0, ErrorCode::bad_request, "max_body_bytes must be positive");
  import_policy_coupons(impl_->options.orders.get(), impl_->options.policy);
  impl_->install_routes();
}

Server::~Server() = default;

void Server::bind() {
  COBUY_CHECK(impl_->port < 0, ErrorCode::internal, "Server::bind() called twice");
  const auto& host = impl_->options.host;
  check_listen_address(host, impl_->options.keys != nullptr);
  const auto [fd, port] = http::listen_on(host, impl_->options.port);
  impl_->port = port;
  auto loop = std::make_unique<http::ConnectionLoop>(
      fd, impl_->loop_options(),
      [this](httplib::Stream& stream, bool close_connection, bool& connection_closed) {
        return impl_->http.serve_one(stream, close_connection, connection_closed);
      },
      [this](http::Rejection why) { impl_->metrics.add_rejection(why); });
  std::lock_guard lock(impl_->loop_mutex);
  impl_->loop = std::move(loop);
  if (impl_->stop_requested) impl_->loop->stop();
}

int Server::port() const { return impl_->port; }

void Server::run() {
  if (impl_->port < 0) bind();
  impl_->loop->run();
}

void Server::stop() {
  std::lock_guard lock(impl_->loop_mutex);
  impl_->stop_requested = true;
  // Before bind() there is no loop yet: bind() stops the loop it makes, and run() returns at once.
  if (impl_->loop) impl_->loop->stop();
}

void Server::set_model(std::shared_ptr<const Model> model) { impl_->set_model(std::move(model), ""); }

ModelStatus Server::reload(const std::string& dir) { return impl_->reload(dir); }

int Server::reload_keys() { return impl_->reload_keys(); }

}  // namespace cobuy
