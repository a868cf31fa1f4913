// Training on the real Online Retail file: the bought-together lists must make sense.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/ingest.h"
#include "core/log.h"
#include "core/recommender.h"
#include "training/train.h"

namespace cobuy {
namespace {

class OnlineRetailModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = std::string(COBUY_SHARED_DATASETS) + "/online-retail/online_retail.csv.gz";
    if (!std::filesystem::exists(path)) return;
    log::set_level(log::Level::warn);
    IngestOptions options;
    options.format = OrderFormat::online_retail;
    model_ = std::make_unique<Model>(train_model(load_orders({path}, options), TrainConfig{}));
  }
  static void TearDownTestSuite() { model_.reset(); }
  void SetUp() override {
    if (!model_) GTEST_SKIP() << "../shared/datasets/online-retail is absent; skipping real-data tests";
  }

  static std::size_t rank_of(const std::vector<Recommendation>& list, const std::string& id) {
    for (std::size_t r = 0; r < list.size(); ++r) {
      if (model_->catalog.ids[list[r].item] == id) return r;
    }
    return list.size();
  }

  static std::unique_ptr<Model> model_;
};
std::unique_ptr<Model> OnlineRetailModel::model_;

TEST_F(OnlineRetailModel, RegencyTeacupsAreBoughtTogether) {
  const auto anchor = model_->catalog.find("22697");
  ASSERT_TRUE(anchor);
  const auto list = bought_together(*model_, *anchor, 10);
  ASSERT_FALSE(list.empty());
  EXPECT_LT(rank_of(list, "22698"), 3u) << "pink Regency teacup should be in the top 3";
  EXPECT_LT(rank_of(list, "22699"), 3u) << "roses Regency teacup should be in the top 3";
  EXPECT_EQ(rank_of(list, "22697"), list.size()) << "an item is never its own complement";
}

TEST_F(OnlineRetailModel, BasketCompletionOfTwoTeacupsProposesTheThird) {
  Query q;
  q.items = {"22697", "22699"};
  q.limit = 5;
  const auto r = recommend(*model_, q);
  ASSERT_FALSE(r.items.empty());
  EXPECT_EQ(model_->catalog.ids[r.items[0].item], "22698");
  EXPECT_FALSE(r.fallback);
}

TEST_F(OnlineRetailModel, NonProductCodesNeverAppear) {
  for (const char* code : {"POST", "DOT", "M", "BANK CHARGES", "AMAZONFEE"}) {
    EXPECT_FALSE(model_->catalog.find(code)) << code << " is not a product";
  }
}

TEST_F(OnlineRetailModel, CountsAreInTheExpectedRange) {
  // ../shared/datasets/README.md: about 18.4k invoices and 3.7k items once customers are required;
  // cobuy keeps baskets without a customer, so it has more invoices.
  EXPECT_GT(model_->stats.orders, 18000u);
  EXPECT_LT(model_->stats.orders, 21000u);
  EXPECT_GT(model_->stats.items, 3600u);
  EXPECT_LT(model_->stats.items, 4100u);
  EXPECT_GT(model_->stats.customers, 4300u);
  EXPECT_LT(model_->stats.customers, 4400u);
}

}  // namespace
}  // namespace cobuy
