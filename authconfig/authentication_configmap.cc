#include "authconfig/authentication_configmap.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "http/json_value.h"

namespace apiserve::authconfig {

bool operator==(const RequestHeaderBundle& a, const RequestHeaderBundle& b) {
  return a.ca_pem == b.ca_pem && a.allowed_names == b.allowed_names && a.username_headers == b.username_headers &&
         a.uid_headers == b.uid_headers && a.group_headers == b.group_headers &&
         a.extra_headers_prefix == b.extra_headers_prefix;
}

absl::StatusOr<ConfigMapObject> ParseConfigMapObject(absl::string_view json) {
  absl::StatusOr<http::JsonValue> doc = http::ParseJson(json);
  if (!doc.ok()) return doc.status();
  const http::JsonValue* kind = doc->is_object() ? doc->Find("kind") : nullptr;
  if (kind == nullptr || !kind->is_string() || kind->string_value() != "ConfigMap") {
    return absl::InvalidArgumentError("not a ConfigMap");
  }
  ConfigMapObject object;
  if (const http::JsonValue* rv = doc->FindPath({"metadata", "resourceVersion"}); rv != nullptr && rv->is_string()) {
    object.resource_version = rv->string_value();
  }
  if (const http::JsonValue* data = doc->Find("data"); data != nullptr && data->is_object()) {
    for (const auto& [key, value] : data->object()) {
      if (value.is_string()) object.data[key] = value.string_value();
    }
  }
  return object;
}

absl::StatusOr<std::vector<std::string>> DeserializeStrings(absl::string_view value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  absl::StatusOr<http::JsonValue> doc = http::ParseJson(value);
  if (!doc.ok()) return doc.status();
  if (doc->is_null()) return out;  // json.Unmarshal of "null" leaves the slice nil
  if (!doc->is_array()) {
    const char* type = doc->is_string() ? "string" : doc->is_number() ? "number" : doc->is_bool() ? "bool" : "object";
    return absl::InvalidArgumentError(absl::StrCat("json: cannot unmarshal ", type, " into Go value of type []string"));
  }
  for (const http::JsonValue& element : doc->array()) {
    if (element.is_null()) {
      out.emplace_back();
      continue;
    }
    if (!element.is_string()) {
      const char* type = element.is_number()  ? "number"
                         : element.is_bool()  ? "bool"
                         : element.is_array() ? "array"
                                              : "object";
      return absl::InvalidArgumentError(absl::StrCat("json: cannot unmarshal ", type, " into Go value of type string"));
    }
    out.push_back(element.string_value());
  }
  return out;
}

absl::StatusOr<RequestHeaderBundle> RequestHeaderBundleFromData(const std::map<std::string, std::string>& data) {
  auto get = [&data](const char* key) -> absl::string_view {
    auto it = data.find(key);
    return it == data.end() ? absl::string_view() : absl::string_view(it->second);
  };
  RequestHeaderBundle bundle;
  struct Field {
    const char* key;
    std::vector<std::string>* target;
  };
  // kube's order in getRequestHeaderBundleFromConfigMap.
  const Field fields[] = {{kRequestHeaderUsernameHeadersKey, &bundle.username_headers},
                          {kRequestHeaderUidHeadersKey, &bundle.uid_headers},
                          {kRequestHeaderGroupHeadersKey, &bundle.group_headers},
                          {kRequestHeaderExtraPrefixesKey, &bundle.extra_headers_prefix},
                          {kRequestHeaderAllowedNamesKey, &bundle.allowed_names}};
  for (const Field& field : fields) {
    absl::StatusOr<std::vector<std::string>> values = DeserializeStrings(get(field.key));
    if (!values.ok()) return values.status();
    *field.target = *std::move(values);
  }
  bundle.ca_pem = std::string(get(kRequestHeaderCaKey));
  return bundle;
}

}  // namespace apiserve::authconfig
