// The batch command and the HTTP API give identical offer lists for the same inputs: every
// line of `cobuy offers` equals the answer of POST /v1/offers from a server on the same model.

#include <filesystem>
#include <fstream>

#include "core/artifact.h"
#include "server_fixture.h"
#include "support/run_cobuy.h"

namespace cobuy {
namespace {

namespace fs = std::filesystem;

int run_cobuy(const std::string& args) { return testing::run_cobuy(args).status; }

TEST(OffersIdentity, BatchLinesEqualTheApiAnswersForEveryCustomerAndContext) {
  const fs::path dir = fs::temp_directory_path() / ("cobuy-offers-identity-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string data = std::string(COBUY_BUNDLED_DATASETS) + "/online_retail.csv.gz";
  ASSERT_EQ(run_cobuy("train --orders " + data + " --format online-retail --out " + (dir / "model").string()), 0);
  // The first 60 customers of the model, in a customers file.
  const auto model = load_model((dir / "model").string());
  std::vector<std::string> customers(model->customers.ids.begin(),
                                     model->customers.ids.begin() + std::min<std::size_t>(60, model->customers.ids.size()));
  ASSERT_FALSE(customers.empty());
  {
    std::ofstream f(dir / "customers.txt");
    for (const auto& c : customers) f << c << "\n";
  }
  Running server(model);
  auto client = server.client();
  std::size_t compared = 0;
  for (const char* context : {"shipping", "delivered", "replenishment", "win_back"}) {
    const fs::path out = dir / (std::string(context) + ".jsonl");
    ASSERT_EQ(run_cobuy("offers --model " + (dir / "model").string() + " --customers " + (dir / "customers.txt").string() +
                        " --context " + context + " --at 2011-10-01 --limit 8 --out " + out.string()),
              0);
    std::ifstream f(out);
    std::size_t k = 0;
    for (std::string line; std::getline(f, line); ++k) {
      ASSERT_LT(k, customers.size());
      const json request = {{"customer_id", customers[k]}, {"context", context}, {"at", "2011-10-01"}, {"limit", 8}};
      auto res = client.Post("/v1/offers", request.dump(), "application/json");
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      EXPECT_EQ(json::parse(line), json::parse(res->body)) << context << " " << customers[k];
      ++compared;
    }
    EXPECT_EQ(k, customers.size()) << context;
  }
  EXPECT_EQ(compared, 4 * customers.size());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cobuy
