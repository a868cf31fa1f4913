// A damaged model artifact is refused, file by file: every file of a saved artifact truncated,
// bit-flipped, missing, unlisted, with another format version or another file's contents, and a
// manifest with a wrong version or garbage in it. load_model says which file and why, and
// POST /v1/admin/reload answers 422 bad_model with the same reason while the old model keeps
// serving. (tests/training/artifact_test.cpp checks one file per kind of damage; here every file.)

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "core/artifact.h"
#include "core/binary_io.h"
#include "core/error.h"
#include "server_fixture.h"
#include "support/artifact_rewrite.h"
#include "support/order_builder.h"
#include "training/train.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

/// Every file a format 1.2 artifact holds besides manifest.json; all carry a byte count and CRC32.
const std::vector<std::string> kArtifactFiles = {"items.bin",     "bought_together.bin", "similar.bin",
                                                 "penalties.bin", "popular.bin",         "customers.bin",
                                                 "embeddings.bin", "complements.faiss"};
/// The files that start with cobuy's header (magic, kind, format major); the Faiss index does not.
const std::vector<std::string> kHeaderFiles = {"items.bin",     "bought_together.bin", "similar.bin",
                                               "penalties.bin", "popular.bin",         "customers.bin",
                                               "embeddings.bin"};
constexpr const char* kGoodVersion = "good-v1";

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

void flip_byte(const fs::path& p, std::size_t at) {
  std::string bytes = read_bytes(p);
  ASSERT_LT(at, bytes.size()) << p;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
  write_bytes(p, bytes);
}

/// A trained artifact with embeddings (so that embeddings.bin and complements.faiss hold data),
/// saved once for the suite, and a server on it; each test damages copies of it.
class ArtifactFaultTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("cobuy-artifact-fault-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    OrderData data;
    for (int k = 0; k < 4; ++k) {
      testing::add_order(data, "a" + std::to_string(k), {"tea", "saucer", "spoon"}, "c1", "2011-01-01");
      testing::add_order(data, "b" + std::to_string(k), {"pen", "paper"}, "c2", "2011-01-02");
    }
    testing::add_order(data, "o1", {"tea", "cake"}, "c1", "2011-02-01");
    TrainConfig config;
    config.cooccurrence.min_support = 1;
    config.embedding.epochs = 3;
    config.embedding.dim = 8;
    config.embedding.subsample = 0;
    config.embedding.deterministic = true;
    Model model = train_model(data, config);
    model.version = kGoodVersion;
    save_model(model, good().string());
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  void SetUp() override {
    ServerOptions o = Running::test_options();
    o.model_dir = good().string();
    running_ = std::make_unique<Running>(load_model(good().string()), o);
  }
  void TearDown() override {
    expect_old_model_serving();
    running_.reset();
  }

  static fs::path good() { return root_ / "good"; }

  /// A copy of the good artifact, named after the test and `label`, damaged by `damage`.
  static fs::path damaged(const std::string& label, const std::function<void(const fs::path&)>& damage) {
    const fs::path dir =
        root_ / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" + label);
    fs::remove_all(dir);
    fs::copy(good(), dir);
    damage(dir);
    return dir;
  }

  /// load_model refuses `dir` with Error(bad_data) whose message holds `reason`.
  static void expect_load_refused(const fs::path& dir, const std::string& reason) {
    try {
      load_model(dir.string());
      ADD_FAILURE() << dir.filename() << ": a damaged artifact was loaded (expected '" << reason << "')";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_data) << dir.filename() << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos)
          << dir.filename() << ": '" << e.what() << "' lacks '" << reason << "'";
    }
  }

  /// POST /v1/admin/reload of `dir` answers 422 bad_model with `reason` in the message.
  void expect_reload_refused(const fs::path& dir, const std::string& reason) {
    auto c = running_->client();
    auto res = c.Post("/v1/admin/reload", json({{"model", dir.string()}}).dump(), "application/json");
    ASSERT_TRUE(res) << dir.filename() << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 422) << dir.filename() << ": " << res->body;
    SCOPED_TRACE(dir.filename().string());
    expect_error(json::parse(res->body), "bad_model", reason);
    ++refused_;
  }

  /// Both of the above.
  void expect_refused(const fs::path& dir, const std::string& reason) {
    expect_load_refused(dir, reason);
    expect_reload_refused(dir, reason);
  }

  /// The server still answers from the good model, and counted every refused reload.
  void expect_old_model_serving() {
    auto c = running_->client();
    auto model = c.Get("/v1/model");
    ASSERT_TRUE(model);
    ASSERT_EQ(model->status, 200) << model->body;
    EXPECT_EQ(json::parse(model->body)["version"], kGoodVersion);
    auto bt = c.Get("/v1/items/tea/bought-together?limit=3");
    ASSERT_TRUE(bt);
    ASSERT_EQ(bt->status, 200) << bt->body;
    EXPECT_FALSE(json::parse(bt->body)["items"].empty()) << bt->body;
    auto metrics = c.Get("/metrics");
    ASSERT_TRUE(metrics);
    const std::string failed = "cobuy_reloads_total{result=\"failed\"} " + std::to_string(refused_);
    if (refused_ > 0) {
      EXPECT_NE(metrics->body.find(failed), std::string::npos) << metrics->body;
    }
  }

  static inline fs::path root_;
  std::unique_ptr<Running> running_;
  int refused_ = 0;
};

