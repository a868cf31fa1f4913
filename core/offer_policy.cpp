#include "core/offer_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/coupon_codes.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace cobuy {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, kOfferContexts> kContextNames = {
    "order_confirmation", "shipping", "delivered", "review_request", "replenishment", "win_back"};
constexpr std::array<std::string_view, 6> kKindNames = {"cross_sell", "replenish", "win_back", "loyalty", "popular",
                                                        "new_arrival"};
constexpr std::array<std::string_view, kOfferSources> kSourceNames = {"order_complements", "history_complements",
                                                                      "due", "favourites", "popular"};
constexpr std::array<Segment, 5> kSegments = {Segment::new_customer, Segment::active, Segment::loyal,
                                              Segment::at_risk, Segment::lapsed};

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string s;
  for (auto n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

ContextPolicy context(double order, double history, double due, double favourites, double popular,
                      bool win_back = false, std::uint32_t min_new = 0) {
  ContextPolicy c;
  c.weights = {order, history, due, favourites, popular};
  c.win_back = win_back;
  c.min_new = min_new;
  return c;
}

OfferKind parse_offer_kind(const std::string& field, const std::string& name) {
  for (std::size_t k = 0; k < kKindNames.size(); ++k) {
    if (kKindNames[k] == name) return static_cast<OfferKind>(k);
  }
  COBUY_FAIL(ErrorCode::bad_request,
             "config field '" << field << "' has unknown kind '" << name << "' (known: " << joined(kKindNames) << ")");
}

}  // namespace

std::string_view offer_context_name(OfferContext c) { return kContextNames[static_cast<std::size_t>(c)]; }
std::string_view offer_kind_name(OfferKind k) { return kKindNames[static_cast<std::size_t>(k)]; }
std::string_view offer_source_name(OfferSource s) { return kSourceNames[static_cast<std::size_t>(s)]; }

OfferContext parse_offer_context(std::string_view name) {
  for (std::size_t c = 0; c < kContextNames.size(); ++c) {
    if (kContextNames[c] == name) return static_cast<OfferContext>(c);
  }
  COBUY_FAIL(ErrorCode::bad_request, "unknown context '" << name << "' (known: " << joined(kContextNames) << ")");
}

OfferPolicy::OfferPolicy() {
  // Early emails sell items new to the customer (the next-order engine's complements of their whole
  // history, the order just placed leading, with its popular picks); later ones bring back what the
  // customer buys again, ranked as the engine ranks their next order (due items, the other items,
  // popular picks: bench/RESULTS.md, "Offers"). "review_request" keeps two places for new items.
  contexts[0] = context(0.01, 1.0, 0.0, 0.0, 1.0);           // order_confirmation
  contexts[1] = context(0.01, 1.0, 0.0, 0.0, 1.0);           // shipping
  contexts[2] = context(0.0, 1.0, 1.0, 1.0, 1.0);            // delivered
  contexts[3] = context(0.0, 1.0, 1.0, 1.0, 1.0, false, 2);  // review_request
  contexts[4] = context(0.0, 1.0, 1.0, 1.0, 1.0);            // replenishment
  contexts[5] = context(0.0, 1.0, 1.0, 1.0, 1.0, true);      // win_back
  discounts[static_cast<std::size_t>(Segment::new_customer)] = {10, 14};
  discounts[static_cast<std::size_t>(Segment::active)] = {0, 0};
  discounts[static_cast<std::size_t>(Segment::loyal)] = {5, 30};
  discounts[static_cast<std::size_t>(Segment::at_risk)] = {15, 14};
  discounts[static_cast<std::size_t>(Segment::lapsed)] = {20, 21};
  discount_kinds = {OfferKind::cross_sell, OfferKind::replenish, OfferKind::win_back, OfferKind::loyalty};
}

