#pragma once
/// Running a Server in the foreground until SIGINT or SIGTERM.

#include "api/server.h"

namespace cobuy::cli {

/// Binds (already done by the caller), serves and returns after SIGINT/SIGTERM stops the server.
/// The signals are blocked in every server thread and taken by one waiter thread.
void serve_until_signal(Server& server);

}  // namespace cobuy::cli
