#pragma once
/// httplib's request parsing, routing and answer writing, driven by the connection loop over one
/// connection's stream, one request at a time (api/http/connection_loop.h). Includes httplib: keep
/// it out of sources that include Eigen (see DESIGN.md).

#include <httplib.h>

namespace cobuy::http {

class HttpCore : public httplib::Server {
 public:
  /// Installs the post-routing handler that notes an answer saying "Connection: close" (its
  /// request's body was left unread): the loop must not read another request from that
  /// connection. Do not replace it.
  HttpCore() {
    set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.get_header_value("Connection") == "close") close_after_answer() = true;
    });
  }

  /// Runs one request from `stream` (see http::RequestRunner).
  bool serve_one(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    close_after_answer() = false;
    const bool ok = process_request(stream, close_connection, connection_closed, nullptr);
    if (close_after_answer()) connection_closed = true;
    return ok;
  }

 private:
  /// Per worker thread: each serves one request at a time, start to end.
  static bool& close_after_answer() {
    thread_local bool close = false;
    return close;
  }
};

}  // namespace cobuy::http
