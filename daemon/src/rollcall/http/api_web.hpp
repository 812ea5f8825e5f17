// The staff web page (daemon/web/: index.html, app.js, app.css, compiled in by embed_web.cmake),
// served without a token: the page signs in through POST /v1/session and then calls the API
// with its session cookie. Every asset is sent with a strict Content-Security-Policy.
#pragma once

#include <span>
#include <string_view>

#include "rollcall/http/router.hpp"

namespace rollcall::http {

struct web_asset {
  std::string_view path;          // "/" for index.html, else "/" + file name
  std::string_view content_type;  // with charset for text
  std::string_view body;          // the file as it is in the repository
};

// Every file of daemon/web/, in file name order.
std::span<const web_asset> web_assets();

// GET <path> for each asset.
void register_web_routes(router& r);

}  // namespace rollcall::http
