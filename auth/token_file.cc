#include "auth/token_file.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/bearer_token.h"
#include "base/logger.h"
#include "tls/file_util.h"

namespace apiserve::auth {
namespace {

struct CsvRecord {
  int line = 0;  // where the record starts, 1-based
  std::vector<std::string> fields;
};

// CsvReader reads records with Go's encoding/csv rules (comma ',', no comment character, LazyQuotes false,
// variable field counts). Quoted fields may span lines.
class CsvReader {
 public:
  CsvReader(absl::string_view content, absl::string_view path) : content_(content), path_(path) {}

  // Next reads the next record into `record`. Returns false at the end of input; an error on bad quoting.
  absl::StatusOr<bool> Next(CsvRecord* record) {
    absl::string_view line;
    // Blank lines are skipped (only outside quoted fields).
    do {
      if (!ReadLine(&line)) return false;
    } while (line.empty());
    record->line = line_number_;
    record->fields.clear();
    size_t pos = 0;  // within `line`
    while (true) {
      std::string field;
      if (pos < line.size() && line[pos] == '"') {
        // Quoted field: "" is a quote; may continue on the following lines.
        ++pos;
        while (true) {
          const size_t quote = line.find('"', pos);
          if (quote == absl::string_view::npos) {
            absl::StrAppend(&field, line.substr(pos), "\n");
            const int started = line_number_;
            if (!ReadLine(&line)) return Error(started, line.size() + 1, "extraneous or missing \" in quoted-field");
            pos = 0;
            continue;
          }
          absl::StrAppend(&field, line.substr(pos, quote - pos));
          pos = quote + 1;
          if (pos < line.size() && line[pos] == '"') {
            field.push_back('"');
            ++pos;
            continue;
          }
          if (pos == line.size() || line[pos] == ',') break;
          return Error(line_number_, pos + 1, "extraneous or missing \" in quoted-field");
        }
      } else {
        size_t end = line.find(',', pos);
        if (end == absl::string_view::npos) end = line.size();
        const absl::string_view raw = line.substr(pos, end - pos);
        if (const size_t bare = raw.find('"'); bare != absl::string_view::npos) {
          return Error(line_number_, pos + bare + 1, "bare \" in non-quoted-field");
        }
        field = std::string(raw);
        pos = end;
      }
      record->fields.push_back(std::move(field));
      if (pos >= line.size()) return true;
      ++pos;  // the comma
    }
  }

 private:
  // ReadLine returns the next line without its "\n" or "\r\n". False at the end of input.
  bool ReadLine(absl::string_view* line) {
    if (offset_ >= content_.size()) return false;
    size_t end = content_.find('\n', offset_);
    size_t next = end == absl::string_view::npos ? content_.size() : end + 1;
    if (end == absl::string_view::npos) end = content_.size();
    *line = content_.substr(offset_, end - offset_);
    if (end < content_.size() && absl::EndsWith(*line, "\r")) line->remove_suffix(1);
    offset_ = next;
    ++line_number_;
    return true;
  }

  absl::Status Error(int line, size_t column, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("token file \"", path_, "\": parse error on line ", line, ", column ", column, ": ", what));
  }

  absl::string_view content_;
  absl::string_view path_;
  size_t offset_ = 0;
  int line_number_ = 0;
};

}  // namespace

absl::StatusOr<TokenMap> ParseTokenFile(absl::string_view content, absl::string_view path) {
  TokenMap tokens;
  CsvReader reader(content, path);
  CsvRecord record;
  int record_number = 0;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&record);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (record.fields.size() < 3) {
      return absl::InvalidArgumentError(absl::StrCat("token file \"", path,
                                                     "\" must have at least 3 columns (token, user name, user uid), "
                                                     "found ",
                                                     record.fields.size(), " on line ", record.line));
    }
    ++record_number;
    if (record.fields[0].empty()) {
      LOG(WARNING) << "empty token has been found in token file \"" << path << "\", record number " << record_number;
      continue;
    }
    UserInfo user{record.fields[1], record.fields[2], {}};
    if (record.fields.size() >= 4) {
      for (absl::string_view group : absl::StrSplit(record.fields[3], ',', absl::SkipEmpty())) {
        user.groups.emplace_back(group);
      }
    }
    if (tokens.contains(record.fields[0])) {
      LOG(WARNING) << "duplicate token has been found in token file \"" << path << "\", record number "
                   << record_number;
    }
    tokens[record.fields[0]] = std::move(user);
  }
  return tokens;
}