namespace {

constexpr std::array<std::string_view, 3> kMerchActions = {"boost", "pin", "bury"};

MerchAction parse_merch_action(const std::string& field, const std::string& name) {
  for (std::size_t a = 0; a < kMerchActions.size(); ++a) {
    if (kMerchActions[a] == name) return static_cast<MerchAction>(a);
  }
  COBUY_FAIL(ErrorCode::bad_request, field << ": unknown action '" << name << "' (known: boost, pin, bury)");
}

Timestamp parse_rule_time(const std::string& field, const std::string& text) {
  const auto t = parse_timestamp(text);
  COBUY_CHECK(t, ErrorCode::bad_request, field << ": '" << text << "' is not a date or time (ISO-8601, e.g. 2024-12-01)");
  return *t;
}

json merch_json(const MerchRule& r) {
  json contexts = json::array();
  for (auto c : r.contexts) contexts.push_back(std::string(offer_context_name(c)));
  json j = {{"action", std::string(kMerchActions[static_cast<std::size_t>(r.action)])},
            {"items", r.items},
            {"categories", r.categories},
            {"contexts", contexts}};
  if (r.from != kNoTime) j["from"] = format_timestamp(r.from);
  if (r.until != kNoTime) j["until"] = format_timestamp(r.until);
  if (r.action == MerchAction::boost) j["factor"] = r.factor;
  if (r.action == MerchAction::pin) j["position"] = r.position;
  return j;
}

MerchRule merch_from_json(const json& j, const std::string& field) {
  ObjectReader r(j, field);
  MerchRule m;
  std::string action, from, until;
  std::vector<std::string> contexts;
  r.read("action", action);
  COBUY_CHECK(j.contains("action"), ErrorCode::bad_request, field << ": 'action' is missing (boost, pin or bury)");
  m.action = parse_merch_action(field + ".action", action);
  r.read("items", m.items);
  r.read("categories", m.categories);
  r.read("contexts", contexts);
  for (const auto& c : contexts) {
    try {
      m.contexts.push_back(parse_offer_context(c));
    } catch (const Error& e) {
      COBUY_FAIL(ErrorCode::bad_request, field << ".contexts: " << e.what());
    }
  }
  r.read("from", from);
  r.read("until", until);
  if (!from.empty()) m.from = parse_rule_time(field + ".from", from);
  if (!until.empty()) m.until = parse_rule_time(field + ".until", until);
  r.read("factor", m.factor);
  r.read("position", m.position);
  COBUY_CHECK(m.action == MerchAction::boost || !j.contains("factor"), ErrorCode::bad_request,
              field << ": 'factor' is for boost rules");
  COBUY_CHECK(m.action == MerchAction::pin || !j.contains("position"), ErrorCode::bad_request,
              field << ": 'position' is for pin rules");
  r.reject_unknown();
  return m;
}

}  // namespace

bool MerchRule::active(OfferContext context, Timestamp at) const {
  if (!contexts.empty() && std::find(contexts.begin(), contexts.end(), context) == contexts.end()) return false;
  if (from != kNoTime && (at == kNoTime || at < from)) return false;
  return until == kNoTime || (at != kNoTime && at < until);
}

bool MerchRule::matches(const std::string& item_id, const std::string& category) const {
  return std::find(items.begin(), items.end(), item_id) != items.end() ||
         (!category.empty() && std::find(categories.begin(), categories.end(), category) != categories.end());
}

