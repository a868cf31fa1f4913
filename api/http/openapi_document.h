#pragma once
/// The OpenAPI 3.1 document of the HTTP API (api/http/openapi.json), built into the binary and served
/// at GET /openapi.json.

#include <string_view>

namespace cobuy {

/// The text of api/http/openapi.json as it was when the binary was built.
std::string_view openapi_document();

}  // namespace cobuy
