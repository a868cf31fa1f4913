#pragma once
/// The server's listening socket, opened without httplib: SO_REUSEADDR (not SO_REUSEPORT) and a
/// deep accept backlog.

#include <sys/socket.h>

#include <string>
#include <utility>

namespace cobuy::http {

/// Opens a listening, non-blocking TCP socket on host:port (port 0 = any free port) with
/// SO_REUSEADDR and a backlog of `backlog`; returns the socket and the port bound. Throws
/// Error(io) naming the address and the reason when it cannot.
std::pair<int, int> listen_on(const std::string& host, int port, int backlog = 1024);

/// The numeric address and port of an IPv4 or IPv6 socket address ("" and 0 otherwise).
void address_of(const sockaddr_storage& a, std::string& ip, int& port);

}  // namespace cobuy::http
