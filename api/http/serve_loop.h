#pragma once
/// Running a Server in the foreground until SIGINT or SIGTERM; SIGHUP reloads the model and the
/// API keys file.

#include "api/http/server.h"

namespace cobuy::cli {

/// Binds (already done by the caller), serves and returns after SIGINT/SIGTERM stops the server.
/// SIGHUP reloads the model from ServerOptions::model_dir (Server::reload) and the API keys from
/// ServerOptions::keys_path (Server::reload_keys); a failed reload is logged and the old model or
/// keys stay in use. The signals are blocked in every server thread and
/// taken by one waiter thread.
void serve_until_signal(Server& server);

}  // namespace cobuy::cli
