#include "chain/filters/goaway.h"

#include <random>

namespace apiserve::chain {

http::HandlerPtr WithProbabilisticGoaway(http::HandlerPtr next, double chance, std::function<bool()> decide) {
  if (!decide) {
    decide = [chance] {
      thread_local std::mt19937_64 random(std::random_device{}());
      return std::uniform_real_distribution<double>(0.0, 1.0)(random) < chance;
    };
  }
  return http::HandlerFunc(
      [next = std::move(next), decide = std::move(decide)](http::RequestPtr&& request, http::ResponseWriter&& writer) {
        if (request->protocol == http::Protocol::kHttp2 && decide()) writer.AddResponseHeader("Connection", "close");
        next->Serve(std::move(request), std::move(writer));
      });
}

}  // namespace apiserve::chain
