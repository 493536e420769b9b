#include "chain/discovery_accept.h"

#include "gtest/gtest.h"

namespace apiserve::chain {
namespace {

constexpr char kV2[] = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
constexpr char kV2Beta1[] = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

TEST(DiscoveryAcceptTest, WhatClientGoSends) {
  // client-go 1.30+: AcceptV2, then AcceptV1; older: v2, v2beta1, then JSON; newest may lead with profile=nopeer.
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + ",application/json"), AggregatedVersion::kV2);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + "," + kV2Beta1 + ",application/json"), AggregatedVersion::kV2);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + ";profile=nopeer," + kV2 + ",application/json"),
            AggregatedVersion::kV2);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2Beta1) + ",application/json"), AggregatedVersion::kV2Beta1);
  // Protobuf is not served here: its clause is skipped for the JSON one.
  EXPECT_EQ(NegotiateDiscovery("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as="
                               "APIGroupDiscoveryList," +
                               std::string(kV2)),
            AggregatedVersion::kV2);
}

TEST(DiscoveryAcceptTest, LegacyWhenNotAskedFor) {
  EXPECT_EQ(NegotiateDiscovery(""), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery("*/*"), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery("application/json"), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery("text/html,application/xhtml+xml,*/*;q=0.8"), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery("application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList"), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery("application/yaml"), std::nullopt);
}

TEST(DiscoveryAcceptTest, QualityAndSpecificityOrderTheClauses) {
  EXPECT_EQ(NegotiateDiscovery("application/json;q=0.5," + std::string(kV2)), AggregatedVersion::kV2);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + ";q=0.5,application/json"), std::nullopt);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + ";q=0,application/json;q=0.1"), std::nullopt);
  // Equal q: more parameters first, so the aggregated clause wins even when written second.
  EXPECT_EQ(NegotiateDiscovery("application/json, " + std::string(kV2Beta1)), AggregatedVersion::kV2Beta1);
  EXPECT_EQ(NegotiateDiscovery("*/*," + std::string(kV2)), AggregatedVersion::kV2);
  // Parameter order and spaces do not matter; an unknown parameter makes the clause unacceptable.
  EXPECT_EQ(NegotiateDiscovery("application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io"),
            AggregatedVersion::kV2);
  EXPECT_EQ(NegotiateDiscovery(std::string(kV2) + ";charset=utf-8"), std::nullopt);
}

}  // namespace
}  // namespace apiserve::chain
