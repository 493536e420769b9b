#include "notes/note_handlers.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "chain/request_info.h"
#include "chain/watch_timeout.h"
#include "http/json_patch.h"
#include "http/json_writer.h"
#include "notes/note_object.h"
#include "notes/note_watch.h"

namespace sample::notes {
namespace {

using apiserve::chain::RequestInfo;
using apiserve::http::HandlerFunc;
using apiserve::http::RequestPtr;
using apiserve::http::ResponseWriter;

const RequestInfo& Info(const RequestPtr& request) {
  static const RequestInfo kEmpty;
  const RequestInfo* info = request->Context<RequestInfo>();
  return info != nullptr ? *info : kEmpty;
}

void SendError(ResponseWriter& writer, const ApiError& error) { writer.Send(ErrorResponse(error)).IgnoreError(); }

void SendObject(ResponseWriter& writer, int status, const ObjectResult& result) {
  if (!result.ok()) {
    SendError(writer, *result.error);
    return;
  }
  writer.Send(apiserve::http::JsonResponse(status, result.object.Serialize())).IgnoreError();
}

// WithBody reads the request body, then runs `then(body)` on the loop. Nothing to do when the read fails: the
// chain answered (413) or the client left.
template <typename Then>
void WithBody(RequestPtr request, ResponseWriter writer, Then then) {
  apiserve::http::ReadBody(request,
                           [request, writer = std::move(writer), then = std::move(then)](absl::Status read) mutable {
                             if (!read.ok()) return;
                             then(request, writer);
                           });
}

// FilterFromQuery reads ?fieldSelector and ?labelSelector (and the object name for a watch of one object).
std::optional<ApiError> FilterFromQuery(const RequestPtr& request, NoteFilter* filter) {
  const RequestInfo& info = Info(request);
  if (std::optional<ApiError> error = ParseFilter(info.namespace_name, request->Query("fieldSelector").value_or(""),
                                                  request->Query("labelSelector").value_or(""), filter)) {
    return error;
  }
  if (!info.name.empty()) {
    if (!filter->name.empty() && filter->name != info.name)
      filter->name = "\x01";  // selects nothing
    else
      filter->name = info.name;
  }
  return std::nullopt;
}

std::string ListJson(const ListResult& list) {
  apiserve::http::JsonWriter json;
  json.BeginObject();
  json.Key("apiVersion");
  json.String(kApiVersion);
  json.Key("items");
  json.BeginArray();
  for (const JsonValue& item : list.items) item.WriteTo(&json);
  json.EndArray();
  json.Key("kind");
  json.String(kListKind);
  json.Key("metadata");
  json.BeginObject();
  json.Key("resourceVersion");
  json.String(absl::StrCat(list.resource_version));
  json.EndObject();
  json.EndObject();
  return json.Take();
}

// FieldValidation applies ?fieldValidation to `note` (see CheckFieldValidation): an error to send, or the warnings
// added to the answer.
std::optional<ApiError> FieldValidation(const RequestPtr& request, ResponseWriter& writer, const JsonValue& note) {
  std::vector<std::string> warnings;
  if (std::optional<ApiError> error =
          CheckFieldValidation(request->Query("fieldValidation").value_or(""), note, &warnings)) {
    return error;
  }
  // One Warning field, the warnings comma-separated (RFC 9110 list syntax, which client-go parses): the writer
  // keeps one decoration per name.
  if (!warnings.empty()) writer.AddResponseHeader("Warning", absl::StrJoin(warnings, ", "));
  return std::nullopt;
}

class Handlers {
 public:
  Handlers(std::shared_ptr<NoteStore> store, NotesOptions options) : store_(std::move(store)), options_(options) {}

  void Get(RequestPtr request, ResponseWriter writer) const {
    const RequestInfo& info = Info(request);
    SendObject(writer, 200, store_->Get(info.namespace_name, info.name));
  }

  void List(RequestPtr request, ResponseWriter writer) const {
    NoteFilter filter;
    if (std::optional<ApiError> error = FilterFromQuery(request, &filter)) return SendError(writer, *error);
    writer.Send(apiserve::http::JsonResponse(200, ListJson(store_->List(filter)))).IgnoreError();
  }

  void Watch(RequestPtr request, ResponseWriter writer) const {
    NoteFilter filter;
    if (std::optional<ApiError> error = FilterFromQuery(request, &filter)) return SendError(writer, *error);
    std::optional<int64_t> resource_version;
    if (std::string rv = request->Query("resourceVersion").value_or(""); !rv.empty()) {
      int64_t parsed;
      if (!absl::SimpleAtoi(rv, &parsed) || parsed < 0) {
        return SendError(writer, BadRequest(absl::StrCat("invalid resource version \"", rv, "\"")));
      }
      resource_version = parsed;
    }
    WatchOptions watch;
    watch.timeout = apiserve::chain::WatchTimeout(*request, options_.min_request_timeout);
    StartWatch(store_, std::move(filter), resource_version, std::move(request), std::move(writer), watch);
  }

  void Create(RequestPtr request, ResponseWriter writer) const {
    WithBody(std::move(request), std::move(writer), [store = store_](const RequestPtr& r, ResponseWriter& w) {
      JsonValue note;
      if (std::optional<ApiError> error = DecodeNote(r->body, &note)) return SendError(w, *error);
      if (std::optional<ApiError> error = FieldValidation(r, w, note)) return SendError(w, *error);
      if (std::optional<ApiError> error = PrepareForCreate(Info(r).namespace_name, absl::Now(), &note)) {
        return SendError(w, *error);
      }
      SendObject(w, 201, store->Create(std::move(note)));
    });
  }

