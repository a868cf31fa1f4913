#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "api/http/api_keys.h"
#include "api/cli/commands.h"

namespace cobuy::cli {

void add_keys_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::string name;
    std::string scope;
  };
  auto args = std::make_shared<Args>();
  auto* keys = app.add_subcommand("keys", "Manage the API keys file of `cobuy serve --keys` "
                                          "(lines 'NAME SCOPES SHA256-OF-TOKEN'; tokens are never stored)");
  keys->require_subcommand(1);

  auto* create = keys->add_subcommand("create", "Add a key and print its token once on stdout");
  create->add_option("--file", args->file, "Keys file (created with mode 0600 if absent)")->required();
  create->add_option("--name", args->name, "Key name: letters, digits and ._- (unique in the file)")->required();
  create->add_option("--scope", args->scope,
                     "read (recommendations, offers, items, model, metrics), write (orders, admin reload) or read,write")
      ->required();
  create->callback([args] {
    const ScopeSet scopes = parse_scopes(args->scope);
    const std::string token = create_api_key(args->file, args->name, scopes);
    std::printf("%s\n", token.c_str());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "cobuy: created key '%s' (%s) in %s. The token above is shown only this once: store it now.\n"
                 "Send it as 'Authorization: Bearer TOKEN'. A running `cobuy serve --keys %s` takes the new key "
                 "on SIGHUP or restart.\n",
                 args->name.c_str(), scopes_text(scopes).c_str(), args->file.c_str(), args->file.c_str());
  });

  auto* list = keys->add_subcommand("list", "Print each key's name and scopes (never a token or hash)");
  list->add_option("--file", args->file, "Keys file")->required();
  list->callback([args] {
    const auto keys = ApiKeys::load(args->file);
    for (const auto& key : keys.keys()) {
      std::printf("%s %s\n", key.name.c_str(), scopes_text(key.scopes).c_str());
    }
  });

  auto* revoke = keys->add_subcommand("revoke", "Remove a key from the file");
  revoke->add_option("--file", args->file, "Keys file")->required();
  revoke->add_option("--name", args->name, "Name of the key to remove")->required();
  revoke->callback([args] {
    revoke_api_key(args->file, args->name);
    std::fprintf(stderr,
                 "cobuy: revoked key '%s' in %s. A running `cobuy serve --keys %s` refuses it after SIGHUP or "
                 "restart.\n",
                 args->name.c_str(), args->file.c_str(), args->file.c_str());
  });
}

}  // namespace cobuy::cli
