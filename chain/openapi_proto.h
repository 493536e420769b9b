#ifndef APISERVE_CHAIN_OPENAPI_PROTO_H_
#define APISERVE_CHAIN_OPENAPI_PROTO_H_

// The protobuf form of /openapi/v2: a Swagger 2.0 JSON document encoded as gnostic's `openapi.v2.Document`
// (github.com/google/gnostic, openapiv2/OpenAPIv2.proto), which kube-openapi serves as
// `application/com.github.proto-openapi.spec.v2.v1.0+protobuf` and client-go's OpenAPISchema() decodes (kubectl
// explain --output=plaintext-openapiv2, and kubectl's client-side schema users).
//
// The mapping is gnostic's JSON → Document converter: each JSON object becomes its message with the fields at their
// numbers; maps (paths, definitions, properties, responses, ...) become repeated Named* pairs in document order;
// `x-` keys become `vendor_extension` NamedAny entries whose Any carries the value as block-style YAML (what gnostic
// stores: kube's proto reader YAML-decodes it); `default`, `example` and `enum` values are Any the same way. Proto3
// rules: a scalar equal to its default (empty, false, 0) is not written; a present object is written even if empty.
//
// Covered: Document (swagger, info, host, basePath, schemes, consumes, produces, paths, definitions, parameters,
// responses, security, tags, externalDocs), Info/Contact/License, PathItem, Operation, every parameter kind
// (body, query, path, header, formData, $ref), Responses/Response/headers/examples, Schema with every field
// (type and items as one or many, additionalProperties as bool or schema, allOf, properties, xml, $ref),
// FileSchema. Not covered: securityDefinitions (apiserve's documents have none). Keys gnostic would reject (not in
// the Swagger 2.0 schema and not `x-`) are skipped rather than failing the whole document.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/json_value.h"

namespace apiserve::chain {

// OpenApiV2ToProtobuf returns the wire encoding of the Swagger 2.0 document `json`. InvalidArgument if `json` is not
// JSON or not an object (ParseJson's message).
absl::StatusOr<std::string> OpenApiV2ToProtobuf(absl::string_view json);

// YamlOf returns `value` as a block-style YAML document ending in a newline ("list\n", "- group: g\n  kind: K\n"):
// strings are plain when YAML would read them back as the same string, double-quoted (JSON escapes, valid YAML)
// otherwise.
std::string YamlOf(const http::JsonValue& value);

}  // namespace apiserve::chain

#endif  // APISERVE_CHAIN_OPENAPI_PROTO_H_