TEST_F(ArtifactFaultTest, TheArtifactHasEveryFileAndEachHoldsData) {
  const auto manifest = testing::read_manifest(good().string());
  EXPECT_EQ(manifest["files"].size(), kArtifactFiles.size()) << manifest["files"];
  for (const auto& name : kArtifactFiles) {
    ASSERT_TRUE(manifest["files"].contains(name)) << name;
    EXPECT_GT(fs::file_size(good() / name), 12u) << name << " should hold more than a header";
  }
  // The good artifact reloads: the failures below come from the damage alone.
  auto c = running_->client();
  auto res = c.Post("/v1/admin/reload", json({{"model", good().string()}}).dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(ArtifactFaultTest, EveryFileTruncatedIsRefusedNamingIt) {
  for (const auto& name : kArtifactFiles) {
    for (const double keep : {0.0, 0.5, 0.99}) {
      const auto dir = damaged(name + "-" + std::to_string(static_cast<int>(keep * 100)), [&](const fs::path& d) {
        const auto size = fs::file_size(d / name);
        fs::resize_file(d / name, static_cast<std::uintmax_t>(static_cast<double>(size) * keep));
      });
      expect_refused(dir, name + " has ");
      expect_refused(dir, "(truncated or replaced)");
    }
  }
}

TEST_F(ArtifactFaultTest, EveryFileWithAByteFlippedIsRefusedNamingIt) {
  for (const auto& name : kArtifactFiles) {
    const auto size = fs::file_size(good() / name);
    for (const std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
      const auto dir = damaged(name + "-" + std::to_string(at), [&](const fs::path& d) { flip_byte(d / name, at); });
      expect_refused(dir, name + " fails its checksum");
    }
  }
}

TEST_F(ArtifactFaultTest, NoSingleByteFlipAnywhereInAnyFileGoesUnnoticed) {
  // CRC32 catches every error confined to 32 consecutive bits; this checks the loader applies it
  // to every byte of every file, headers and the Faiss blob included.
  const auto dir = damaged("sweep", [](const fs::path&) {});
  std::size_t flips = 0;
  for (const auto& name : kArtifactFiles) {
    const std::string original = read_bytes(dir / name);
    for (std::size_t at = 0; at < original.size(); ++at) {
      std::string bytes = original;
      bytes[at] = static_cast<char>(bytes[at] ^ (1 << (at % 8)));
      write_bytes(dir / name, bytes);
      try {
        load_model(dir.string());
        ADD_FAILURE() << name << " byte " << at << " flipped and the artifact loaded";
      } catch (const Error& e) {
        ASSERT_NE(std::string(e.what()).find(name + " fails its checksum"), std::string::npos)
            << name << " byte " << at << ": " << e.what();
      }
      ++flips;
    }
    write_bytes(dir / name, original);
  }
  EXPECT_GT(flips, 500u);
  EXPECT_NO_THROW(load_model(dir.string())) << "the sweep restored every byte";
}

TEST_F(ArtifactFaultTest, EveryMissingOrUnlistedFileIsRefusedNamingIt) {
  for (const auto& name : kArtifactFiles) {
    expect_refused(damaged(name + "-missing", [&](const fs::path& d) { fs::remove(d / name); }),
                   "is incomplete: " + name + " is missing");
    expect_refused(damaged(name + "-unlisted",
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             manifest["files"].erase(name);
                             testing::write_manifest(d.string(), manifest);
                           }),
                   "manifest.json does not list " + name);
    // A directory where the file should be (it used to escape as std::bad_alloc).
    expect_refused(damaged(name + "-directory",
                           [&](const fs::path& d) {
                             fs::remove(d / name);
                             fs::create_directory(d / name);
                           }),
                   name + ": not a file");
  }
}

TEST_F(ArtifactFaultTest, ManifestByteCountsAndChecksumsThatDisagreeAreRefused) {
  // A flipped bit in manifest.json's record of a file is caught as well as one in the file.
  for (const auto& name : kArtifactFiles) {
    expect_refused(damaged(name + "-bytes",
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             manifest["files"][name]["bytes"] = manifest["files"][name]["bytes"].get<std::uint64_t>() + 1;
                             testing::write_manifest(d.string(), manifest);
                           }),
                   name + " has ");
    expect_refused(damaged(name + "-crc",
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             manifest["files"][name]["crc32"] = manifest["files"][name]["crc32"].get<std::uint32_t>() ^ 1u;
                             testing::write_manifest(d.string(), manifest);
                           }),
                   name + " fails its checksum");
  }
}

