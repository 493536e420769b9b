// TLS of the real binary with real clients: version floor, ALPN choice, --disable-http2-serving, SNI selection,
// certificate reload by replacing files and by an atomic symlink swap (as Kubernetes mounts secrets) while an
// existing connection keeps working.
#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/apiserver_process.h"

namespace apiserve::e2e {
namespace {

using ::testing::HasSubstr;

// MakeCert writes <dir>/<name>.crt/.key: a self-signed ECDSA certificate for `cn` with DNS SAN `cn`.
void MakeCert(const std::string& dir, const std::string& name, const std::string& cn) {
  CommandResult r =
      RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days",
                  "2", "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:" + cn + ",IP:127.0.0.1", "-keyout",
                  dir + "/" + name + ".key", "-out", dir + "/" + name + ".crt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// ServedSubject returns the subject CN of the certificate the server presents for `sni`.
std::string ServedSubject(const ApiserverProcess& server, const std::string& sni) {
  std::vector<std::string> argv = {"openssl", "s_client", "-connect", absl::StrCat("127.0.0.1:", server.port())};
  if (!sni.empty()) {
    argv.push_back("-servername");
    argv.push_back(sni);
  } else {
    argv.push_back("-noservername");
  }
  CommandResult r = RunCommand(argv, "", absl::Seconds(10));
  const size_t at = r.out.find("subject=");
  if (at == std::string::npos) return "";
  std::string subject = r.out.substr(at, r.out.find('\n', at) - at);
  const size_t cn = subject.find("CN");
  return cn == std::string::npos ? subject : subject.substr(cn);
}

TEST(TlsTest, VersionFloorAndAlpn) {
  ApiserverProcess server;
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_EQ(Curl(server, "/healthz", {"--http2"}).http_version, "2");
  EXPECT_EQ(Curl(server, "/healthz", {"--http1.1"}).http_version, "1.1");
  EXPECT_EQ(Curl(server, "/healthz", {"--tls-max", "1.2"}).status, 200);
  CommandResult old =
      RunCommand({"openssl", "s_client", "-connect", absl::StrCat("127.0.0.1:", server.port()), "-tls1_1"});
  EXPECT_THAT(old.out, HasSubstr("Cipher is (NONE)"));  // no TLS 1.1 session: the server's floor is 1.2
  EXPECT_THAT(old.err, HasSubstr("alert protocol version"));
  EXPECT_NE(Curl(server, "/healthz", {"--tls-max", "1.1", "--tlsv1.1"}).status, 200);
  CommandResult alpn =
      RunCommand({"openssl", "s_client", "-connect", absl::StrCat("127.0.0.1:", server.port()), "-alpn", "spdy/3"});
  EXPECT_THAT(alpn.out + alpn.err, ::testing::Not(HasSubstr("ALPN protocol: spdy/3")));
  EXPECT_EQ(Curl(server, "/healthz").status, 200);  // still serving after the failed handshakes
}

TEST(TlsTest, DisableHttp2ServingOffersOnlyHttp11) {
  ApiserverProcess server({"--disable-http2-serving"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  CurlResult r = Curl(server, "/healthz", {"--http2"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.http_version, "1.1");
}

TEST(TlsTest, SniSelectsTheNamedCertificate) {
  const std::string dir = TempDir("sni");
  MakeCert(dir, "default", "default.example");
  MakeCert(dir, "a", "a.example");
  MakeCert(dir, "wild", "wild.example");
  ApiserverProcess server({absl::StrCat("--tls-cert-file=", dir, "/default.crt"),
                           absl::StrCat("--tls-private-key-file=", dir, "/default.key"),
                           absl::StrCat("--tls-sni-cert-key=", dir, "/a.crt,", dir, "/a.key"),
                           absl::StrCat("--tls-sni-cert-key=", dir, "/wild.crt,", dir, "/wild.key:*.wild.example")});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_THAT(ServedSubject(server, "a.example"), HasSubstr("a.example"));
  EXPECT_THAT(ServedSubject(server, "www.wild.example"), HasSubstr("wild.example"));
  EXPECT_THAT(ServedSubject(server, "other.example"), HasSubstr("default.example"));
  EXPECT_THAT(ServedSubject(server, ""), HasSubstr("default.example"));
}

std::string WaitForSubject(const ApiserverProcess& server, const std::string& want) {
  std::string subject;
  for (int i = 0; i < 100 && subject.find(want) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    subject = ServedSubject(server, "x");
  }
  return subject;
}

TEST(TlsTest, ReloadByReplacingFilesKeepsExistingConnections) {
  const std::string dir = TempDir("reload");
  MakeCert(dir, "one", "one.example");
  MakeCert(dir, "two", "two.example");
  RunCommand({"sh", "-c",
              absl::StrCat("mkdir -p ", dir, "/serving && cp ", dir, "/one.crt ", dir, "/serving/tls.crt && cp ", dir,
                           "/one.key ", dir, "/serving/tls.key")});
  ApiserverProcess server({absl::StrCat("--tls-cert-file=", dir, "/serving/tls.crt"),
                           absl::StrCat("--tls-private-key-file=", dir, "/serving/tls.key")});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_THAT(ServedSubject(server, "x"), HasSubstr("one.example"));
  // A long-lived HTTP/2 stream opened before the change must finish on its old connection.
  CurlResult long_lived;
  std::thread stream([&] {
    long_lived = Curl(server, "/apis/demo.apiserve.io/v1/ticks?count=15&interval=100ms", {"--http2", "-N"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // Cert first, then key: the half-written pair is rejected (old one keeps serving), then the whole pair applies.
  RunCommand({"sh", "-c",
              absl::StrCat("cp ", dir, "/two.crt ", dir, "/serving/tls.crt && cp ", dir, "/two.key ", dir,
                           "/serving/tls.key")});
  EXPECT_THAT(WaitForSubject(server, "two.example"), HasSubstr("two.example"));
  stream.join();
  EXPECT_EQ(long_lived.status, 200);
  EXPECT_THAT(long_lived.body, HasSubstr("{\"tick\":15,"));
}

TEST(TlsTest, ReloadByAtomicSymlinkSwapAsKubernetesMountsSecrets) {
  const std::string dir = TempDir("swap");
  MakeCert(dir, "one", "one.example");
  MakeCert(dir, "two", "two.example");
  // Kubernetes-style secret volume: <live>/tls.crt -> ..data/tls.crt, ..data -> ..v1.
  const std::string live = dir + "/live";
  RunCommand({"sh", "-c",
              absl::StrCat("mkdir -p ", live, "/..v1 && cp ", dir, "/one.crt ", live, "/..v1/tls.crt && cp ", dir,
                           "/one.key ", live, "/..v1/tls.key && ln -s ..v1 ", live, "/..data && ln -s ..data/tls.crt ",
                           live, "/tls.crt && ln -s ..data/tls.key ", live, "/tls.key")});
  ApiserverProcess server(
      {absl::StrCat("--tls-cert-file=", live, "/tls.crt"), absl::StrCat("--tls-private-key-file=", live, "/tls.key")});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  EXPECT_THAT(ServedSubject(server, "x"), HasSubstr("one.example"));
  RunCommand({"sh", "-c",
              absl::StrCat("mkdir -p ", live, "/..v2 && cp ", dir, "/two.crt ", live, "/..v2/tls.crt && cp ", dir,
                           "/two.key ", live, "/..v2/tls.key && ln -s ..v2 ", live, "/..data_tmp && mv -T ", live,
                           "/..data_tmp ", live, "/..data")});
  EXPECT_THAT(WaitForSubject(server, "two.example"), HasSubstr("two.example"));
}

}  // namespace
}  // namespace apiserve::e2e
