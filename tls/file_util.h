#ifndef APISERVE_TLS_FILE_UTIL_H_
#define APISERVE_TLS_FILE_UTIL_H_

// Small file helpers for certificate and key files. Stateless; thread-safe (the file system is not).

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace apiserve::tls {

// ReadFileToString returns the whole content of `path` (following symlinks). Errors name the path and errno's text,
// Go-style: NotFound "open <path>: No such file or directory"; PermissionDenied for EACCES; Internal otherwise.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// FileExists reports whether `path` exists (following symlinks).
bool FileExists(const std::string& path);

// MakeDirectories creates `path` and its missing parents with `mode` (like mkdir -p). OK if it already exists.
absl::Status MakeDirectories(const std::string& path, mode_t mode);

// WriteFileAtomically writes `content` to a temporary file beside `path` with `mode`, then renames it over `path`,
// so readers see the old or the new content, never a mix.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content, mode_t mode);

}  // namespace apiserve::tls

#endif  // APISERVE_TLS_FILE_UTIL_H_
