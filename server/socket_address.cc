#include "server/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace apiserve::server {
namespace {

// Ipv4Of returns the IPv4 address of an AF_INET address or an IPv4-mapped AF_INET6 one.
bool Ipv4Of(const sockaddr_storage& address, in_addr* out) {
  if (address.ss_family == AF_INET) {
    *out = reinterpret_cast<const sockaddr_in*>(&address)->sin_addr;
    return true;
  }
  if (address.ss_family != AF_INET6) return false;
  const in6_addr& ip6 = reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr;
  if (!IN6_IS_ADDR_V4MAPPED(&ip6)) return false;
  std::memcpy(&out->s_addr, ip6.s6_addr + 12, sizeof(out->s_addr));
  return true;
}

int PortOf(const sockaddr_storage& address) {
  return ntohs(address.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                                             : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

}  // namespace

std::string FormatIp(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "";
  in_addr ip4;
  if (Ipv4Of(address, &ip4)) {
    ::inet_ntop(AF_INET, &ip4, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

std::string FormatAddress(const sockaddr_storage& address) {
  const std::string ip = FormatIp(address);
  if (ip.empty()) return "";
  return ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]:", PortOf(address))
                                           : absl::StrCat(ip, ":", PortOf(address));
}

}  // namespace apiserve::server
