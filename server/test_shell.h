#ifndef APISERVE_SERVER_TEST_SHELL_H_
#define APISERVE_SERVER_TEST_SHELL_H_

// Shell runs a shell command and returns its standard output (tests only: they drive curl and openssl with it).

#include <cstdio>
#include <string>

namespace apiserve::server {

inline std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

}  // namespace apiserve::server

#endif  // APISERVE_SERVER_TEST_SHELL_H_
