#include "server/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "gtest/gtest.h"

namespace apiserve::server {
namespace {

sockaddr_storage Ip4(const char* ip, int port) {
  sockaddr_storage storage{};
  auto* in = reinterpret_cast<sockaddr_in*>(&storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::inet_pton(AF_INET, ip, &in->sin_addr), 1) << ip;
  return storage;
}

sockaddr_storage Ip6(const char* ip, int port) {
  sockaddr_storage storage{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(static_cast<uint16_t>(port));
  EXPECT_EQ(::inet_pton(AF_INET6, ip, &in6->sin6_addr), 1) << ip;
  return storage;
}

TEST(SocketAddressTest, PrintsAsGo) {
  EXPECT_EQ(FormatAddress(Ip4("10.0.0.1", 443)), "10.0.0.1:443");
  EXPECT_EQ(FormatAddress(Ip4("0.0.0.0", 6443)), "0.0.0.0:6443");
  EXPECT_EQ(FormatAddress(Ip6("::1", 6443)), "[::1]:6443");
  EXPECT_EQ(FormatAddress(Ip6("::", 6443)), "[::]:6443");
  EXPECT_EQ(FormatAddress(Ip6("2001:DB8:0:0:0:0:0:1", 65535)), "[2001:db8::1]:65535");
  EXPECT_EQ(FormatIp(Ip6("fe80::1", 1)), "fe80::1");
}

// An IPv4 client of a dual-stack listener: Go's net.IP.String prints the mapped address as IPv4.
TEST(SocketAddressTest, Ipv4MappedIsIpv4) {
  EXPECT_EQ(FormatAddress(Ip6("::ffff:192.0.2.7", 51234)), "192.0.2.7:51234");
  EXPECT_EQ(FormatIp(Ip6("::ffff:127.0.0.1", 1)), "127.0.0.1");
  // Not mapped: IPv4-compatible (deprecated) and NAT64 addresses stay IPv6.
  EXPECT_EQ(FormatIp(Ip6("64:ff9b::c000:207", 1)), "64:ff9b::c000:207");
}

TEST(SocketAddressTest, OtherFamiliesAreEmpty) {
  sockaddr_storage unix_address{};
  unix_address.ss_family = AF_UNIX;
  EXPECT_EQ(FormatIp(unix_address), "");
  EXPECT_EQ(FormatAddress(unix_address), "");
}

}  // namespace
}  // namespace apiserve::server
