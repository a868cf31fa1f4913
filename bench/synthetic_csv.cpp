// Writes the project's synthetic history (datasets/synthetic_orders.h) as generic order CSV files,
// for benchmarks that read files (bench/distributed_train.sh):
//   cobuy_synthetic_csv --customers N --items N --files K --out DIR
// Orders are dealt to the files in time order, K contiguous blocks, as monthly exports would be.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/time_util.h"
#include "datasets/synthetic_orders.h"

int main(int argc, char** argv) {
  cobuy::datasets::SyntheticOrdersConfig config;
  std::size_t files = 4;
  std::string out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--customers") config.customers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--items") config.items = static_cast<std::uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
    else if (a == "--files") files = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--out") out = argv[i + 1];
  }
  if (out.empty() || files == 0 || config.customers == 0 || config.items == 0) {
    std::fprintf(stderr, "usage: %s --customers N --items N --files K --out DIR\n", argv[0]);
    return 2;
  }
  const auto data = cobuy::datasets::synthetic_orders(config);
  std::filesystem::create_directories(out);
  const std::size_t n = data.orders.size();
  for (std::size_t f = 0; f < files; ++f) {
    const auto path = out + "/orders-" + std::to_string(f) + ".csv";
    std::FILE* file = std::fopen(path.c_str(), "w");
    if (!file) {
      std::perror(path.c_str());
      return 1;
    }
    std::fputs("order_id,item_id,customer_id,timestamp,quantity,price\n", file);
    for (std::size_t o = n * f / files; o < n * (f + 1) / files; ++o) {
      const auto& order = data.orders[o];
      const auto time = cobuy::format_timestamp(order.time);
      const auto& customer = data.customer_ids[static_cast<std::size_t>(order.customer)];
      for (const auto& l : order.lines) {
        std::fprintf(file, "%s,%s,%s,%s,%g,%.2f\n", order.id.c_str(), data.catalog.ids[l.item].c_str(), customer.c_str(),
                     time.c_str(), static_cast<double>(l.quantity), static_cast<double>(l.price));
      }
    }
    std::fclose(file);
  }
  std::printf("%zu orders in %zu files in %s\n", n, files, out.c_str());
  return 0;
}
