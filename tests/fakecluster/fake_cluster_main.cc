// fake_cluster_main: a fake kube-apiserver for manual runs and kubectl demos of delegated authentication (see
// tests/fakecluster/fake_cluster.h). It writes a kubeconfig for the extension server and serves until SIGINT/SIGTERM.
//
//   bazel run //tests/fakecluster:fake_cluster_main -- --kubeconfig=/tmp/fake.kubeconfig
//       --token=alice-token=alice:dev --allow-user=alice --deny=alice:delete --client-ca-file=/path/ca.crt
//
// While it serves, it prints a `reviews: ...` line whenever a counter changed (checked every 50 ms), so a script can
// read the review figures without stopping it; the last such line is printed again at exit.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/logger.h"
#include "flags/flag_set.h"
#include "lifecycle/os_signals.h"
#include "tests/fakecluster/fake_cluster.h"

namespace {

// CountsLine is the counters of `cluster` as one line.
std::string CountsLine(const apiserve::fakecluster::FakeCluster& cluster) {
  using apiserve::fakecluster::Endpoint;
  char line[256];
  std::snprintf(line, sizeof(line),
                "reviews: %lld TokenReview, %lld SubjectAccessReview; ConfigMap: %lld get, %lld list, %lld watch\n",
                static_cast<long long>(cluster.Count(Endpoint::kTokenReview)),
                static_cast<long long>(cluster.Count(Endpoint::kSubjectAccessReview)),
                static_cast<long long>(cluster.Count(Endpoint::kConfigMapGet)),
                static_cast<long long>(cluster.Count(Endpoint::kConfigMapList)),
                static_cast<long long>(cluster.Count(Endpoint::kConfigMapWatch)));
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace apiserve;  // NOLINT: a program's main
  std::string kubeconfig = "fake-cluster.kubeconfig";
  std::string client_ca_file;
  std::string requestheader_ca_file;
  std::vector<std::string> tokens;
  std::vector<std::string> allow_users;
  std::vector<std::string> denials;
  int port = 0;
  flags::FlagSet fs("fake_cluster_main");
  fs.StringVar(&kubeconfig, "kubeconfig", kubeconfig, "Where to write the kubeconfig the extension server uses.");
  fs.IntVar(&port, "port", port, "Port on 127.0.0.1 (0: any free port).");
  fs.StringArrayVar(&tokens, "token", {}, "TOKEN=USER[:GROUP,...] answered by TokenReview (repeatable).");
  fs.StringArrayVar(&allow_users, "allow-user", {},
                    "Users every SubjectAccessReview allows (repeatable); others are denied. Empty: allow everyone.");
  fs.StringArrayVar(&denials, "deny", {},
                    "USER:VERB a SubjectAccessReview denies whatever --allow-user says (repeatable), with reason "
                    "\"VERB denied to USER by --deny\".");
  fs.StringVar(&client_ca_file, "client-ca-file", "", "PEM put in the ConfigMap's client-ca-file.");
  fs.StringVar(&requestheader_ca_file, "requestheader-client-ca-file", "",
               "PEM put in the ConfigMap's requestheader-client-ca-file (with the X-Remote-* headers).");
  if (absl::Status s = fs.Parse(argc, argv); !s.ok()) {
    if (flags::IsHelpRequested(s)) {
      std::printf("%s", fs.Usage().c_str());
      return 0;
    }
    std::fprintf(stderr, "Error: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  auto read = [](const std::string& path) {
    std::stringstream out;
    out << std::ifstream(path).rdbuf();
    return out.str();
  };
  fakecluster::Options options;
  options.port = port;
  if (!client_ca_file.empty()) options.configmap_data["client-ca-file"] = read(client_ca_file);
  if (!requestheader_ca_file.empty()) {
    options.configmap_data["requestheader-client-ca-file"] = read(requestheader_ca_file);
    options.configmap_data["requestheader-username-headers"] = R"(["X-Remote-User"])";
    options.configmap_data["requestheader-group-headers"] = R"(["X-Remote-Group"])";
    options.configmap_data["requestheader-extra-headers-prefix"] = R"(["X-Remote-Extra-"])";
    options.configmap_data["requestheader-allowed-names"] = "[]";
  }
  auto cluster = fakecluster::FakeCluster::Start(options);
  if (!cluster.ok()) {
    std::fprintf(stderr, "Error: %s\n", std::string(cluster.status().message()).c_str());
    return 1;
  }
  for (const std::string& spec : tokens) {
    std::pair<std::string, std::string> token_user = absl::StrSplit(spec, absl::MaxSplits('=', 1));
    std::pair<std::string, std::string> user_groups = absl::StrSplit(token_user.second, absl::MaxSplits(':', 1));
    fakecluster::TokenEntry entry;
    entry.name = user_groups.first;
    if (!user_groups.second.empty()) entry.groups = absl::StrSplit(user_groups.second, ',');
    (*cluster)->SetToken(token_user.first, entry);
  }
  std::vector<std::pair<std::string, std::string>> denied;  // user, verb
  for (const std::string& spec : denials) {
    denied.push_back(std::pair<std::string, std::string>(absl::StrSplit(spec, absl::MaxSplits(':', 1))));
  }
  (*cluster)->SetAuthorizer([allow_users, denied](const fakecluster::SarRequest& r) {
    for (const auto& [user, verb] : denied) {
      if (user == r.user && verb == r.verb) {
        return fakecluster::SarAnswer{false, verb + " denied to " + user + " by --deny", true, ""};
      }
    }
    if (allow_users.empty()) return fakecluster::SarAnswer{true, "", false, ""};
    for (const std::string& u : allow_users) {
      if (u == r.user) return fakecluster::SarAnswer{true, "allowed by --allow-user", false, ""};
    }
    return fakecluster::SarAnswer{false, "not in --allow-user", false, ""};
  });
  if (absl::Status s = (*cluster)->WriteKubeconfig(kubeconfig); !s.ok()) {
    std::fprintf(stderr, "Error: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("fake cluster serving on %s; kubeconfig written to %s\n", (*cluster)->url().c_str(), kubeconfig.c_str());
  std::fflush(stdout);
  lifecycle::Signal stop("stop");
  if (absl::Status s = lifecycle::StopOnOsSignals(&stop); !s.ok()) return 1;
  std::atomic<bool> stopped{false};
  std::thread reporter([&] {
    std::string last;
    while (!stopped.load()) {
      std::string line = CountsLine(**cluster);
      if (line != last) {
        std::fputs(line.c_str(), stdout);
        std::fflush(stdout);
        last = std::move(line);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  stop.Wait();
  stopped.store(true);
  reporter.join();
  std::fputs(CountsLine(**cluster).c_str(), stdout);
  cluster->reset();
  base::Logger::Global().Flush();
  return 0;
}
