#include "http/request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/object_pool.h"

namespace apiserve::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A recycled request keeps at most this much in one string, and in its header slots together (a large body or
// header block is given back): at most about 32 KiB per idle request, usually well under 1 KiB.
constexpr size_t kMaxKeptBufferBytes = 4096;
constexpr size_t kMaxKeptHeaderBytes = 8192;
constexpr size_t kMaxIdleRequestsPerThread = 128;

void ClearKeepingSmallBuffer(std::string* s) {
  if (s->capacity() > kMaxKeptBufferBytes) {
    std::string().swap(*s);
  } else {
    s->clear();
  }
}

}  // namespace

void Request::ResetForReuse(Request* request) {
  for (std::string* s :
       {&request->method, &request->target, &request->path, &request->raw_query, &request->authority, &request->body}) {
    ClearKeepingSmallBuffer(s);
  }
  request->scheme.assign("https");
  request->protocol = Protocol::kHttp11;
  request->headers.clear();
  request->headers.ReleaseLargeSlots(kMaxKeptHeaderBytes);
  request->body_stream.reset();
  request->connection.reset();
  request->received_time = absl::InfinitePast();
  request->executor = nullptr;
  request->shutting_down = nullptr;
  request->query_params_.reset();
  request->context_.clear();
}

absl::Time RequestClockNow(const Request& request) {
  return request.executor != nullptr ? request.executor->Now() : absl::Now();
}

absl::Time StampReceivedTime(Request* request) {
  if (request->received_time == absl::InfinitePast()) request->received_time = RequestClockNow(*request);
  return request->received_time;
}

void ReadBody(const RequestPtr& request, absl::AnyInvocable<void(absl::Status)> done) {
  RequestBody* body = request->body_stream.get();
  if (body == nullptr) {
    done(absl::OkStatus());
    return;
  }
  if (!body->limit().has_value()) body->SetLimit(kDefaultMaxBodyBytes);
  const uint64_t expected = body->content_length().value_or(0);
  if (expected > 0 && expected <= *body->limit()) request->body.reserve(static_cast<size_t>(expected));
  // The data callback borrows the request (the end callback keeps it alive until the body ends).
  Request* raw = request.get();
  body->Read([raw](absl::string_view chunk) { raw->body.append(chunk.data(), chunk.size()); },
             [request, done = std::move(done)](absl::Status status) mutable {
               if (!status.ok()) request->body.clear();
               done(std::move(status));
             });
}

RequestPtr NewRequest() {
  using Pool = base::ObjectPool<Request, &Request::ResetForReuse, kMaxIdleRequestsPerThread>;
  return Pool::Acquire();
}

absl::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kHttp10:
      return "HTTP/1.0";
    case Protocol::kHttp11:
      return "HTTP/1.1";
    case Protocol::kHttp2:
      return "HTTP/2.0";
  }
  return "HTTP/1.1";
}

std::string DecodeQueryComponent(absl::string_view component) {
  std::string out;
  out.reserve(component.size());
  for (size_t i = 0; i < component.size(); ++i) {
    const char c = component[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < component.size() && HexValue(component[i + 1]) >= 0 &&
               HexValue(component[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(component[i + 1]) * 16 + HexValue(component[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void SplitTarget(absl::string_view target, std::string* path, std::string* raw_query, std::string* authority) {
  // Absolute form: scheme "://" authority path-abempty [ "?" query ].
  const size_t scheme_end = target.find("://");
  if (!target.empty() && target[0] != '/' && scheme_end != absl::string_view::npos) {
    absl::string_view rest = target.substr(scheme_end + 3);
    const size_t path_start = rest.find_first_of("/?");
    if (authority != nullptr) {
      const absl::string_view host = rest.substr(0, path_start);
      authority->assign(host.data(), host.size());
    }
    target = path_start == absl::string_view::npos ? absl::string_view("/") : rest.substr(path_start);
    if (!target.empty() && target[0] == '?') {
      path->assign("/");
      raw_query->assign(target.data() + 1, target.size() - 1);
      return;
    }
  }
  const size_t question = target.find('?');
  if (question == absl::string_view::npos) {
    path->assign(target.data(), target.size());
    raw_query->clear();
  } else {
    path->assign(target.data(), question);
    raw_query->assign(target.data() + question + 1, target.size() - question - 1);
  }
}

const std::vector<std::pair<std::string, std::string>>& Request::QueryParams() const {
  if (!query_params_.has_value()) {
    std::vector<std::pair<std::string, std::string>> params;
    for (absl::string_view part : absl::StrSplit(raw_query, '&', absl::SkipEmpty())) {
      const size_t eq = part.find('=');
      if (eq == absl::string_view::npos) {
        params.emplace_back(DecodeQueryComponent(part), std::string());
      } else {
        params.emplace_back(DecodeQueryComponent(part.substr(0, eq)), DecodeQueryComponent(part.substr(eq + 1)));
      }
    }
    query_params_ = std::move(params);
  }
  return *query_params_;
}

bool Request::HasQuery(absl::string_view key) const {
  for (const auto& [k, v] : QueryParams()) {
    if (k == key) return true;
  }
  return false;
}

std::optional<std::string> Request::Query(absl::string_view key) const {
  for (const auto& [k, v] : QueryParams()) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Request::QueryAll(absl::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : QueryParams()) {
    if (k == key) values.push_back(v);
  }
  return values;
}

}  // namespace apiserve::http
