#include "notes/note_store.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notes/note_object.h"

namespace sample::notes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RecordingSink : public WatchSink {
 public:
  void Deliver(std::shared_ptr<const std::string> line) override { lines.push_back(*line); }
  std::vector<std::string> lines;
};

JsonValue NewNote(const std::string& ns, const std::string& name, const std::string& text,
                  const std::string& labels = "{}") {
  JsonValue note;
  EXPECT_FALSE(DecodeNote(R"({"metadata":{"name":")" + name + R"(","labels":)" + labels + R"(},"spec":{"text":")" +
                              text + R"("}})",
                          &note)
                   .has_value());
  EXPECT_FALSE(PrepareForCreate(ns, absl::FromUnixSeconds(1700000000), &note).has_value());
  return note;
}

std::optional<ApiError> SetText(const JsonValue& current, JsonValue* next, const std::string& text) {
  *next = current;
  next->Find("spec")->Set("text", JsonValue::String(text));
  return std::nullopt;
}

TEST(NoteStoreTest, CreateGetListWithOneResourceVersionCounter) {
  NoteStore store;
  ObjectResult a = store.Create(NewNote("ns1", "a", "first"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(MetadataString(a.object, "resourceVersion"), "1");
  EXPECT_EQ(MetadataString(a.object, "creationTimestamp"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(MetadataString(a.object, "uid").size(), 36u);
  ASSERT_TRUE(store.Create(NewNote("ns2", "a", "other namespace")).ok());
  ObjectResult got = store.Get("ns1", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.object, a.object);
  NoteFilter all, ns2;
  ns2.namespace_name = "ns2";
  ListResult list = store.List(all);
  EXPECT_EQ(list.items.size(), 2u);
  EXPECT_EQ(list.resource_version, 2);
  EXPECT_EQ(store.List(ns2).items.size(), 1u);
}

TEST(NoteStoreTest, ErrorsAreKubesStatuses) {
  NoteStore store;
  ASSERT_TRUE(store.Create(NewNote("ns", "a", "x")).ok());
  ObjectResult duplicate = store.Create(NewNote("ns", "a", "y"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error->code, 409);
  EXPECT_EQ(duplicate.error->reason, "AlreadyExists");
  EXPECT_EQ(duplicate.error->message, "notes.notes.example.io \"a\" already exists");
  ObjectResult missing = store.Get("ns", "b");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(EncodeStatus(*missing.error),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
            R"("notes.notes.example.io \"b\" not found","reason":"NotFound","details":{"name":"b",)"
            R"("group":"notes.example.io","kind":"notes"},"code":404})"
            "\n");
  EXPECT_EQ(store.Delete("ns", "b").error->code, 404);
}

TEST(NoteStoreTest, UpdateChecksTheResourceVersionAndSkipsNoOps) {
  NoteStore store;
  ASSERT_TRUE(store.Create(NewNote("ns", "a", "x")).ok());
  ObjectResult updated = store.Update("ns", "a", [](const JsonValue& c, JsonValue* n) { return SetText(c, n, "y"); });
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(MetadataString(updated.object, "resourceVersion"), "2");
  EXPECT_EQ(updated.object.FindPath({"spec", "text"})->string_value(), "y");
  ObjectResult stale = store.Update("ns", "a", [](const JsonValue& c, JsonValue* n) {
    SetText(c, n, "z");
    n->Find("metadata")->Set("resourceVersion", JsonValue::String("1"));
    return std::optional<ApiError>();
  });
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error->code, 409);
  EXPECT_EQ(stale.error->reason, "Conflict");
  EXPECT_EQ(stale.error->message,
            "Operation cannot be fulfilled on notes.notes.example.io \"a\": the object has been modified; please "
            "apply your changes to the latest version and try again");
  ObjectResult same = store.Update("ns", "a", [](const JsonValue& c, JsonValue* n) { return SetText(c, n, "y"); });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(MetadataString(same.object, "resourceVersion"), "2");
  EXPECT_EQ(store.resource_version(), 2);
  EXPECT_EQ(store.Update("nope", "a", [](const JsonValue& c, JsonValue* n) { return SetText(c, n, "y"); }).error->code,
            404);
}

TEST(NoteStoreTest, WatchWithoutResourceVersionStartsWithTheCurrentNotesThenFollows) {
  NoteStore store;
  ASSERT_TRUE(store.Create(NewNote("ns", "a", "x")).ok());
  ASSERT_TRUE(store.Create(NewNote("other", "b", "x")).ok());
  auto sink = std::make_shared<RecordingSink>();
  NoteFilter filter;
  filter.namespace_name = "ns";
  NoteStore::WatchStart started = store.Watch(filter, std::nullopt, sink);
  ASSERT_FALSE(started.error.has_value());
  ASSERT_TRUE(store.Create(NewNote("ns", "c", "x")).ok());
  ASSERT_TRUE(store.Update("ns", "c", [](const JsonValue& c, JsonValue* n) { return SetText(c, n, "y"); }).ok());
  ASSERT_TRUE(store.Create(NewNote("other", "d", "x")).ok());
  ASSERT_TRUE(store.Delete("ns", "a").ok());
  ASSERT_EQ(sink->lines.size(), 4u);
  EXPECT_THAT(sink->lines[0], HasSubstr(R"({"type":"ADDED","object":{"apiVersion":"notes.example.io/v1",)"));
  EXPECT_THAT(sink->lines[0], HasSubstr(R"("name":"a")"));
  EXPECT_THAT(sink->lines[1], HasSubstr(R"("type":"ADDED")"));
  EXPECT_THAT(sink->lines[1], HasSubstr(R"("name":"c")"));
  EXPECT_THAT(sink->lines[2], HasSubstr(R"("type":"MODIFIED")"));
  EXPECT_THAT(sink->lines[2], HasSubstr(R"("resourceVersion":"4")"));
  EXPECT_THAT(sink->lines[3], HasSubstr(R"("type":"DELETED")"));
  EXPECT_THAT(sink->lines[3], HasSubstr(R"("resourceVersion":"6")"));
  EXPECT_EQ(sink->lines[3].back(), '\n');
  store.Unwatch(started.id);
  ASSERT_TRUE(store.Create(NewNote("ns", "e", "x")).ok());
  EXPECT_EQ(sink->lines.size(), 4u);
  EXPECT_EQ(store.watch_count(), 0u);
}

TEST(NoteStoreTest, WatchFromAResourceVersionReplaysLaterEventsOrSaysExpired) {
  NoteStore store(/*history_size=*/3);
  for (const char* name : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(store.Create(NewNote("ns", name, "x")).ok());
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_FALSE(store.Watch(NoteFilter(), 3, sink).error.has_value());
  ASSERT_EQ(sink->lines.size(), 2u);
  EXPECT_THAT(sink->lines[0], HasSubstr(R"("name":"d")"));
  EXPECT_THAT(sink->lines[1], HasSubstr(R"("name":"e")"));
  EXPECT_FALSE(store.Watch(NoteFilter(), 2, std::make_shared<RecordingSink>()).error.has_value());
  NoteStore::WatchStart expired = store.Watch(NoteFilter(), 1, std::make_shared<RecordingSink>());
  ASSERT_TRUE(expired.error.has_value());
  EXPECT_EQ(expired.error->code, 410);
  EXPECT_EQ(expired.error->reason, "Expired");
  EXPECT_EQ(expired.error->message, "too old resource version: 1 (3)");
}

TEST(NoteStoreTest, LabelSelectorWatchSeesNotesEnterAndLeave) {
  NoteStore store;
  auto sink = std::make_shared<RecordingSink>();
  NoteFilter filter;
  ASSERT_FALSE(ParseFilter("ns", "", "team=a", &filter).has_value());
  ASSERT_FALSE(store.Watch(filter, std::nullopt, sink).error.has_value());
  ASSERT_TRUE(store.Create(NewNote("ns", "n", "x", R"({"team":"b"})")).ok());
  auto relabel = [&](const char* team) {
    return store.Update("ns", "n", [&](const JsonValue& c, JsonValue* n) {
      *n = c;
      n->Find("metadata")->Find("labels")->Set("team", JsonValue::String(team));
      return std::optional<ApiError>();
    });
  };
  ASSERT_TRUE(relabel("a").ok());
  ASSERT_TRUE(relabel("b").ok());
  ASSERT_EQ(sink->lines.size(), 2u);
  EXPECT_THAT(sink->lines[0], HasSubstr(R"("type":"ADDED")"));
  EXPECT_THAT(sink->lines[1], HasSubstr(R"("type":"DELETED")"));
}

// Handlers on several event loops write concurrently: every write gets its own resourceVersion and a watcher sees
// every event once, in resourceVersion order (run under --config=tsan-like flags too).
TEST(NoteStoreTest, ConcurrentWritersAndAWatcher) {
  NoteStore store;
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_FALSE(store.Watch(NoteFilter(), std::nullopt, sink).error.has_value());
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&store, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string name = absl::StrCat("t", t, "-", i);
        ASSERT_TRUE(store.Create(NewNote("ns", name, "x")).ok());
        ASSERT_TRUE(store.Update("ns", name, [](const JsonValue& c, JsonValue* n) { return SetText(c, n, "y"); }).ok());
        ASSERT_TRUE(store.Delete("ns", name).ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(store.resource_version(), 600);
  ASSERT_EQ(sink->lines.size(), 600u);
  int64_t previous = 0;
  for (const std::string& line : sink->lines) {
    absl::StatusOr<JsonValue> event = apiserve::http::ParseJson(line);
    ASSERT_TRUE(event.ok());
    int64_t rv = 0;
    ASSERT_TRUE(absl::SimpleAtoi(MetadataString(*event->Find("object"), "resourceVersion"), &rv));
    EXPECT_EQ(rv, previous + 1);
    previous = rv;
  }
}

TEST(NoteFilterTest, ParsesSelectors) {
  NoteFilter filter;
  ASSERT_FALSE(ParseFilter("", "metadata.name=x,metadata.namespace==y", "a=1,b!=2,c,!d", &filter).has_value());
  EXPECT_EQ(filter.name, "x");
  EXPECT_EQ(filter.namespace_name, "y");
  ASSERT_EQ(filter.labels.size(), 4u);
  EXPECT_EQ(filter.labels[1].op, NoteFilter::Requirement::kNotEquals);
  EXPECT_EQ(filter.labels[3].op, NoteFilter::Requirement::kNotExists);
  NoteFilter bad;
  EXPECT_EQ(ParseFilter("", "spec.text=x", "", &bad)->message, "field label not supported: spec.text");
  EXPECT_EQ(ParseFilter("", "", "env in (a,b)", &bad)->code, 400);
}

TEST(NoteObjectTest, DecodeAndValidateUseKubesCodesAndMessages) {
  JsonValue note;
  std::optional<ApiError> bad_json = DecodeNote("{\"metadata\":", &note);
  ASSERT_TRUE(bad_json.has_value());
  EXPECT_EQ(bad_json->code, 400);
  EXPECT_EQ(bad_json->reason, "BadRequest");
  EXPECT_EQ(bad_json->message,
            "the object provided is unrecognized (must be of type Note): couldn't get version/kind; json parse "
            "error: unexpected end of JSON input ({\"metadata\":)");
  EXPECT_EQ(DecodeNote(R"({"kind":"Pod"})", &note)->message,
            "the kind in the data (Pod) does not match the expected kind (Note)");
  ASSERT_FALSE(DecodeNote(R"({"spec":{"text":"t","extra":1},"status":{}})", &note).has_value());
  std::optional<ApiError> no_name = PrepareForCreate("ns", absl::Now(), &note);
  ASSERT_TRUE(no_name.has_value());
  EXPECT_EQ(no_name->code, 422);
  EXPECT_EQ(no_name->message,
            "Note.notes.example.io \"\" is invalid: metadata.name: Required value: name or generateName is required");
  EXPECT_THAT(EncodeStatus(*no_name),
              HasSubstr(R"("details":{"group":"notes.example.io","kind":"Note","causes":[{"reason":)"
                        R"("FieldValueRequired","message":"Required value: name or generateName is required",)"
                        R"("field":"metadata.name"}]},"code":422})"));
  ASSERT_FALSE(DecodeNote(R"({"metadata":{"generateName":"gen-"},"spec":{"text":"t","extra":1}})", &note));
  ASSERT_FALSE(PrepareForCreate("ns", absl::Now(), &note).has_value());
  EXPECT_THAT(MetadataString(note, "name"), ::testing::MatchesRegex("gen-[bcdfghjklmnpqrstvwxz2456789]{5}"));
  EXPECT_EQ(note.Find("spec")->Serialize(), R"({"text":"t"})");  // unknown fields pruned
  ASSERT_FALSE(DecodeNote(R"({"metadata":{"name":"Bad_Name","namespace":"other"},"spec":{"text":1}})", &note));
  EXPECT_EQ(PrepareForCreate("ns", absl::Now(), &note)->message,
            "the namespace of the provided object does not match the namespace sent on the request");
  std::optional<ApiError> invalid = PrepareForCreate("other", absl::Now(), &note);
  ASSERT_TRUE(invalid.has_value());
  EXPECT_THAT(invalid->message, HasSubstr("Note.notes.example.io \"Bad_Name\" is invalid: [metadata.name: Invalid "
                                          "value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
  EXPECT_THAT(invalid->message, HasSubstr(", spec.text: Invalid value: \"integer\": spec.text in body must be of "
                                          "type string: \"integer\"]"));
  EXPECT_THAT(invalid->causes, ::testing::SizeIs(2));
}

}  // namespace
}  // namespace sample::notes
