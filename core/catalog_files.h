#pragma once
/// Item descriptions from files beside the orders: the Instacart product tables and a shop's
/// catalogue CSV. Internal to core (used by ingestion).

#include <string>

#include "core/ingest.h"
#include "core/order_data.h"

namespace cobuy {

/// Titles and "department/aisle" categories from the Instacart files beside `orders_path`, for
/// items that have none yet.
void apply_instacart_products(const std::string& orders_path, Catalog& catalog);

/// Overrides title, category, price and stock of known items from a catalogue CSV (columns
/// item_id, and optionally title, category, price, in_stock). Items it names that were never
/// ordered are added after the ordered ones (new arrivals, counted in catalog_new_items). Malformed records (short or long, bad quoting, a NUL byte) and rows with a
/// bad in_stock value are skipped and counted in one warning; each is also reported with file,
/// line and reason, like a malformed order row (a logged warning and an example in `summary`).
void apply_catalog_file(const std::string& path, const IngestOptions& options, IngestSummary& summary,
                        Catalog& catalog);

}  // namespace cobuy
