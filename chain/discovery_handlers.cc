#include "chain/discovery_handlers.h"

#include <optional>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/mutex.h"
#include "chain/discovery.h"
#include "chain/discovery_accept.h"
#include "http/kube_status.h"
#include "http/response.h"

namespace apiserve::chain {
namespace {

using Installed = std::vector<std::shared_ptr<const APIGroupInfo>>;

bool SameGroups(const Installed& a, const Installed& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool IfNoneMatchNames(const http::Request& request, absl::string_view etag) {
  for (absl::string_view value : request.headers.GetAll("If-None-Match")) {
    for (absl::string_view tag : absl::StrSplit(value, ',')) {
      if (absl::StripAsciiWhitespace(tag) == etag) return true;
    }
  }
  return false;
}

// Aggregated is one aggregated document with its 200 and 304 answers.
struct Aggregated {
  http::ResponsePtr ok;
  http::ResponsePtr not_modified;
  std::string etag;
};

Aggregated BuildAggregated(const std::vector<DiscoveryGroup>& groups, AggregatedVersion version) {
  std::string body = APIGroupDiscoveryListJson(groups, version);
  Aggregated out;
  out.etag = DiscoveryETag(body);
  http::HeaderMap headers{{"ETag", out.etag}, {"Vary", "Accept"}, {"Cache-Control", "public"}};
  http::Response ok;
  ok.status = 200;
  ok.headers.Add("Content-Type", AggregatedContentType(version));
  for (const http::HeaderField& field : headers) ok.headers.Add(field.name, field.value);
  ok.body = std::move(body);
  http::Response not_modified;
  not_modified.status = 304;
  not_modified.headers = std::move(headers);
  out.ok = http::Shared(std::move(ok));
  out.not_modified = http::Shared(std::move(not_modified));
  return out;
}

// Documents: everything a root handler answers for one set of installed groups (the groups are held, so the
// borrowed pointers in `merged` stay valid).
struct Documents {
  Installed installed;
  std::vector<DiscoveryGroup> merged;
  http::ResponsePtr legacy;  // /apis only: /api depends on the connection's address
  Aggregated v2;
  Aggregated v2beta1;
};

class RootHandler : public http::Handler {
 public:
  RootHandler(APIGroupsSource source, bool legacy) : source_(std::move(source)), legacy_(legacy) {}

  void Serve(http::RequestPtr request, http::ResponseWriter writer) override {
    std::shared_ptr<const Documents> docs = Current();
    const std::optional<AggregatedVersion> aggregated =
        NegotiateDiscovery(request->headers.Get("Accept").value_or(absl::string_view()));
    if (aggregated.has_value()) {
      const Aggregated& doc = *aggregated == AggregatedVersion::kV2 ? docs->v2 : docs->v2beta1;
      writer.Send(IfNoneMatchNames(*request, doc.etag) ? doc.not_modified : doc.ok).IgnoreError();
      return;
    }
    if (!legacy_) {
      writer.Send(docs->legacy).IgnoreError();
      return;
    }
    if (docs->merged.empty()) {
      writer.Send(http::NotFoundStatusResponse()).IgnoreError();
      return;
    }
    const std::string address = request->connection != nullptr ? request->connection->local_address : "";
    writer.Send(http::JsonResponse(200, APIVersionsJson(docs->merged.front(), address))).IgnoreError();
  }

 private:
  std::shared_ptr<const Documents> Current() {
    Installed installed = source_();
    {
      base::MutexLock lock(&mu_);
      if (docs_ != nullptr && SameGroups(docs_->installed, installed)) return docs_;
    }
    auto docs = std::make_shared<Documents>();
    docs->installed = std::move(installed);
    docs->merged = MergeDiscoveryGroups(docs->installed, legacy_);
    if (!legacy_) docs->legacy = http::Shared(http::JsonResponse(200, APIGroupListJson(docs->merged)));
    docs->v2 = BuildAggregated(docs->merged, AggregatedVersion::kV2);
    docs->v2beta1 = BuildAggregated(docs->merged, AggregatedVersion::kV2Beta1);
    base::MutexLock lock(&mu_);
    docs_ = docs;
    return docs;
  }

  const APIGroupsSource source_;
  const bool legacy_;
  base::Mutex mu_;
  std::shared_ptr<const Documents> docs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::string DiscoveryETag(absl::string_view body) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return absl::StrFormat("\"%016X\"", hash);
}

http::HandlerPtr RootDiscoveryHandler(APIGroupsSource source, bool legacy) {
  return std::make_shared<RootHandler>(std::move(source), legacy);
}

http::HandlerPtr GroupDiscoveryHandler(APIGroupsSource source, std::string group) {
  return http::HandlerFunc(
      [source = std::move(source), group = std::move(group)](http::RequestPtr, http::ResponseWriter writer) {
        const Installed installed = source();
        for (const DiscoveryGroup& merged : MergeDiscoveryGroups(installed, /*legacy=*/false)) {
          if (merged.name != group) continue;
          writer.Send(http::JsonResponse(200, APIGroupJson(merged))).IgnoreError();
          return;
        }
        writer.Send(http::NotFoundStatusResponse()).IgnoreError();
      });
}

http::HandlerPtr ResourceListHandler(const APIGroupInfo& group, const APIGroupVersion& version) {
  return http::StaticHandler(http::Shared(http::JsonResponse(200, APIResourceListJson(group.name, version))));
}

}  // namespace apiserve::chain
