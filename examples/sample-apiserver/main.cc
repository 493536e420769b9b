// sample-apiserver: a whole extension API server on apiserve — kube's sample-apiserver in C++. It serves the
// notes.example.io/v1 group (namespaced `notes`, kind Note) from memory, over TLS and HTTP/2, with kube's flags,
// authentication, authorization, probes, discovery, OpenAPI and graceful termination.
#include <cstdio>
#include <memory>
#include <string>

#include "authconfig/install.h"
#include "base/logger.h"
#include "base/status_macros.h"
#include "flags/flag_set.h"
#include "lifecycle/os_signals.h"
#include "notes/note_handlers.h"
#include "options/recommended_options.h"
#include "server/config.h"
#include "server/event_loop.h"

namespace {

using namespace apiserve;  // NOLINT: a program's main, reading like kube's sample

absl::Status Run(int argc, char** argv) {
  // Options: kube's RecommendedOptions with the delegating authentication defaults extension servers use.
  options::RecommendedOptions options = options::NewDelegatingRecommendedOptions();
  flags::FlagSet flag_set("sample-apiserver");
  options.AddFlags(&flag_set);
  RETURN_IF_ERROR(flag_set.Parse(argc, argv));
  RETURN_IF_ERROR(options.Validate());
  base::Logger::Global().SetVerbosity(options.verbosity);

  // Config → completed config → the server, with the notes group installed. authconfig::ApplyTo is options.ApplyTo
  // with the cluster's extension-apiserver-authentication ConfigMap supplying the client CA and request-header
  // settings (read now, then watched on a loop of its own), as kube's DelegatingAuthenticationOptions.
  server::Config config;
  server::EventLoop authn_loop("authn-configmap");
  RETURN_IF_ERROR(authn_loop.Start());
  ASSIGN_OR_RETURN(auto configmap, authconfig::ApplyTo(options, &authn_loop, &config));
  ASSIGN_OR_RETURN(std::unique_ptr<server::CompletedConfig> completed,
                   server::CompletedConfig::Complete(std::move(config)));
  RETURN_IF_ERROR(configmap->Start(&completed->tls().certificates()));
  ASSIGN_OR_RETURN(std::unique_ptr<chain::GenericServer> server, completed->New("sample-apiserver", nullptr));
  auto store = std::make_shared<sample::notes::NoteStore>();
  RETURN_IF_ERROR(
      server->InstallAPIGroup(sample::notes::NotesAPIGroup(store, {completed->config().chain.min_request_timeout})));

  // PrepareRun, then Run until SIGTERM/SIGINT, terminating gracefully.
  ASSIGN_OR_RETURN(chain::PreparedServer prepared, server->PrepareRun());
  lifecycle::Signal stop("stop");
  RETURN_IF_ERROR(lifecycle::StopOnOsSignals(&stop));
  absl::Status ran = completed->Run(std::move(prepared), &stop);
  configmap->Stop();
  return ran;
}

}  // namespace

int main(int argc, char** argv) {
  absl::Status status = Run(argc, argv);
  apiserve::base::Logger::Global().Flush();
  if (apiserve::flags::IsHelpRequested(status)) {
    apiserve::flags::FlagSet help("sample-apiserver");
    apiserve::options::NewDelegatingRecommendedOptions().AddFlags(&help);
    std::printf("Usage:\n  sample-apiserver [flags]\n\nFlags:\n%s", help.Usage().c_str());
    return 0;
  }
  if (!status.ok()) std::fprintf(stderr, "Error: %s\n", std::string(status.message()).c_str());
  return status.ok() ? 0 : 1;
}
