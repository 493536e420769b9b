#ifndef SAMPLE_APISERVER_NOTES_API_ERRORS_H_
#define SAMPLE_APISERVER_NOTES_API_ERRORS_H_

// ApiError: the kube `Status` error bodies the notes resource answers with, built as k8s.io/apimachinery's
// api/errors builds them (NewNotFound, NewAlreadyExists, NewConflict, NewInvalid, NewBadRequest, ...), so clients
// (kubectl, client-go, the Python client) recognise the reason:
//
//   404 NotFound          notes.notes.example.io "x" not found
//   409 AlreadyExists     notes.notes.example.io "x" already exists
//   409 Conflict          Operation cannot be fulfilled on notes.notes.example.io "x": the object has been modified;
//   ... 422 Invalid           Note.notes.example.io "x" is invalid: metadata.name: Required value: ... 400 BadRequest
//   (message as given) 410 Expired           too old resource version: 5 (9) 415 UnsupportedMediaType

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "http/response.h"

namespace sample::notes {

// StatusCause is one metav1.StatusCause (a field error of an Invalid answer).
struct StatusCause {
  std::string reason;  // "FieldValueRequired", "FieldValueInvalid"
  std::string message;
  std::string field;  // "metadata.name"
};

struct ApiError {
  int code = 500;
  std::string reason;  // metav1.StatusReason; empty for BadRequest's "BadRequest" is set explicitly
  std::string message;
  // details: written when `has_details`: name, group, kind, uid (each omitted when empty) and causes.
  bool has_details = false;
  std::string name;
  std::string group;
  std::string kind;
  std::string uid;
  std::vector<StatusCause> causes;
};

// The errors of the notes resource (group notes.example.io, resource "notes", kind "Note").
ApiError NotFound(absl::string_view name);
ApiError AlreadyExists(absl::string_view name);
ApiError Conflict(absl::string_view name);
// Invalid: `causes` are the field errors; the message joins them as kube's aggregate does.
ApiError Invalid(absl::string_view name, std::vector<StatusCause> causes);
ApiError BadRequest(std::string message);
ApiError Expired(std::string message);
ApiError UnsupportedMediaType(std::string message);

// FieldRequired and FieldInvalid build field errors with kube's field.Error texts.
StatusCause FieldRequired(std::string field, absl::string_view detail);
// `value_json` is the bad value as Go's %#v prints it for strings ("\"X\"") or a type name.
StatusCause FieldInvalid(std::string field, absl::string_view value, absl::string_view detail);

// EncodeStatus returns the Status JSON (kind, apiVersion, metadata, status "Failure", message, reason, details,
// code), as kube writes it, with the trailing newline.
std::string EncodeStatus(const ApiError& error);
// ErrorResponse is the whole answer: error.code, application/json, EncodeStatus.
apiserve::http::Response ErrorResponse(const ApiError& error);

// SuccessStatus is the Status a delete answers with: status "Success" and details naming the deleted object.
std::string SuccessStatus(absl::string_view name, absl::string_view uid);

}  // namespace sample::notes

#endif  // SAMPLE_APISERVER_NOTES_API_ERRORS_H_