  void Update(RequestPtr request, ResponseWriter writer) const {
    WithBody(std::move(request), std::move(writer), [store = store_](const RequestPtr& r, ResponseWriter& w) {
      const RequestInfo& info = Info(r);
      JsonValue note;
      if (std::optional<ApiError> error = DecodeNote(r->body, &note)) return SendError(w, *error);
      if (std::optional<ApiError> error = FieldValidation(r, w, note)) return SendError(w, *error);
      if (const std::string name = MetadataString(note, "name"); name != info.name) {
        return SendError(w, BadRequest(absl::StrCat("the name of the object (", name,
                                                    ") does not match the name on the URL (", info.name, ")")));
      }
      if (const std::string ns = MetadataString(note, "namespace"); !ns.empty() && ns != info.namespace_name) {
        return SendError(
            w, BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
      }
      SendObject(w, 200, store->Update(info.namespace_name, info.name, [&](const JsonValue& current, JsonValue* next) {
        *next = note;
        return PrepareForUpdate(current, /*require_resource_version=*/true, next);
      }));
    });
  }

  void Patch(RequestPtr request, ResponseWriter writer) const {
    WithBody(std::move(request), std::move(writer), [store = store_](const RequestPtr& r, ResponseWriter& w) {
      const RequestInfo& info = Info(r);
      std::string content_type(r->headers.Get("Content-Type").value_or(""));
      content_type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(content_type.substr(0, content_type.find(';'))));
      const bool json_patch = content_type == "application/json-patch+json";
      // kubectl sends strategic merge patches to kinds it does not know only for edit/apply fallbacks; a Note has no
      // lists with merge keys, so a strategic merge patch means what a merge patch means.
      const bool merge_patch =
          content_type == "application/merge-patch+json" || content_type == "application/strategic-merge-patch+json";
      if (!json_patch && !merge_patch) {
        return SendError(
            w, UnsupportedMediaType("the body of the request was in an unknown format - accepted media types include: "
                                    "application/json-patch+json, application/merge-patch+json, "
                                    "application/strategic-merge-patch+json"));
      }
      absl::StatusOr<JsonValue> patch = apiserve::http::ParseJson(r->body);
      if (!patch.ok()) return SendError(w, BadRequest(std::string(patch.status().message())));
      if (json_patch && !patch->is_array()) {
        return SendError(w, BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch"));
      }
      SendObject(w, 200, store->Update(info.namespace_name, info.name, [&](const JsonValue& current, JsonValue* next) {
        *next = current;
        if (json_patch) {
          if (absl::Status applied = apiserve::http::ApplyJsonPatch(next, *patch); !applied.ok()) {
            ApiError error = BadRequest(std::string(applied.message()));
            error.code = 422;  // kube: a patch that does not apply is 422 Invalid
            error.reason = "Invalid";
            return std::optional<ApiError>(std::move(error));
          }
        } else {
          apiserve::http::ApplyMergePatch(next, *patch);
        }
        if (!next->is_object()) return std::optional<ApiError>(BadRequest("the patched object is not a JSON object"));
        if (std::optional<ApiError> error = FieldValidation(r, w, *next)) return error;
        return PrepareForUpdate(current, /*require_resource_version=*/false, next);
      }));
    });
  }

  void Delete(RequestPtr request, ResponseWriter writer) const {
    const RequestInfo& info = Info(request);
    ObjectResult deleted = store_->Delete(info.namespace_name, info.name);
    if (!deleted.ok()) return SendError(writer, *deleted.error);
    writer.Send(apiserve::http::JsonResponse(200, SuccessStatus(info.name, MetadataString(deleted.object, "uid"))))
        .IgnoreError();
  }

 private:
  const std::shared_ptr<NoteStore> store_;
  const NotesOptions options_;
};

template <void (Handlers::*method)(RequestPtr, ResponseWriter) const>
apiserve::http::HandlerPtr Bind(std::shared_ptr<const Handlers> handlers) {
  return HandlerFunc([handlers = std::move(handlers)](RequestPtr request, ResponseWriter writer) {
    ((*handlers).*method)(std::move(request), std::move(writer));
  });
}

}  // namespace

apiserve::chain::APIResource NotesResource(std::shared_ptr<NoteStore> store, NotesOptions options) {
  auto handlers = std::make_shared<const Handlers>(std::move(store), options);
  apiserve::chain::APIResource notes;
  notes.name = std::string(kResource);
  notes.kind = std::string(kKind);
  notes.list_kind = std::string(kListKind);
  notes.namespaced = true;
  notes.short_names = {"nt"};
  notes.handlers = {
      {"get", Bind<&Handlers::Get>(handlers)},       {"list", Bind<&Handlers::List>(handlers)},
      {"watch", Bind<&Handlers::Watch>(handlers)},   {"create", Bind<&Handlers::Create>(handlers)},
      {"update", Bind<&Handlers::Update>(handlers)}, {"patch", Bind<&Handlers::Patch>(handlers)},
      {"delete", Bind<&Handlers::Delete>(handlers)},
  };
  notes.openapi_schema = NoteSchema();
  return notes;
}

apiserve::chain::APIGroupInfo NotesAPIGroup(std::shared_ptr<NoteStore> store, NotesOptions options) {
  return apiserve::chain::APIGroupInfo{
      std::string(kGroup),
      {apiserve::chain::APIGroupVersion{std::string(kVersion), {NotesResource(std::move(store), options)}}}};
}

}  // namespace sample::notes