void to_json(json& j, const OfferPolicy& p) {
  json contexts = json::object();
  for (std::size_t c = 0; c < kOfferContexts; ++c) {
    json sources = json::object();
    for (std::size_t s = 0; s < kOfferSources; ++s) sources[std::string(kSourceNames[s])] = p.contexts[c].weights[s];
    contexts[std::string(kContextNames[c])] = {
        {"sources", sources}, {"win_back", p.contexts[c].win_back}, {"min_new", p.contexts[c].min_new}};
  }
  json discounts = json::object();
  for (auto s : kSegments) {
    const auto& t = p.discounts[static_cast<std::size_t>(s)];
    discounts[std::string(segment_name(s))] = {{"percent", t.percent}, {"valid_days", t.valid_days}};
  }
  json kinds = json::array();
  for (auto k : p.discount_kinds) kinds.push_back(std::string(offer_kind_name(k)));
  auto opt = [](const auto& o) { return o ? json(*o) : json(nullptr); };
  const auto& r = p.rules;
  j = {
      {"limit", p.limit},
      {"max_limit", p.max_limit},
      {"contexts", contexts},
      {"discounts", discounts},
      {"discount_kinds", kinds},
      {"max_discount_percent", p.max_discount_percent},
      {"segments",
       {{"at_risk_days", opt(p.segments.at_risk_days)},
        {"lapsed_days", opt(p.segments.lapsed_days)},
        {"loyal_min_orders", opt(p.segments.loyal_min_orders)},
        {"loyal_min_spend", opt(p.segments.loyal_min_spend)}}},
      {"replenishment",
       {{"min_observations", p.replenishment.min_observations},
        {"min_gap_days", p.replenishment.min_gap_days},
        {"due_ratio", p.replenishment.due_ratio},
        {"overdue_ratio", p.replenishment.overdue_ratio}}},
      {"rules",
       {{"substitute_cooling_off_days", r.substitute_cooling_off_days},
        {"just_placed_days", r.just_placed_days},
        {"reoffer_after_days", r.reoffer_after_days},
        {"max_per_category", r.max_per_category},
        {"min_price_ratio", r.min_price_ratio},
        {"max_price_ratio", r.max_price_ratio},
        {"include_categories", r.include_categories},
        {"exclude_categories", r.exclude_categories},
        {"in_stock_only", r.in_stock_only}}},
      {"new_arrivals",
       {{"share", p.new_arrivals.share},
        {"min_orders", p.new_arrivals.min_orders},
        {"contexts", [&] {
           json contexts = json::array();
           for (auto c : p.new_arrivals.contexts) contexts.push_back(std::string(offer_context_name(c)));
           return contexts;
         }()}}},
      {"currency", p.currency},
      {"coupon_template", p.coupon_template},
      {"coupon_codes", coupon_pools_json(p.coupon_codes)},
      {"merchandising", [&] {
         json rules = json::array();
         for (const auto& r : p.merchandising) rules.push_back(merch_json(r));
         return rules;
       }()},
      {"holdout",
       {{"share", p.holdout.share}, {"salt", p.holdout.salt}, {"baseline", holdout_baseline_name(p.holdout.baseline)}}},
      {"attribution_days", p.attribution_days},
  };
}

std::string expand_coupon_template(std::string_view tmpl, const std::function<std::string(std::string_view)>& value) {
  std::string out;
  for (std::size_t k = 0; k < tmpl.size(); ++k) {
    if (tmpl[k] == '}') COBUY_FAIL(ErrorCode::bad_request, "coupon_template '" << tmpl << "' has a '}' without a '{'");
    if (tmpl[k] != '{') {
      out += tmpl[k];
      continue;
    }
    const auto close = tmpl.find('}', k);
    COBUY_CHECK(close != std::string_view::npos, ErrorCode::bad_request,
                "coupon_template '" << tmpl << "' has a '{' without a '}'");
    const auto name = tmpl.substr(k + 1, close - k - 1);
    COBUY_CHECK(std::find(kCouponPlaceholders.begin(), kCouponPlaceholders.end(), name) != kCouponPlaceholders.end(),
                ErrorCode::bad_request,
                "coupon_template '" << tmpl << "': unknown placeholder {" << name
                                    << "} (known: {percent}, {offer_id}, {item_id}, {customer_id})");
    out += value(name);
    k = close;
  }
  return out;
}

std::string format_percent(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", percent);
  return buf;
}

