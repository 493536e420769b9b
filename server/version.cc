#include "server/version.h"

#include "absl/strings/str_cat.h"
#include "http/json_writer.h"

namespace apiserve::server {

std::string VersionJson() {
  http::JsonWriter json("  ");
  json.BeginObject();
  json.Key("major");
  json.String("0");
  json.Key("minor");
  json.String("1");
  json.Key("gitVersion");
  json.String(kVersion);
  json.Key("gitCommit");
  json.String("unknown");  // stamping from Bazel's workspace status is the observability issue's
  json.Key("gitTreeState");
  json.String("unknown");
  json.Key("buildDate");
  json.String("unknown");
  json.Key("goVersion");
  json.String(absl::StrCat("g++ ", __VERSION__));
  json.Key("compiler");
  json.String("gcc");
  json.Key("platform");
  json.String("linux/amd64");
  json.EndObject();
  return json.Take();
}

}  // namespace apiserve::server
