// The notes handlers on byte strings: requests built in memory (with the RequestInfo the chain would attach), the
// answer recorded; watches on a fake loop whose clock the test moves.
#include "notes/note_handlers.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/fake_executor.h"
#include "chain/request_info.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/testing.h"
#include "lifecycle/signal.h"
#include "notes/note_watch.h"

namespace sample::notes {
namespace {

using apiserve::http::RecordedResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kBase = "/apis/notes.example.io/v1/namespaces/ns/notes";

class NoteHandlersTest : public ::testing::Test {
 protected:
  NoteHandlersTest() : resource_(NotesResource(store_, {absl::Minutes(30)})) {}

  apiserve::http::RequestPtr Request(absl::string_view method, absl::string_view target, absl::string_view body = "",
                                     absl::string_view content_type = "application/json") {
    apiserve::http::RequestPtr request = apiserve::http::NewRequest(method, target, &loop_);
    if (!body.empty()) {
      request->headers.Add("Content-Type", content_type);
      request->body_stream = std::make_shared<apiserve::http::RequestBody>(nullptr, body.size());
      request->body_stream->Deliver(body);
      request->body_stream->Finish(absl::OkStatus());
    }
    request->shutting_down = &shutting_down_;
    request->SetContext(std::make_shared<apiserve::chain::RequestInfo>(apiserve::chain::ParseRequestInfo(*request)));
    return request;
  }

  apiserve::http::Handler& HandlerFor(const apiserve::http::RequestPtr& request) {
    const std::string& verb = request->Context<apiserve::chain::RequestInfo>()->verb;
    EXPECT_EQ(resource_.handlers.count(verb), 1u) << verb;
    return *resource_.handlers.at(verb);
  }

  RecordedResponse Serve(absl::string_view method, absl::string_view target, absl::string_view body = "",
                         absl::string_view content_type = "application/json") {
    apiserve::http::RequestPtr request = Request(method, target, body, content_type);
    return apiserve::http::ServeForTest(HandlerFor(request), request, &loop_);
  }

  RecordedResponse CreateNote(absl::string_view name, absl::string_view text = "hello") {
    return Serve("POST", kBase,
                 absl::StrCat(R"({"apiVersion":"notes.example.io/v1","kind":"Note","metadata":{"name":")", name,
                              R"("},"spec":{"text":")", text, R"("}})"));
  }

  // A streamed answer (a watch): the sink outlives the call.
  struct Stream {
    apiserve::http::RecordingSink sink;
    std::string Body() const { return absl::StrJoin(sink.recorded.chunks, ""); }
  };
  // The fixture owns the streams, destroyed after the store (as a codec's sinks outlive the writers of open
  // watches).
  Stream* Watch(absl::string_view target) {
    Stream* stream = streams_.emplace_back(std::make_unique<Stream>()).get();
    auto exchange = apiserve::http::NewExchange(&loop_, &stream->sink);
    stream->sink.Attach(exchange);
    apiserve::http::RequestPtr request = Request("GET", target);
    HandlerFor(request).Serve(request, apiserve::http::ResponseWriter(exchange));
    loop_.RunUntilIdle();
    return stream;
  }

  apiserve::base::FakeExecutor loop_;
  apiserve::lifecycle::Signal shutting_down_{"ShuttingDown"};
  std::vector<std::unique_ptr<Stream>> streams_;
  std::shared_ptr<NoteStore> store_ = std::make_shared<NoteStore>();
  apiserve::chain::APIResource resource_;
};

TEST_F(NoteHandlersTest, ResourceAdvertisesKindShortNameVerbsAndSchema) {
  EXPECT_EQ(resource_.name, "notes");
  EXPECT_EQ(resource_.kind, "Note");
  EXPECT_EQ(resource_.list_kind, "NoteList");
  EXPECT_TRUE(resource_.namespaced);
  EXPECT_THAT(resource_.short_names, ::testing::ElementsAre("nt"));
  for (const char* verb : {"get", "list", "watch", "create", "update", "patch", "delete"}) {
    EXPECT_EQ(resource_.handlers.count(verb), 1u) << verb;
  }
  EXPECT_THAT(resource_.openapi_schema, HasSubstr(R"("spec":{"description")"));
}

