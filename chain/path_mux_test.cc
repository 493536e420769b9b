#include "chain/path_mux.h"

#include <string>
#include <thread>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/response.h"
#include "http/testing.h"

namespace apiserve::chain {
namespace {

using ::apiserve::base::IsOk;
using ::apiserve::base::StatusIs;
using ::testing::ElementsAre;

http::HandlerPtr Named(const std::string& name) {
  return http::StaticHandler(http::Shared(http::TextResponse(200, name)));
}

std::string Route(PathMux& mux, const std::string& path) {
  return http::ServeForTest(mux, http::NewRequest("GET", path)).body;
}

TEST(PathMuxTest, ExactThenPrefixThenNotFound) {
  PathMux mux("test");
  ASSERT_THAT(mux.Handle("/healthz", Named("healthz")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/healthz/", Named("healthz-prefix")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/apis/", Named("apis")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/apis/demo/", Named("demo")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/apis/demo/v1/", Named("demo-v1")), IsOk());
  EXPECT_EQ(Route(mux, "/healthz"), "healthz");
  EXPECT_EQ(Route(mux, "/healthz/ping"), "healthz-prefix");
  EXPECT_EQ(Route(mux, "/apis/demo/v1/echo"), "demo-v1");  // most segments wins
  EXPECT_EQ(Route(mux, "/apis/demo/v2"), "demo");
  EXPECT_EQ(Route(mux, "/apis/other"), "apis");
  EXPECT_EQ(Route(mux, "/apis"), "404 page not found\n");
  EXPECT_EQ(Route(mux, "/nothing"), "404 page not found\n");
  EXPECT_EQ(Route(mux, ""), "404 page not found\n");
}

TEST(PathMuxTest, RootPrefixCatchesAll) {
  PathMux mux("test");
  ASSERT_THAT(mux.HandlePrefix("/", Named("root")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/a/", Named("a")), IsOk());
  EXPECT_EQ(Route(mux, "/x/y"), "root");
  EXPECT_EQ(Route(mux, "/a/b"), "a");
}

TEST(PathMuxTest, DuplicatesAndBadPathsAreErrors) {
  PathMux mux("kube");
  ASSERT_THAT(mux.Handle("/api", Named("a")), IsOk());
  EXPECT_THAT(mux.Handle("/api", Named("b")),
              StatusIs(absl::StatusCode::kAlreadyExists, "duplicate path registration of \"/api\" in kube"));
  EXPECT_THAT(mux.UnlistedHandle("/api", Named("b")), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(mux.HandlePrefix("/api", Named("b")),
              StatusIs(absl::StatusCode::kInvalidArgument, "prefix \"/api\" must end with \"/\""));
  EXPECT_THAT(mux.Handle("api", Named("b")), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(mux.Handle("/x", nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Route(mux, "/api"), "a");
}

TEST(PathMuxTest, ListedVsUnlisted) {
  PathMux mux("test");
  ASSERT_THAT(mux.Handle("/version", Named("v")), IsOk());
  ASSERT_THAT(mux.UnlistedHandle("/", Named("index")), IsOk());
  ASSERT_THAT(mux.UnlistedHandle("/index.html", Named("index")), IsOk());
  ASSERT_THAT(mux.HandlePrefix("/apis/", Named("apis")), IsOk());
  ASSERT_THAT(mux.Handle("/api", Named("api")), IsOk());
  EXPECT_THAT(mux.ListedPaths(), ElementsAre("/api", "/apis/", "/version"));
  EXPECT_EQ(Route(mux, "/"), "index");
}

TEST(PathMuxTest, NotFoundHandlerDelegates) {
  PathMux mux("outer", Named("delegate"));
  EXPECT_EQ(Route(mux, "/x"), "delegate");
  mux.NotFoundHandler(Named("other"));
  EXPECT_EQ(Route(mux, "/x"), "other");
  EXPECT_EQ(mux.Lookup("/x").get(), mux.Lookup("/y").get());
}

TEST(PathMuxTest, RegistrationWhileServingIsSafe) {
  PathMux mux("test");
  ASSERT_THAT(mux.Handle("/stable", Named("stable")), IsOk());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) ASSERT_THAT(mux.Handle("/p" + std::to_string(i), Named("p")), IsOk());
  });
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(mux.Lookup("/stable").get() != nullptr, true);
  writer.join();
  EXPECT_EQ(Route(mux, "/p199"), "p");
  EXPECT_EQ(Route(mux, "/stable"), "stable");
}

}  // namespace
}  // namespace apiserve::chain
