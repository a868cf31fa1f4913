// libFuzzer target: the CSV reader (core/csv_reader.h) and, through it, order-file ingestion
// (core/ingest.h, core/catalog_files.h). Each input is read
//   - record by record from memory, and as a header;
//   - as an order file (written to a temporary file, so gzip detection runs too) in each format:
//     generic, online-retail, and instacart with the input also as products.csv, aisles.csv and
//     departments.csv beside it;
//   - as a --catalog file over a small fixed generic order file.
// Error is the expected refusal of bad data; anything else escaping, a sanitizer report, a hang
// or a huge allocation is a bug.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv_reader.h"
#include "core/error.h"
#include "core/ingest.h"
#include "core/log.h"

namespace {

namespace fs = std::filesystem;

/// This process's scratch directory (under $TMPDIR), made once.
const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "cobuy-fuzz-csv-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    // One file holds each input; the Instacart names and the catalogue are links to it, so an
    // input costs one write.
    const fs::path input = fs::path(tmpl) / "orders.csv";
    fs::create_directories(fs::path(tmpl) / "instacart");
    for (const char* name : {"order_products__train.csv", "products.csv", "aisles.csv", "departments.csv"}) {
      fs::create_symlink(input, fs::path(tmpl) / "instacart" / name);
    }
    std::ofstream(fs::path(tmpl) / "base.csv") << "order_id,item_id,customer_id,timestamp,price\n"
                                                  "1,85123A,17850,2010-12-01 08:26:00,2.55\n"
                                                  "1,71053,17850,2010-12-01 08:26:00,3.39\n"
                                                  "2,85123A,,2010-12-02,2.55\n";
    return fs::path(tmpl);
  }();
  return dir;
}

void write(const fs::path& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) std::abort();
}

void read_records(const std::string& data) {
  auto reader = cobuy::CsvReader::from_string(data, "fuzz");
  std::vector<std::string_view> fields;
  std::size_t last_line = 0;
  try {
    while (reader.next(fields)) {
      // Lines only move forward, and every view points into the reader's buffer and is readable.
      if (reader.line() < last_line) std::abort();
      last_line = reader.line();
      std::size_t total = 0;
      for (const auto f : fields) total += f.size() + (f.empty() ? 0 : static_cast<unsigned char>(f.back()));
      (void)total;
    }
  } catch (const cobuy::Error&) {  // input that ends inside a quoted field
  }
  try {
    auto header_reader = cobuy::CsvReader::from_string(data, "fuzz");
    const auto header = cobuy::read_header(header_reader);
    (void)cobuy::find_column(header, "order_id");
    (void)cobuy::find_column(header, "ITEM_ID");
  } catch (const cobuy::Error&) {
  }
}

void ingest(const std::vector<std::string>& paths, cobuy::IngestOptions options) {
  // Read to the end even when most rows are bad, so the merging after the rows runs too.
  options.max_bad_row_share = 1.0;
  try {
    cobuy::IngestSummary summary;
    (void)cobuy::load_orders(paths, options, &summary);
  } catch (const cobuy::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Warnings (bad rows) are still formatted, then dropped.
  cobuy::log::set_sink([](const std::string&) {});
  (void)scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string data(reinterpret_cast<const char*>(bytes), size);
  read_records(data);

  const fs::path& dir = scratch();
  const fs::path orders = dir / "orders.csv";
  write(orders, data);
  cobuy::IngestOptions options;
  options.format = cobuy::OrderFormat::generic;
  ingest({orders.string()}, options);
  options.format = cobuy::OrderFormat::online_retail;
  ingest({orders.string()}, options);

  options.format = cobuy::OrderFormat::instacart;
  ingest({(dir / "instacart" / "order_products__train.csv").string()}, options);

  options = {};
  options.catalog_path = orders.string();
  ingest({(dir / "base.csv").string()}, options);
  return 0;
}