OfferPolicy offer_policy_from_json(const json& j) {
  OfferPolicy p;
  ObjectReader top(j, "");
  top.read("limit", p.limit);
  top.read("max_limit", p.max_limit);
  if (const json* cs = top.child("contexts")) {
    ObjectReader r(*cs, "contexts");
    for (std::size_t c = 0; c < kOfferContexts; ++c) {
      const std::string name(kContextNames[c]);
      if (const json* one = r.child(name.c_str())) {
        ObjectReader cr(*one, "contexts." + name);
        cr.read("win_back", p.contexts[c].win_back);
        cr.read("min_new", p.contexts[c].min_new);
        if (const json* sources = cr.child("sources")) {
          ObjectReader sr(*sources, "contexts." + name + ".sources");
          for (std::size_t s = 0; s < kOfferSources; ++s) {
            sr.read(std::string(kSourceNames[s]).c_str(), p.contexts[c].weights[s]);
          }
          sr.reject_unknown();
        }
        cr.reject_unknown();
      }
    }
    r.reject_unknown();
  }
  if (const json* ds = top.child("discounts")) {
    ObjectReader r(*ds, "discounts");
    for (auto s : kSegments) {
      const std::string name(segment_name(s));
      if (const json* one = r.child(name.c_str())) {
        ObjectReader tr(*one, "discounts." + name);
        tr.read("percent", p.discounts[static_cast<std::size_t>(s)].percent);
        tr.read("valid_days", p.discounts[static_cast<std::size_t>(s)].valid_days);
        tr.reject_unknown();
      }
    }
    r.reject_unknown();
  }
  std::vector<std::string> kinds;
  top.read("discount_kinds", kinds);
  if (j.contains("discount_kinds")) {
    p.discount_kinds.clear();
    for (const auto& k : kinds) p.discount_kinds.push_back(parse_offer_kind("discount_kinds", k));
  }
  top.read("max_discount_percent", p.max_discount_percent);
  if (const json* s = top.child("segments")) {
    ObjectReader r(*s, "segments");
    r.read("at_risk_days", p.segments.at_risk_days);
    r.read("lapsed_days", p.segments.lapsed_days);
    r.read("loyal_min_orders", p.segments.loyal_min_orders);
    r.read("loyal_min_spend", p.segments.loyal_min_spend);
    r.reject_unknown();
  }
  if (const json* s = top.child("replenishment")) {
    ObjectReader r(*s, "replenishment");
    r.read("min_observations", p.replenishment.min_observations);
    r.read("min_gap_days", p.replenishment.min_gap_days);
    r.read("due_ratio", p.replenishment.due_ratio);
    r.read("overdue_ratio", p.replenishment.overdue_ratio);
    r.reject_unknown();
  }
  if (const json* s = top.child("rules")) {
    ObjectReader r(*s, "rules");
    auto& x = p.rules;
    r.read("substitute_cooling_off_days", x.substitute_cooling_off_days);
    r.read("just_placed_days", x.just_placed_days);
    r.read("reoffer_after_days", x.reoffer_after_days);
    r.read("max_per_category", x.max_per_category);
    r.read("min_price_ratio", x.min_price_ratio);
    r.read("max_price_ratio", x.max_price_ratio);
    r.read("include_categories", x.include_categories);
    r.read("exclude_categories", x.exclude_categories);
    r.read("in_stock_only", x.in_stock_only);
    r.reject_unknown();
  }
  if (const json* s = top.child("new_arrivals")) {
    ObjectReader r(*s, "new_arrivals");
    r.read("share", p.new_arrivals.share);
    r.read("min_orders", p.new_arrivals.min_orders);
    std::vector<std::string> contexts;
    r.read("contexts", contexts);
    for (const auto& c : contexts) {
      try {
        p.new_arrivals.contexts.push_back(parse_offer_context(c));
      } catch (const Error& e) {
        COBUY_FAIL(ErrorCode::bad_request, "new_arrivals.contexts: " << e.what());
      }
    }
    r.reject_unknown();
  }
  top.read("currency", p.currency);
  if (const json* rules = top.child("merchandising")) {
    COBUY_CHECK(rules->is_array(), ErrorCode::bad_request, "config field 'merchandising' must be an array of rules");
    for (std::size_t k = 0; k < rules->size(); ++k) {
      p.merchandising.push_back(merch_from_json((*rules)[k], "merchandising[" + std::to_string(k) + "]"));
    }
  }
  top.read("coupon_template", p.coupon_template);
  if (const json* codes = top.child("coupon_codes")) p.coupon_codes = coupon_pools_from_json(*codes);
  if (const json* h = top.child("holdout")) {
    ObjectReader r(*h, "holdout");
    r.read("share", p.holdout.share);
    r.read("salt", p.holdout.salt);
    std::string baseline(holdout_baseline_name(p.holdout.baseline));
    r.read("baseline", baseline);
    if (baseline == "popular") {
      p.holdout.baseline = HoldoutBaseline::popular;
    } else if (baseline == "none") {
      p.holdout.baseline = HoldoutBaseline::none;
    } else {
      COBUY_FAIL(ErrorCode::bad_request,
                 "config field 'holdout.baseline' must be \"popular\" or \"none\", got '" << baseline << "'");
    }
    r.reject_unknown();
  }
  top.read("attribution_days", p.attribution_days);
  top.reject_unknown();
  validate(p);
  return p;
}

