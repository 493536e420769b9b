// delegated_apiserver: the shape of examples/sample-apiserver's main in this workspace, for the delegation tests:
// kube's delegating options (--authentication-kubeconfig, --authorization-kubeconfig, ...) with apiserve's client,
// the extension-apiserver-authentication ConfigMap (authconfig), and two routes: /whoami answers the user, /headers
// the names of the request's header fields as the handler sees them, one a line.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "auth/user_info.h"
#include "authconfig/install.h"
#include "base/logger.h"
#include "base/status_macros.h"
#include "flags/flag_set.h"
#include "lifecycle/os_signals.h"
#include "options/recommended_options.h"
#include "server/config.h"
#include "server/event_loop.h"

namespace {

using namespace apiserve;  // NOLINT: a program's main

absl::Status Run(int argc, char** argv) {
  options::RecommendedOptions options = options::NewDelegatingRecommendedOptions();
  flags::FlagSet flag_set("delegated-apiserver");
  options.AddFlags(&flag_set);
  RETURN_IF_ERROR(flag_set.Parse(argc, argv));
  RETURN_IF_ERROR(options.Validate());
  base::Logger::Global().SetVerbosity(options.verbosity);

  server::Config config;
  server::EventLoop authn_loop("authn-configmap");
  RETURN_IF_ERROR(authn_loop.Start());
  ASSIGN_OR_RETURN(auto configmap, authconfig::ApplyTo(options, &authn_loop, &config));
  ASSIGN_OR_RETURN(auto completed, server::CompletedConfig::Complete(std::move(config)));
  RETURN_IF_ERROR(configmap->Start(&completed->tls().certificates()));

  ASSIGN_OR_RETURN(auto server, completed->New("delegated-apiserver", nullptr));
  RETURN_IF_ERROR(server->HandleRoute(
      {.path = "/whoami", .methods = {"GET"}, .summary = "the authenticated user"},
      http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
        const auth::UserInfo* user = request->Context<const auth::UserInfo>();
        std::string body = user == nullptr ? "" : absl::StrCat(user->name, " ", absl::StrJoin(user->groups, ","));
        (void)writer.Send(http::TextResponse(200, body + "\n"));
      })));
  RETURN_IF_ERROR(server->HandleRoute(
      {.path = "/headers", .methods = {"GET"}, .summary = "the request's header names as the handler sees them"},
      http::HandlerFunc([](http::RequestPtr request, http::ResponseWriter writer) {
        std::string body;
        for (const http::HeaderField& field : request->headers) absl::StrAppend(&body, field.name, "\n");
        (void)writer.Send(http::TextResponse(200, body));
      })));
  ASSIGN_OR_RETURN(chain::PreparedServer prepared, server->PrepareRun());
  lifecycle::Signal stop("stop");
  RETURN_IF_ERROR(lifecycle::StopOnOsSignals(&stop));
  absl::Status ran = completed->Run(std::move(prepared), &stop);
  configmap->Stop();
  authn_loop.Stop();
  return ran;
}

}  // namespace

int main(int argc, char** argv) {
  absl::Status status = Run(argc, argv);
  apiserve::base::Logger::Global().Flush();
  if (!status.ok()) std::fprintf(stderr, "Error: %s\n", std::string(status.message()).c_str());
  return status.ok() ? 0 : 1;
}
