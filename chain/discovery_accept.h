#ifndef APISERVE_CHAIN_DISCOVERY_ACCEPT_H_
#define APISERVE_CHAIN_DISCOVERY_ACCEPT_H_

// NegotiateDiscovery picks the form of /api and /apis from an Accept header as kube does
// (negotiation.NegotiateMediaTypeOptions with DiscoveryEndpointRestrictions, then IsAggregatedDiscoveryGVK):
//
//   - the clauses are ordered by q (highest first; q=0 refuses), then concrete types before wildcards, then more
//     parameters first, otherwise as written (goautoneg's order);
//   - the first clause that names a media type we serve wins: application/json (or */*, application/*). Its
//     parameters g, v and as ask for a conversion: g=apidiscovery.k8s.io;v=v2|v2beta1;as=APIGroupDiscoveryList is
//     aggregated discovery; any other conversion, or an unknown parameter, makes that clause unacceptable and the
//     next one is tried (client-go's "profile=nopeer" clause falls through to the plain v2 one this way);
//   - nothing acceptable, or no Accept header: the legacy documents.
//
// Deviation: kube also serves YAML and protobuf, and answers 406 when no clause is acceptable; we serve JSON only,
// so those clauses are skipped, and with none left we answer the legacy JSON document.

#include <optional>

#include "absl/strings/string_view.h"
#include "chain/discovery.h"

namespace apiserve::chain {

// NegotiateDiscovery returns the aggregated version asked for, or nullopt for the legacy documents. `accept` is
// the request's first Accept header value (Go's Header.Get), empty when absent.
std::optional<AggregatedVersion> NegotiateDiscovery(absl::string_view accept);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_DISCOVERY_ACCEPT_H_
