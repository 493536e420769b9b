// apiserver: the demo delegation chain served the way kube-apiserver serves (flags, TLS, HTTP/2, graceful
// termination). `bazel run //cmd/apiserver:apiserver -- --help` lists every flag.
#include <cstdio>
#include <string>

#include "base/logger.h"
#include "cmd/apiserver/build_info.h"
#include "cmd/apiserver/demo_chain.h"
#include "flags/flag_set.h"
#include "lifecycle/os_signals.h"
#include "options/recommended_options.h"
#include "server/config.h"

namespace apiserve {
namespace {

int Fail(const std::string& message) {
  base::Logger::Global().Flush();
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  options::RecommendedOptions options;
  flags::FlagSet flag_set("apiserver");
  options.AddFlags(&flag_set);
  if (absl::Status parsed = flag_set.Parse(argc, argv); !parsed.ok()) {
    if (flags::IsHelpRequested(parsed)) {
      std::printf("Usage:\n  apiserver [flags]\n\nFlags:\n%s", flag_set.Usage().c_str());
      return 0;
    }
    return Fail(std::string(parsed.message()));
  }
  if (absl::Status valid = options.Validate(); !valid.ok()) return Fail(std::string(valid.message()));
  base::Logger::Global().SetVerbosity(options.verbosity);
  server::Config config;
  if (absl::Status applied = options.ApplyTo(&config); !applied.ok()) return Fail(std::string(applied.message()));
  config.chain.version = demo::DemoVersion(demo::StampedBuildInfo());  // /version
  absl::StatusOr<std::unique_ptr<server::CompletedConfig>> completed =
      server::CompletedConfig::Complete(std::move(config));
  if (!completed.ok()) return Fail(std::string(completed.status().message()));

  absl::StatusOr<demo::DemoChain> demo = demo::BuildDemoChain((*completed)->config().chain);
  if (!demo.ok()) return Fail(std::string(demo.status().message()));
  absl::StatusOr<chain::PreparedServer> prepared = demo->aggregator->PrepareRun();
  if (!prepared.ok()) return Fail(std::string(prepared.status().message()));

  lifecycle::Signal stop("stop");
  if (absl::Status installed = lifecycle::StopOnOsSignals(&stop); !installed.ok()) {
    return Fail(std::string(installed.message()));
  }
  if (absl::Status ran = (*completed)->Run(*std::move(prepared), &stop); !ran.ok()) {
    return Fail(std::string(ran.message()));
  }
  base::Logger::Global().Flush();
  return 0;
}

}  // namespace
}  // namespace apiserve

int main(int argc, char** argv) { return apiserve::Main(argc, argv); }
