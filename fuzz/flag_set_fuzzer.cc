// Fuzzes the command line: a random argv parsed by a FlagSet holding every apiserve flag, then validation, usage,
// the `--tls-sni-cert-key` and `--tls-min-version` parsers, and a round trip of every scalar flag (the printed value
// of a flag, set on a fresh FlagSet, prints the same: pflag's Value.String/Set contract).
//
// Input: the arguments, separated by NUL bytes (at most 64; the program name is not included).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "flags/flag_set.h"
#include "options/recommended_options.h"
#include "tls/sni_cert_key.h"
#include "tls/versions.h"

namespace apiserve::flags {
namespace {

void Check(bool condition, const std::string& what) {
  if (!condition) {
    fprintf(stderr, "flag_set_fuzzer: check failed: %s\n", what.c_str());
    abort();
  }
}

void FuzzOne(absl::string_view data) {
  std::vector<std::string> args = absl::StrSplit(data, absl::ByChar('\0'));
  if (args.size() > 64) args.resize(64);
  options::RecommendedOptions options;
  FlagSet fs("apiserve");
  options.AddFlags(&fs);
  absl::Status status = fs.ParseArgs(args);
  if (!status.ok()) {
    Check(status.code() == absl::StatusCode::kInvalidArgument || IsHelpRequested(status), status.ToString());
    return;
  }
  Check(fs.ArgsLenAtDash() <= static_cast<int>(fs.Args().size()), "ArgsLenAtDash is within Args");
  options.Validate().IgnoreError();
  fs.Usage();
  for (const std::string& value : options.secure_serving.tls_sni_cert_key) tls::ParseSniCertKey(value).IgnoreError();
  tls::ParseTlsVersion(options.secure_serving.tls_min_version).IgnoreError();
  options.secure_serving.Http2MaxConcurrentStreams();

  for (const std::string& name : fs.Names()) {
    if (!fs.Changed(name)) continue;
    absl::StatusOr<std::string> printed = fs.ValueString(name);
    Check(printed.ok(), printed.status().ToString());
    if (absl::StartsWith(*printed, "[")) continue;  // slices print as [a,b], which is not their input syntax
    options::RecommendedOptions again_options;
    FlagSet again("again");
    again_options.AddFlags(&again);
    absl::Status set = again.Set(name, *printed);
    Check(set.ok(),
          absl::StrCat("--", name, ": its printed value \"", *printed, "\" does not parse: ", set.ToString()));
    absl::StatusOr<std::string> reprinted = again.ValueString(name);
    Check(reprinted.ok() && *reprinted == *printed,
          absl::StrCat("--", name, ": \"", *printed, "\" prints back as \"", reprinted.value_or("?"), "\""));
  }
}

}  // namespace
}  // namespace apiserve::flags

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  apiserve::flags::FuzzOne(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
