#pragma once
/// A throwaway PostgreSQL server for tests: initdb into a fresh temporary directory, started on
/// a free loopback port with trust authentication (user `cobuy`), stopped and deleted on
/// destruction. Uses the highest version under /usr/lib/postgresql/*/bin (Debian's layout), else
/// initdb and pg_ctl on PATH. initdb refuses root, so as root the directory is given to the
/// `postgres` system user and the tools run through `runuser -u postgres --`.
///
/// Intended use in a gtest fixture (CI sets COBUY_REQUIRE_POSTGRES=1 so a missing server fails):
///
///   void SetUp() override {
///     if (auto why = PostgresServer::unavailable_reason(); !why.empty()) {
///       if (PostgresServer::required()) FAIL() << why;
///       GTEST_SKIP() << why;
///     }
///     server_ = std::make_unique<PostgresServer>();
///     uri_ = server_->create_database("orders");
///   }

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace cobuy::testing {

class PostgresServer {
 public:
  /// "" when a server can be started here, else a sentence saying what is missing.
  static std::string unavailable_reason() {
    const std::string install = " (scripts/setup.sh installs the `postgresql` package)";
    if (bin_dir().empty()) {
      return "PostgreSQL server binaries (initdb, pg_ctl) not found under "
             "/usr/lib/postgresql/*/bin or on PATH" +
             install;
    }
    if (::geteuid() == 0) {
      if (::getpwnam("postgres") == nullptr) {
        return "running as root, but there is no `postgres` system user to run "
               "initdb as" +
               install;
      }
      if (runuser().empty()) {
        return "running as root, but `runuser` (util-linux) was not found to "
               "run initdb as postgres";
      }
    }
    return "";
  }

  /// True when COBUY_REQUIRE_POSTGRES=1: a missing server should fail the test instead of skipping it.
  static bool required() {
    const char* v = std::getenv("COBUY_REQUIRE_POSTGRES");
    return v != nullptr && std::string(v) == "1";
  }

  /// How the server writes: `fast` skips fsync (tests: a killed client, not a lost machine, is
  /// what they check); `durable` keeps PostgreSQL's defaults (benchmarks, against SQLite's
  /// synchronous=FULL).
  enum class Sync { fast, durable };

  /// Creates the cluster and starts the server; throws std::runtime_error (with the command, its
  /// exit status and the tail of its log) when that fails.
  explicit PostgresServer(Sync sync = Sync::fast) : sync_(sync) {
    const std::string bin = bin_dir();
    if (bin.empty()) throw std::runtime_error(unavailable_reason());
    std::string pattern = (std::filesystem::temp_directory_path() / "cobuy-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    dir_ = pattern;
    try {
      if (as_postgres()) {
        const passwd* pw = ::getpwnam("postgres");
        if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
          throw std::runtime_error("cannot give " + dir_ + " to the postgres user");
        }
      }
      pg_ctl_ = bin + "/pg_ctl";
      run({bin + "/initdb", "-D", data(), "-A", "trust", "-U", "cobuy", "-E", "UTF8", "--locale=C", "--no-sync"},
          dir_ + "/initdb.log", dir_ + "/initdb.log");
      start();
    } catch (...) {
      stop_and_remove();
      throw;
    }
  }

  /// Stops the server (immediate mode, failure ignored) and deletes the directory.
  ~PostgresServer() { stop_and_remove(); }

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// The loopback TCP port the server listens on.
  int port() const { return port_; }

  /// "postgresql://cobuy@127.0.0.1:PORT/<database>".
  std::string uri(const std::string& database = "postgres") const {
    return "postgresql://cobuy@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  /// CREATE DATABASE "name"; returns uri(name). Throws std::runtime_error on failure.
  std::string create_database(const std::string& name) {
    const auto conn = connect("postgres");
    char* quoted = ::PQescapeIdentifier(conn.get(), name.c_str(), name.size());
    if (quoted == nullptr) throw std::runtime_error("bad database name " + name + ": " + ::PQerrorMessage(conn.get()));
    const std::string sql = std::string("CREATE DATABASE ") + quoted;
    ::PQfreemem(quoted);
    run_sql(conn.get(), sql);
    return uri(name);
  }

  /// Runs `sql` (one or more statements) against `database`; throws std::runtime_error on failure.
  void exec(const std::string& database, const std::string& sql) { run_sql(connect(database).get(), sql); }

  /// The first column of the first row of `sql` against `database` ("" for no row or NULL);
  /// throws std::runtime_error on failure.
  std::string scalar(const std::string& database, const std::string& sql) {
    const auto conn = connect(database);
    std::unique_ptr<PGresult, decltype(&::PQclear)> res(::PQexec(conn.get(), sql.c_str()), &::PQclear);
    if (!res || ::PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error("SQL failed: " + sql + ": " + ::PQerrorMessage(conn.get()));
    }
    return ::PQntuples(res.get()) > 0 ? ::PQgetvalue(res.get(), 0, 0) : "";
  }

 private:
  using Connection = std::unique_ptr<PGconn, decltype(&::PQfinish)>;

  std::string dir_;
  std::string pg_ctl_;
  int port_ = 0;
  Sync sync_;

  std::string data() const { return dir_ + "/data"; }

  static bool as_postgres() { return ::geteuid() == 0; }

  static bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

  /// The directory holding initdb and pg_ctl: the highest /usr/lib/postgresql/N/bin, else PATH; "" if none.
  static std::string bin_dir() {
    std::error_code ec;
    int best = -1;
    std::string found;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::string name = entry.path().filename().string();
      const std::string bin = entry.path().string() + "/bin";
      if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
      if (!executable(bin + "/initdb") || !executable(bin + "/pg_ctl")) continue;
      if (const int version = std::atoi(name.c_str()); version > best) best = version, found = bin;
    }
    if (!found.empty()) return found;
    const std::string initdb = on_path("initdb");
    if (initdb.empty()) return "";
    const std::string bin = std::filesystem::path(initdb).parent_path().string();
    return executable(bin + "/pg_ctl") ? bin : "";
  }

  /// The full path of `name` on PATH (then /usr/sbin, /sbin), or "".
  static std::string on_path(const std::string& name) {
    const char* env = std::getenv("PATH");
    std::stringstream dirs(std::string(env != nullptr ? env : "") + ":/usr/sbin:/sbin:/usr/bin:/bin");
    for (std::string d; std::getline(dirs, d, ':');) {
      if (!d.empty() && executable(d + "/" + name)) return d + "/" + name;
    }
    return "";
  }

  static std::string runuser() { return on_path("runuser"); }

  /// Runs `argv` (as postgres when root) in the temporary directory, stdout/stderr appended to
  /// `out`; returns the wait status.
  int spawn(std::vector<std::string> argv, const std::string& out) const {
    if (as_postgres()) argv.insert(argv.begin(), {runuser(), "-u", "postgres", "--"});
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {  // only async-signal-safe calls from here on
      const int log = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int null = ::open("/dev/null", O_RDONLY);
      if (log < 0 || null < 0 || ::dup2(null, 0) < 0 || ::dup2(log, 1) < 0 || ::dup2(log, 2) < 0) ::_exit(126);
      if (::chdir(dir_.c_str()) != 0) ::_exit(126);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    return status;
  }

  /// spawn() that throws std::runtime_error with the command, its status and the tail of `log`
  /// unless it exits 0.
  void run(const std::vector<std::string>& argv, const std::string& out, const std::string& log) const {
    const int status = spawn(argv, out);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
    throw std::runtime_error(failure(argv, status, log));
  }

  static std::string failure(const std::vector<std::string>& argv, int status, const std::string& log) {
    std::string cmd;
    for (const auto& a : argv) {
      cmd += (cmd.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "\"" + a + "\"");
    }
    const std::string how = WIFEXITED(status)     ? "exit status " + std::to_string(WEXITSTATUS(status))
                            : WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                                  : "status " + std::to_string(status);
    return cmd + " failed (" + how + "); end of " + log + ":\n" + tail(log);
  }

  /// The last 2000 characters of a file.
  static std::string tail(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string s = ss.str();
    return s.size() > 2000 ? "..." + s.substr(s.size() - 2000) : s;
  }

  /// A loopback port that was free a moment ago (bind to port 0, read it back, close).
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) throw std::system_error(err, std::generic_category(), "bind 127.0.0.1:0");
    return ntohs(addr.sin_port);
  }

  /// pg_ctl start on a free port; another port (up to 3 tries) when the chosen one was taken meanwhile.
  void start() {
    const std::string log = dir_ + "/server.log";
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      std::filesystem::remove(log);
      const std::vector<std::string> argv = {pg_ctl_,
                                             "-D",
                                             data(),
                                             "-l",
                                             log,
                                             "-w",
                                             "-t",
                                             "60",
                                             "-o",
                                             "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k '" +
                                                 dir_ + "' -c max_connections=50" +
                                                 (sync_ == Sync::fast ? " -c fsync=off -c full_page_writes=off" : ""),
                                             "start"};
      const int status = spawn(argv, dir_ + "/pg_ctl.log");
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
      spawn({pg_ctl_, "-D", data(), "-m", "immediate", "-w", "stop"}, dir_ + "/pg_ctl.log");
      const std::string why = tail(log);
      const bool port_taken =
          why.find("could not bind") != std::string::npos || why.find("already in use") != std::string::npos;
      if (!port_taken || attempt == 3) throw std::runtime_error(failure(argv, status, log));
    }
  }

  void stop_and_remove() noexcept {
    if (dir_.empty()) return;
    try {
      if (port_ != 0) spawn({pg_ctl_, "-D", data(), "-m", "immediate", "-w", "stop"}, dir_ + "/pg_ctl.log");
    } catch (...) {
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }

  Connection connect(const std::string& database) const {
    Connection conn(::PQconnectdb(uri(database).c_str()), &::PQfinish);
    if (conn == nullptr || ::PQstatus(conn.get()) != CONNECTION_OK) {
      throw std::runtime_error("cannot connect to " + uri(database) + ": " +
                               (conn ? ::PQerrorMessage(conn.get()) : "out of memory"));
    }
    return conn;
  }

  static void run_sql(PGconn* conn, const std::string& sql) {
    std::unique_ptr<PGresult, decltype(&::PQclear)> res(::PQexec(conn, sql.c_str()), &::PQclear);
    const auto status = res ? ::PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
      throw std::runtime_error("SQL failed: " + sql + ": " + ::PQerrorMessage(conn));
    }
  }
};

}  // namespace cobuy::testing