absl::StatusOr<std::shared_ptr<TokenFileAuthenticator>> TokenFileAuthenticator::New(Options options) {
  std::shared_ptr<TokenFileAuthenticator> authenticator(new TokenFileAuthenticator(std::move(options)));
  if (absl::Status loaded = authenticator->Reload(); !loaded.ok()) return loaded;
  if (authenticator->options_.watch) {
    base::FileWatcher::Options watch;
    watch.files = {authenticator->options_.path};
    watch.interval = authenticator->options_.poll_interval;
    TokenFileAuthenticator* self = authenticator.get();
    absl::StatusOr<std::unique_ptr<base::FileWatcher>> watcher =
        base::FileWatcher::Start(std::move(watch), [self] { self->Reload().IgnoreError(); });
    if (!watcher.ok()) return watcher.status();
    authenticator->watcher_ = *std::move(watcher);
  }
  return authenticator;
}

TokenFileAuthenticator::~TokenFileAuthenticator() { watcher_.reset(); }

absl::Status TokenFileAuthenticator::Reload() {
  base::MutexLock reload_lock(&reload_mu_);
  bool loaded;
  {
    base::MutexLock lock(&mu_);
    loaded = tokens_ != nullptr;
  }
  // The file is read and parsed outside mu_ so that Authenticate never waits for I/O.
  absl::StatusOr<std::string> content = tls::ReadFileToString(options_.path);
  if (!content.ok()) {
    const absl::Status status(content.status().code(),
                              absl::StrCat("reading token file: ", content.status().message()));
    if (loaded) LOG(ERROR) << status.message() << "; keeping the old tokens";
    return status;
  }
  {
    base::MutexLock lock(&mu_);
    if (loaded && content_ == *content) return absl::OkStatus();
  }
  absl::StatusOr<TokenMap> parsed = ParseTokenFile(*content, options_.path);
  if (!parsed.ok()) {
    // Logged once per broken content, not at every poll.
    if (loaded && *content != rejected_content_) LOG(ERROR) << parsed.status().message() << "; keeping the old tokens";
    rejected_content_ = *std::move(content);
    return parsed.status();
  }
  rejected_content_.clear();
  auto table = std::make_shared<const TokenMap>(*std::move(parsed));
  const size_t count = table->size();
  {
    base::MutexLock lock(&mu_);
    tokens_ = std::move(table);
    content_ = *std::move(content);
  }
  if (loaded) LOG(INFO) << "Reloaded " << count << " tokens from token file \"" << options_.path << "\"";
  return absl::OkStatus();
}

size_t TokenFileAuthenticator::TokenCount() const {
  base::MutexLock lock(&mu_);
  return tokens_ == nullptr ? 0 : tokens_->size();
}

absl::StatusOr<UserPtr> TokenFileAuthenticator::Authenticate(const http::Request& request) const {
  absl::StatusOr<absl::string_view> token = BearerToken(request);
  if (!token.ok()) return token.status();
  std::shared_ptr<const TokenMap> tokens;
  {
    base::MutexLock lock(&mu_);
    tokens = tokens_;
  }
  if (tokens != nullptr) {
    auto it = tokens->find(*token);
    if (it != tokens->end()) return UserPtr(tokens, &it->second);  // shares the table: no copy
  }
  return absl::UnauthenticatedError("invalid bearer token");
}

}  // namespace apiserve::auth
