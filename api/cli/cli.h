#pragma once
/// The `cobuy` command line: subcommand parsing and dispatch.

namespace cobuy::cli {

/// Parses argv and runs one subcommand; returns the process exit code. Bad flags and bad files
/// print one clear line to stderr and return non-zero.
int run(int argc, char** argv);

}  // namespace cobuy::cli