OfferPolicy load_offer_policy(const std::string& path) {
  const json j = read_json_file(path, "offer policy");
  try {
    OfferPolicy p = offer_policy_from_json(j);
    resolve_coupon_paths(p.coupon_codes, std::filesystem::path(path).parent_path().string());
    check_coupon_files(p.coupon_codes);
    return p;
  } catch (const Error& e) {
    COBUY_FAIL(e.code(), "offer policy " << path << ": " << e.what());
  }
}

void validate(const OfferPolicy& p) {
  auto in = [](double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  COBUY_CHECK(p.max_limit >= 1 && p.max_limit <= 1000, ErrorCode::bad_request, "max_limit must be in [1, 1000]");
  COBUY_CHECK(p.limit >= 1 && p.limit <= p.max_limit, ErrorCode::bad_request, "limit must be in [1, max_limit]");
  for (std::size_t c = 0; c < kOfferContexts; ++c) {
    double total = 0;
    for (std::size_t s = 0; s < kOfferSources; ++s) {
      COBUY_CHECK(in(p.contexts[c].weights[s], 0, 1000), ErrorCode::bad_request,
                  "contexts." << kContextNames[c] << ".sources." << kSourceNames[s] << " must be in [0, 1000]");
      total += p.contexts[c].weights[s];
    }
    COBUY_CHECK(total > 0, ErrorCode::bad_request, "contexts." << kContextNames[c] << " uses no source (all weights 0)");
  }
  COBUY_CHECK(in(p.max_discount_percent, 0, 100), ErrorCode::bad_request, "max_discount_percent must be in [0, 100]");
  for (auto s : kSegments) {
    const auto& t = p.discounts[static_cast<std::size_t>(s)];
    COBUY_CHECK(in(t.percent, 0, 100), ErrorCode::bad_request,
                "discounts." << segment_name(s) << ".percent must be in [0, 100]");
    COBUY_CHECK(in(t.valid_days, 0, 3650), ErrorCode::bad_request,
                "discounts." << segment_name(s) << ".valid_days must be in [0, 3650]");
  }
  const auto& sg = p.segments;
  COBUY_CHECK(!sg.at_risk_days || in(*sg.at_risk_days, 0, 36500), ErrorCode::bad_request,
              "segments.at_risk_days must be in [0, 36500]");
  COBUY_CHECK(!sg.lapsed_days || in(*sg.lapsed_days, 0, 36500), ErrorCode::bad_request,
              "segments.lapsed_days must be in [0, 36500]");
  COBUY_CHECK(!sg.at_risk_days || !sg.lapsed_days || *sg.lapsed_days > *sg.at_risk_days, ErrorCode::bad_request,
              "segments.lapsed_days must be above segments.at_risk_days");
  COBUY_CHECK(!sg.loyal_min_spend || in(*sg.loyal_min_spend, 0, 1e15), ErrorCode::bad_request,
              "segments.loyal_min_spend must be >= 0");
  const auto& rp = p.replenishment;
  COBUY_CHECK(rp.min_observations >= 1, ErrorCode::bad_request, "replenishment.min_observations must be >= 1");
  COBUY_CHECK(in(rp.min_gap_days, 0, 3650), ErrorCode::bad_request, "replenishment.min_gap_days must be in [0, 3650]");
  COBUY_CHECK(in(rp.due_ratio, 0.01, 100), ErrorCode::bad_request, "replenishment.due_ratio must be in [0.01, 100]");
  COBUY_CHECK(in(rp.overdue_ratio, rp.due_ratio, 1000), ErrorCode::bad_request,
              "replenishment.overdue_ratio must be in [due_ratio, 1000]");
  const auto& r = p.rules;
  COBUY_CHECK(in(r.substitute_cooling_off_days, 0, 36500), ErrorCode::bad_request,
              "rules.substitute_cooling_off_days must be in [0, 36500]");
  COBUY_CHECK(in(r.just_placed_days, 0, 36500), ErrorCode::bad_request, "rules.just_placed_days must be in [0, 36500]");
  COBUY_CHECK(in(r.reoffer_after_days, 0, 36500), ErrorCode::bad_request, "rules.reoffer_after_days must be in [0, 36500]");
  COBUY_CHECK(in(r.min_price_ratio, 0, 1e6), ErrorCode::bad_request, "rules.min_price_ratio must be >= 0");
  COBUY_CHECK(in(r.max_price_ratio, 0, 1e6), ErrorCode::bad_request, "rules.max_price_ratio must be >= 0");
  COBUY_CHECK(r.max_price_ratio == 0 || r.max_price_ratio >= r.min_price_ratio, ErrorCode::bad_request,
              "rules.max_price_ratio must be 0 (off) or at least rules.min_price_ratio");
  COBUY_CHECK(in(p.new_arrivals.share, 0, 1), ErrorCode::bad_request, "new_arrivals.share must be in [0, 1]");
  COBUY_CHECK(p.new_arrivals.min_orders >= 1 && p.new_arrivals.min_orders <= 1000000, ErrorCode::bad_request,
              "new_arrivals.min_orders must be in [1, 1000000]");
  COBUY_CHECK(p.currency.size() <= 16, ErrorCode::bad_request, "currency must be at most 16 characters");
  for (std::size_t k = 0; k < p.merchandising.size(); ++k) {
    const auto& m = p.merchandising[k];
    const std::string field = "merchandising[" + std::to_string(k) + "]";
    COBUY_CHECK(!m.items.empty() || !m.categories.empty(), ErrorCode::bad_request,
                field << " names no items and no categories");
    COBUY_CHECK(m.from == kNoTime || m.until == kNoTime || m.until > m.from, ErrorCode::bad_request,
                field << ": 'until' must be after 'from'");
    COBUY_CHECK(in(m.factor, 1e-6, 1000), ErrorCode::bad_request, field << ".factor must be in (0, 1000]");
    COBUY_CHECK(m.position >= 1 && m.position <= p.max_limit, ErrorCode::bad_request,
                field << ".position must be in [1, max_limit]");
  }
  COBUY_CHECK(std::isfinite(p.holdout.share) && p.holdout.share >= 0 && p.holdout.share < 1, ErrorCode::bad_request,
              "holdout.share must be in [0, 1)");
  COBUY_CHECK(p.holdout.salt.size() <= 256, ErrorCode::bad_request, "holdout.salt must be at most 256 bytes");
  COBUY_CHECK(in(p.attribution_days, 0.001, 3650), ErrorCode::bad_request, "attribution_days must be in (0, 3650]");
  expand_coupon_template(p.coupon_template, [](std::string_view) { return std::string(); });  // throws naming the fault
  validate_coupon_pools(p.coupon_codes);
}

}  // namespace cobuy
