#pragma once
/// Where the bundled demo data lives.

#include <string>

namespace cobuy::datasets {

/// Path of the bundled Online Retail file (CC BY 4.0, see datasets/README.md). Looks in
/// $COBUY_DATA_DIR, then beside the executable (../datasets, ../share/cobuy/datasets), then in the
/// source tree this binary was built from. Throws Error(io) listing where it looked.
std::string bundled_online_retail_path();

}  // namespace cobuy::datasets