TEST_F(ArtifactFaultTest, AFileRewrittenConsistentlyButCutShortIsRefusedByItsContents) {
  // Byte count and CRC32 updated to match, as a buggy writer would leave it: the reader still
  // never reads past the end, and says which file is short.
  for (const auto& name : kArtifactFiles) {
    const auto dir = damaged(name + "-cut", [&](const fs::path& d) {
      auto manifest = testing::read_manifest(d.string());
      testing::rewrite_file(d.string(), name, manifest, [](std::string& bytes) { bytes.resize(bytes.size() / 2); });
      testing::write_manifest(d.string(), manifest);
    });
    if (name == "complements.faiss") {
      // Its bytes are Faiss's own format, read when the server builds the search index.
      expect_reload_refused(dir, "complement index (complements.faiss) is unusable");
    } else {
      expect_refused(dir, name);
    }
  }
}

TEST_F(ArtifactFaultTest, AFileOfAnotherFormatVersionOrKindIsRefused) {
  for (std::size_t k = 0; k < kHeaderFiles.size(); ++k) {
    const auto& name = kHeaderFiles[k];
    // Format major 2 in the file's own header (bytes 8-11), checksum kept right.
    expect_refused(damaged(name + "-v2",
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             testing::rewrite_file(d.string(), name, manifest, [](std::string& bytes) {
                               ASSERT_GE(bytes.size(), 12u);
                               bytes[8] = 2;
                             });
                             testing::write_manifest(d.string(), manifest);
                           }),
                   name + " has format version 2, this build reads 1");
    // Another file's contents under this file's name (e.g. two files swapped).
    const auto& other = kHeaderFiles[(k + 1) % kHeaderFiles.size()];
    expect_refused(damaged(name + "-is-" + other,
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             const std::string foreign = read_bytes(d / other);
                             testing::rewrite_file(d.string(), name, manifest,
                                                   [&](std::string& bytes) { bytes = foreign; });
                             testing::write_manifest(d.string(), manifest);
                           }),
                   name + " is not a cobuy " + name + " file");
  }
}

TEST_F(ArtifactFaultTest, AWrongFormatVersionInTheManifestIsRefused) {
  for (const std::string version : {"2.0", "0.9", "10.2", "", "one.two"}) {
    expect_refused(damaged("version-" + (version.empty() ? std::string("empty") : version),
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             manifest["format_version"] = version;
                             testing::write_manifest(d.string(), manifest);
                           }),
                   "has model format version '" + version + "'; this build reads 1.x");
  }
  expect_refused(damaged("version-absent",
                         [](const fs::path& d) {
                           auto manifest = testing::read_manifest(d.string());
                           manifest.erase("format_version");
                           testing::write_manifest(d.string(), manifest);
                         }),
                 "has model format version ''");
  expect_refused(damaged("version-number",
                         [](const fs::path& d) {
                           auto manifest = testing::read_manifest(d.string());
                           manifest["format_version"] = 1.2;
                           testing::write_manifest(d.string(), manifest);
                         }),
                 "manifest.json is missing a field or has a wrong type");
}

TEST_F(ArtifactFaultTest, AGarbageManifestIsRefused) {
  const auto replace = [](const std::string& bytes) {
    return [bytes](const fs::path& d) { write_bytes(d / "manifest.json", bytes); };
  };
  expect_refused(damaged("empty", replace("")), "manifest.json is not valid JSON");
  expect_refused(damaged("binary", replace(std::string("\x00\xff\x13garbage\x7f", 11))),
                 "manifest.json is not valid JSON");
  expect_refused(damaged("half", [](const fs::path& d) {
                   const std::string bytes = read_bytes(d / "manifest.json");
                   write_bytes(d / "manifest.json", bytes.substr(0, bytes.size() / 2));
                 }),
                 "manifest.json is not valid JSON");
  expect_refused(damaged("array", replace("[1, 2, 3]")), "manifest.json is missing a field or has a wrong type");
  expect_refused(damaged("foreign", replace(R"({"format": "something-else", "format_version": "1.2"})")),
                 "is not a cobuy model (manifest format is 'something-else')");
  expect_refused(damaged("missing", [](const fs::path& d) { fs::remove(d / "manifest.json"); }),
                 "manifest.json is missing");
  // Right format and version, but a required field missing or of the wrong type.
  for (const std::string field : {"files", "counts", "version", "parameters"}) {
    expect_refused(damaged("no-" + field,
                           [&](const fs::path& d) {
                             auto manifest = testing::read_manifest(d.string());
                             manifest.erase(field);
                             testing::write_manifest(d.string(), manifest);
                           }),
                   "manifest.json is missing a field or has a wrong type");
  }
  expect_refused(damaged("crc-string",
                         [](const fs::path& d) {
                           auto manifest = testing::read_manifest(d.string());
                           manifest["files"]["items.bin"]["crc32"] = "deadbeef";
                           testing::write_manifest(d.string(), manifest);
                         }),
                 "manifest.json is missing a field or has a wrong type");
  expect_refused(damaged("item-count",
                         [](const fs::path& d) {
                           auto manifest = testing::read_manifest(d.string());
                           manifest["counts"]["items"] = manifest["counts"]["items"].get<std::uint64_t>() + 1;
                           testing::write_manifest(d.string(), manifest);
                         }),
                 "items, items.bin holds");
}

}  // namespace
}  // namespace cobuy