TEST_F(NoteHandlersTest, CreateThenGet) {
  RecordedResponse created = CreateNote("a");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.headers.Get("Content-Type").value_or(""), "application/json");
  EXPECT_THAT(created.body, HasSubstr(R"("metadata":{"name":"a","namespace":"ns","uid":")"));
  EXPECT_THAT(created.body, HasSubstr(R"("resourceVersion":"1")"));
  EXPECT_THAT(created.body, HasSubstr(R"("creationTimestamp":")"));
  RecordedResponse got = Serve("GET", absl::StrCat(kBase, "/a"));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, created.body);
}

TEST_F(NoteHandlersTest, CreateErrorsAreKubesStatuses) {
  ASSERT_EQ(CreateNote("a").status, 201);
  RecordedResponse again = CreateNote("a");
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body,
              HasSubstr(R"("message":"notes.notes.example.io \"a\" already exists","reason":"AlreadyExists")"));
  RecordedResponse bad_json = Serve("POST", kBase, "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr(R"("reason":"BadRequest")"));
  EXPECT_THAT(bad_json.body, HasSubstr("invalid character 'n' looking for beginning of object key string"));
  RecordedResponse no_name = Serve("POST", kBase, R"({"spec":{"text":"x"}})");
  EXPECT_EQ(no_name.status, 422);
  EXPECT_THAT(no_name.body, HasSubstr(R"("reason":"Invalid")"));
  RecordedResponse missing = Serve("GET", absl::StrCat(kBase, "/zz"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"(notes.notes.example.io \"zz\" not found)"));
}

// kube's ?fieldValidation: Strict (kubectl's) refuses unknown fields, Warn (the default) answers with a Warning
// header per field, Ignore prunes silently; the stored note never keeps them.
TEST_F(NoteHandlersTest, FieldValidationStrictWarnIgnore) {
  const std::string body = R"({"metadata":{"name":"f","color":"red"},"spec":{"text":"x","size":3},"extra":1})";
  RecordedResponse strict = Serve("POST", absl::StrCat(kBase, "?fieldValidation=Strict"), body);
  EXPECT_EQ(strict.status, 400);
  EXPECT_THAT(strict.body, HasSubstr(R"("message":"strict decoding error: unknown field \"metadata.color\", )"
                                     R"(unknown field \"spec.size\", unknown field \"extra\"","reason":"BadRequest")"));
  RecordedResponse warn = Serve("POST", kBase, body);
  EXPECT_EQ(warn.status, 201);
  EXPECT_EQ(warn.headers.Get("Warning"), R"(299 - "unknown field \"metadata.color\"", 299 - "unknown field )"
                                         R"(\"spec.size\"", 299 - "unknown field \"extra\"")");
  EXPECT_THAT(warn.body, ::testing::Not(HasSubstr("size")));
  RecordedResponse ignore = Serve("PATCH", absl::StrCat(kBase, "/f?fieldValidation=Ignore"), R"({"spec":{"size":4}})",
                                  "application/merge-patch+json");
  EXPECT_EQ(ignore.status, 200);
  EXPECT_FALSE(ignore.headers.Has("Warning"));
  RecordedResponse strict_patch = Serve("PATCH", absl::StrCat(kBase, "/f?fieldValidation=Strict"),
                                        R"({"spec":{"size":4}})", "application/merge-patch+json");
  EXPECT_EQ(strict_patch.status, 400);
  EXPECT_EQ(Serve("POST", absl::StrCat(kBase, "?fieldValidation=Loose"), body).status, 400);
}

TEST_F(NoteHandlersTest, ListCarriesTheResourceVersionAndHonoursSelectors) {
  ASSERT_EQ(CreateNote("a").status, 201);
  ASSERT_EQ(CreateNote("b").status, 201);
  ASSERT_EQ(Serve("POST", "/apis/notes.example.io/v1/namespaces/other/notes",
                  R"({"metadata":{"name":"c","labels":{"k":"v"}}})")
                .status,
            201);
  RecordedResponse list = Serve("GET", kBase);
  EXPECT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr(R"({"apiVersion":"notes.example.io/v1","items":[{)"));
  EXPECT_THAT(list.body, HasSubstr(R"("kind":"NoteList","metadata":{"resourceVersion":"3"}})"));
  EXPECT_THAT(list.body, Not(HasSubstr(R"("name":"c")")));
  RecordedResponse all = Serve("GET", "/apis/notes.example.io/v1/notes?labelSelector=k%3Dv");
  EXPECT_THAT(all.body, HasSubstr(R"("name":"c")"));
  EXPECT_THAT(all.body, Not(HasSubstr(R"("name":"a")")));
  RecordedResponse by_name = Serve("GET", absl::StrCat(kBase, "?fieldSelector=metadata.name%3Db"));
  EXPECT_THAT(by_name.body, HasSubstr(R"("name":"b")"));
  EXPECT_THAT(by_name.body, Not(HasSubstr(R"("name":"a")")));
  EXPECT_EQ(Serve("GET", absl::StrCat(kBase, "?fieldSelector=spec.text%3Dx")).status, 400);
}

TEST_F(NoteHandlersTest, UpdateNeedsTheCurrentResourceVersion) {
  ASSERT_EQ(CreateNote("a").status, 201);
  const std::string target = absl::StrCat(kBase, "/a");
  RecordedResponse stale =
      Serve("PUT", target, R"({"metadata":{"name":"a","resourceVersion":"7"},"spec":{"text":"x"}})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_THAT(stale.body, HasSubstr(R"("reason":"Conflict")"));
  RecordedResponse unconditional = Serve("PUT", target, R"({"metadata":{"name":"a"},"spec":{"text":"x"}})");
  EXPECT_EQ(unconditional.status, 422);
  EXPECT_THAT(unconditional.body,
              HasSubstr("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"));
  RecordedResponse renamed = Serve("PUT", target, R"({"metadata":{"name":"b","resourceVersion":"1"}})");
  EXPECT_EQ(renamed.status, 400);
  EXPECT_THAT(renamed.body, HasSubstr("the name of the object (b) does not match the name on the URL (a)"));
  RecordedResponse updated =
      Serve("PUT", target, R"({"metadata":{"name":"a","resourceVersion":"1"},"spec":{"text":"new"}})");
  EXPECT_EQ(updated.status, 200);
  EXPECT_THAT(updated.body, HasSubstr(R"("resourceVersion":"2")"));
  EXPECT_THAT(updated.body, HasSubstr(R"("spec":{"text":"new"})"));
  EXPECT_EQ(Serve("PUT", absl::StrCat(kBase, "/zz"), R"({"metadata":{"name":"zz","resourceVersion":"1"}})").status,
            404);
}

TEST_F(NoteHandlersTest, PatchMergeStrategicAndJsonPatch) {
  ASSERT_EQ(CreateNote("a").status, 201);
  const std::string target = absl::StrCat(kBase, "/a");
  RecordedResponse labelled =
      Serve("PATCH", target, R"({"metadata":{"labels":{"k":"v"}}})", "application/merge-patch+json");
  EXPECT_EQ(labelled.status, 200);
  EXPECT_THAT(labelled.body, HasSubstr(R"("labels":{"k":"v"})"));
  EXPECT_THAT(labelled.body, HasSubstr(R"("spec":{"text":"hello"})"));
  RecordedResponse strategic = Serve("PATCH", target, R"({"metadata":{"annotations":{"a":"b"}},"spec":{"text":"s"}})",
                                     "application/strategic-merge-patch+json");
  EXPECT_EQ(strategic.status, 200);
  EXPECT_THAT(strategic.body, HasSubstr(R"("annotations":{"a":"b"})"));
  EXPECT_THAT(strategic.body, HasSubstr(R"("spec":{"text":"s"})"));
  RecordedResponse json_patch = Serve("PATCH", target,
                                      R"([{"op":"test","path":"/spec/text","value":"s"},)"
                                      R"({"op":"replace","path":"/spec/text","value":"j"}])",
                                      "application/json-patch+json");
  EXPECT_EQ(json_patch.status, 200);
  EXPECT_THAT(json_patch.body, HasSubstr(R"("spec":{"text":"j"})"));
  EXPECT_THAT(json_patch.body, HasSubstr(R"("resourceVersion":"4")"));
  RecordedResponse failed_test =
      Serve("PATCH", target, R"([{"op":"test","path":"/spec/text","value":"x"}])", "application/json-patch+json");
  EXPECT_EQ(failed_test.status, 422);
  RecordedResponse stale =
      Serve("PATCH", target, R"({"metadata":{"resourceVersion":"1"}})", "application/merge-patch+json");
  EXPECT_EQ(stale.status, 409);
  RecordedResponse apply = Serve("PATCH", target, "{}", "application/apply-patch+yaml");
  EXPECT_EQ(apply.status, 415);
  EXPECT_THAT(apply.body, HasSubstr(R"("reason":"UnsupportedMediaType")"));
  EXPECT_EQ(Serve("PATCH", target, "{x", "application/merge-patch+json").status, 400);
  EXPECT_EQ(Serve("PATCH", absl::StrCat(kBase, "/zz"), "{}", "application/merge-patch+json").status, 404);
  RecordedResponse bad_type = Serve("PATCH", target, R"({"spec":{"text":5}})", "application/merge-patch+json");
  EXPECT_EQ(bad_type.status, 422);
}

TEST_F(NoteHandlersTest, DeleteAnswersTheSuccessStatus) {
  ASSERT_EQ(CreateNote("a").status, 201);
  RecordedResponse deleted = Serve("DELETE", absl::StrCat(kBase, "/a"));
  EXPECT_EQ(deleted.status, 200);
  EXPECT_THAT(deleted.body, HasSubstr(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
                                      R"("details":{"name":"a","group":"notes.example.io","kind":"notes","uid":")"));
  EXPECT_EQ(Serve("GET", absl::StrCat(kBase, "/a")).status, 404);
  EXPECT_EQ(Serve("DELETE", absl::StrCat(kBase, "/a")).status, 404);
}

TEST_F(NoteHandlersTest, WatchStreamsEventsUntilTheTimeout) {
  ASSERT_EQ(CreateNote("a").status, 201);
  Stream* watch = Watch(absl::StrCat(kBase, "?watch=true&timeoutSeconds=5"));
  EXPECT_EQ(watch->sink.recorded.status, 200);
  EXPECT_EQ(watch->sink.recorded.headers.Get("Content-Type").value_or(""), "application/json");
  ASSERT_EQ(
      Serve("PATCH", absl::StrCat(kBase, "/a"), R"({"spec":{"text":"b"}})", "application/merge-patch+json").status,
      200);
  ASSERT_EQ(Serve("DELETE", absl::StrCat(kBase, "/a")).status, 200);
  loop_.RunUntilIdle();
  const std::string body = watch->Body();
  EXPECT_THAT(body, ::testing::MatchesRegex(R"(\{"type":"ADDED","object":\{.*\}\}
\{"type":"MODIFIED","object":\{.*"resourceVersion":"2".*\}\}
\{"type":"DELETED","object":\{.*"resourceVersion":"3".*\}\}
)"));
  EXPECT_FALSE(watch->sink.recorded.complete);
  EXPECT_EQ(store_->watch_count(), 1u);
  loop_.AdvanceTime(absl::Seconds(5));
  EXPECT_TRUE(watch->sink.recorded.complete);
  EXPECT_EQ(store_->watch_count(), 0u);
}

TEST_F(NoteHandlersTest, WatchFromAResourceVersionAndOfOneName) {
  ASSERT_EQ(CreateNote("a").status, 201);  // rv 1
  ASSERT_EQ(CreateNote("b").status, 201);  // rv 2
  Stream* watch = Watch(absl::StrCat(kBase, "?watch=1&resourceVersion=1"));
  EXPECT_THAT(watch->Body(), HasSubstr(R"("name":"b")"));
  EXPECT_THAT(watch->Body(), Not(HasSubstr(R"("name":"a")")));
  Stream* one = Watch(absl::StrCat(kBase, "?watch=true&fieldSelector=metadata.name%3Da"));
  EXPECT_THAT(one->Body(), HasSubstr(R"("name":"a")"));
  EXPECT_THAT(one->Body(), Not(HasSubstr(R"("name":"b")")));
  EXPECT_EQ(Watch(absl::StrCat(kBase, "?watch=true&resourceVersion=x"))->sink.recorded.status, 400);
}

TEST_F(NoteHandlersTest, WatchTrueInAnyCaseIsAWatchAsInKube) {
  ASSERT_EQ(CreateNote("a").status, 201);
  // The Python client sends watch=True; the request info calls that a list, the list handler serves the watch.
  Stream* watch = Watch(absl::StrCat(kBase, "?watch=True"));
  EXPECT_EQ(watch->sink.recorded.status, 200);
  EXPECT_THAT(watch->Body(), HasSubstr(R"({"type":"ADDED","object":)"));
  EXPECT_FALSE(watch->sink.recorded.complete);
  RecordedResponse list = Serve("GET", absl::StrCat(kBase, "?watch=false"));
  EXPECT_THAT(list.body, HasSubstr(R"("kind":"NoteList")"));
}

TEST_F(NoteHandlersTest, WatchEndsCleanlyWhenTheServerShutsDown) {
  Stream* watch = Watch(absl::StrCat(kBase, "?watch=true"));
  EXPECT_EQ(watch->sink.recorded.status, 200);
  EXPECT_FALSE(watch->sink.recorded.complete);
  shutting_down_.Fire();
  loop_.RunUntilIdle();
  EXPECT_TRUE(watch->sink.recorded.complete);
  EXPECT_FALSE(watch->sink.recorded.aborted);
  EXPECT_EQ(store_->watch_count(), 0u);
}

TEST_F(NoteHandlersTest, WatchFromACompactedResourceVersionGetsAnExpiredErrorEvent) {
  store_ = std::make_shared<NoteStore>(/*history_size=*/1);
  resource_ = NotesResource(store_, {absl::Minutes(30)});
  for (const char* name : {"a", "b", "c"}) ASSERT_EQ(CreateNote(name).status, 201);
  Stream* watch = Watch(absl::StrCat(kBase, "?watch=true&resourceVersion=1"));
  EXPECT_EQ(watch->sink.recorded.status, 200);
  EXPECT_EQ(watch->Body(),
            R"json({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)json"
            R"json("message":"too old resource version: 1 (3)","reason":"Expired","code":410}})json"
            "\n");
  EXPECT_TRUE(watch->sink.recorded.complete);
}

TEST_F(NoteHandlersTest, SlowWatcherIsDroppedNotBuffered) {
  Stream* stream = streams_.emplace_back(std::make_unique<Stream>()).get();
  stream->sink.set_auto_drain(false);
  auto exchange = apiserve::http::NewExchange(&loop_, &stream->sink, /*high_water_mark=*/64);
  stream->sink.Attach(exchange);
  apiserve::http::RequestPtr request = Request("GET", absl::StrCat(kBase, "?watch=true"));
  StartWatch(store_, NoteFilter(), std::nullopt, request, apiserve::http::ResponseWriter(exchange),
             WatchOptions{absl::InfiniteDuration(), /*max_pending_bytes=*/2048});
  loop_.RunUntilIdle();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(CreateNote(absl::StrCat("n", i)).status, 201);  // ~10 KiB of events
  loop_.RunUntilIdle();
  EXPECT_TRUE(stream->sink.recorded.complete || stream->sink.recorded.aborted);
  EXPECT_EQ(store_->watch_count(), 0u);
}

}  // namespace
}  // namespace sample::notes
