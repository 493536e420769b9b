#ifndef APISERVE_SERVER_SOCKET_ADDRESS_H_
#define APISERVE_SERVER_SOCKET_ADDRESS_H_

// Socket addresses printed as Go prints them, since kube's logs, audit events and headers show Go's strings:
// net.IP.String for an IP and net.TCPAddr.String for an address. An IPv4 client of a dual-stack ([::]) listener
// arrives as an IPv4-mapped IPv6 address (::ffff:10.0.0.1); Go prints it as the IPv4 address it is.

#include <sys/socket.h>

#include <string>

namespace apiserve::server {

// FormatIp returns "10.0.0.1", "::1" (IPv4-mapped IPv6 as IPv4), or "" for a family other than IPv4 or IPv6.
std::string FormatIp(const sockaddr_storage& address);

// FormatAddress returns "10.0.0.1:443", "[::1]:443" (IPv4-mapped IPv6 as IPv4), or "" for another family.
std::string FormatAddress(const sockaddr_storage& address);

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_SOCKET_ADDRESS_H_
