#include "flags/flag_set.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/go_duration.h"
#include "flags/go_strconv.h"

namespace apiserve::flags {

using ::apiserve::base::FormatGoDuration;
using ::apiserve::base::ParseGoDuration;
namespace internal {

// A flag's typed value, as pflag's Value interface. Set returns the bare reason on failure (e.g.
// `strconv.ParseInt: parsing "x": invalid syntax`); FlagSet wraps it.
class FlagValue {
 public:
  virtual ~FlagValue() = default;
  virtual absl::Status Set(absl::string_view text) = 0;
  virtual std::string String() const = 0;
  // The type name shown in Usage(); empty for bools.
  virtual absl::string_view TypeName() const = 0;
  // Whether Usage() omits `(default <default_text>)`, as pflag's defaultIsZeroValue.
  virtual bool IsZeroDefault(const std::string& default_text) const = 0;
  virtual bool IsBool() const { return false; }
  virtual bool QuoteDefault() const { return false; }
};

}  // namespace internal

namespace {

using internal::FlagValue;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "apiserve::flags: %s\n", message.c_str());
  std::abort();
}

class BoolValue : public FlagValue {
 public:
  explicit BoolValue(bool* target) : target_(target) {}
  absl::Status Set(absl::string_view text) override {
    absl::StatusOr<bool> v = ParseGoBool(text);
    if (!v.ok()) return v.status();
    *target_ = *v;
    return absl::OkStatus();
  }
  std::string String() const override { return *target_ ? "true" : "false"; }
  absl::string_view TypeName() const override { return ""; }
  bool IsZeroDefault(const std::string& d) const override { return d == "false"; }
  bool IsBool() const override { return true; }

 private:
  bool* target_;
};

template <typename T>
class IntegerValue : public FlagValue {
 public:
  IntegerValue(T* target, absl::string_view type_name) : target_(target), type_name_(type_name) {}
  absl::Status Set(absl::string_view text) override {
    absl::StatusOr<int64_t> v = ParseGoInt(text, static_cast<int>(sizeof(T) * 8));
    if (!v.ok()) return v.status();
    *target_ = static_cast<T>(*v);
    return absl::OkStatus();
  }
  std::string String() const override { return absl::StrCat(*target_); }
  absl::string_view TypeName() const override { return type_name_; }
  bool IsZeroDefault(const std::string& d) const override { return d == "0"; }

 private:
  T* target_;
  absl::string_view type_name_;
};

class Float64Value : public FlagValue {
 public:
  explicit Float64Value(double* target) : target_(target) {}
  absl::Status Set(absl::string_view text) override {
    absl::StatusOr<double> v = ParseGoFloat(text);
    if (!v.ok()) return v.status();
    *target_ = *v;
    return absl::OkStatus();
  }
  std::string String() const override { return FormatGoFloat(*target_); }
  absl::string_view TypeName() const override { return "float"; }
  bool IsZeroDefault(const std::string& d) const override { return d == "0"; }

 private:
  double* target_;
};

class StringValue : public FlagValue {
 public:
  explicit StringValue(std::string* target) : target_(target) {}
  absl::Status Set(absl::string_view text) override {
    *target_ = std::string(text);
    return absl::OkStatus();
  }
  std::string String() const override { return *target_; }
  absl::string_view TypeName() const override { return "string"; }
  bool IsZeroDefault(const std::string& d) const override { return d.empty(); }
  bool QuoteDefault() const override { return true; }

 private:
  std::string* target_;
};

class IPValue : public FlagValue {
 public:
  explicit IPValue(std::string* target) : target_(target) {}
  absl::Status Set(absl::string_view text) override {
    const std::string trimmed(absl::StripAsciiWhitespace(text));
    unsigned char buf[16];
    if (inet_pton(AF_INET, trimmed.c_str(), buf) != 1 && inet_pton(AF_INET6, trimmed.c_str(), buf) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("failed to parse IP: ", GoQuote(text)));
    }
    *target_ = trimmed;
    return absl::OkStatus();
  }
  std::string String() const override { return target_->empty() ? "<nil>" : *target_; }
  absl::string_view TypeName() const override { return "ip"; }
  bool IsZeroDefault(const std::string& d) const override { return d == "<nil>"; }

 private:
  std::string* target_;
};

class DurationValue : public FlagValue {
 public:
  explicit DurationValue(absl::Duration* target) : target_(target) {}
  absl::Status Set(absl::string_view text) override {
    absl::StatusOr<absl::Duration> v = ParseGoDuration(text);
    if (!v.ok()) return v.status();
    *target_ = *v;
    return absl::OkStatus();
  }
  std::string String() const override { return FormatGoDuration(*target_); }
  absl::string_view TypeName() const override { return "duration"; }
  bool IsZeroDefault(const std::string& d) const override { return d == "0s" || d == "0"; }

 private:
  absl::Duration* target_;
};

// String slices and arrays: the first Set replaces the default, later ones append.
class ListValue : public FlagValue {
 public:
  ListValue(std::vector<std::string>* target, bool split_csv) : target_(target), split_csv_(split_csv) {}
  absl::Status Set(absl::string_view text) override {
    std::vector<std::string> values;
    if (split_csv_) {
      absl::StatusOr<std::vector<std::string>> fields = ReadCsvRecord(text);
      if (!fields.ok()) return fields.status();
      values = *std::move(fields);
    } else {
      values.emplace_back(text);
    }
    if (!changed_) target_->clear();
    changed_ = true;
    target_->insert(target_->end(), values.begin(), values.end());
    return absl::OkStatus();
  }
  std::string String() const override { return absl::StrCat("[", WriteCsvRecord(*target_), "]"); }
  absl::string_view TypeName() const override { return split_csv_ ? "strings" : "stringArray"; }
  bool IsZeroDefault(const std::string& d) const override { return d == "[]"; }

 private:
  std::vector<std::string>* target_;
  bool split_csv_;
  bool changed_ = false;
};

}  // namespace

struct FlagSet::Flag {
  std::string name;
  std::string usage;
  std::unique_ptr<FlagValue> value;
  std::string default_text;  // value->String() at registration, as pflag's DefValue
  bool changed = false;

  bool has_shorthand() const { return name.size() == 1; }
  // How errors name the flag: "--name", or "-v, --v" for a one-letter flag.
  std::string DisplayName() const { return has_shorthand() ? absl::StrCat("-", name, ", --", name) : "--" + name; }
};

FlagSet::FlagSet(std::string name) : name_(std::move(name)) {}

FlagSet::~FlagSet() = default;

void FlagSet::Register(absl::string_view name, absl::string_view usage, std::unique_ptr<FlagValue> value) {
  if (name.empty() || name[0] == '-' || name.find('=') != absl::string_view::npos) {
    Die(absl::StrCat("invalid flag name \"", name, "\""));
  }
  if (flags_.count(name) > 0) Die(absl::StrCat(name_, " flag redefined: ", name));
  auto flag = std::make_unique<Flag>();
  flag->name = std::string(name);
  flag->usage = std::string(usage);
  flag->default_text = value->String();
  flag->value = std::move(value);
  flags_.emplace(flag->name, std::move(flag));
}

void FlagSet::BoolVar(bool* target, absl::string_view name, bool default_value, absl::string_view usage) {
  *target = default_value;
  Register(name, usage, std::make_unique<BoolValue>(target));
}

void FlagSet::IntVar(int* target, absl::string_view name, int default_value, absl::string_view usage) {
  *target = default_value;
  Register(name, usage, std::make_unique<IntegerValue<int>>(target, "int"));
}

void FlagSet::Int64Var(int64_t* target, absl::string_view name, int64_t default_value, absl::string_view usage) {
  *target = default_value;
  Register(name, usage, std::make_unique<IntegerValue<int64_t>>(target, "int"));
}

void FlagSet::Float64Var(double* target, absl::string_view name, double default_value, absl::string_view usage) {
  *target = default_value;
  Register(name, usage, std::make_unique<Float64Value>(target));
}

void FlagSet::StringVar(std::string* target, absl::string_view name, absl::string_view default_value,
                        absl::string_view usage) {
  *target = std::string(default_value);
  Register(name, usage, std::make_unique<StringValue>(target));
}

void FlagSet::IPVar(std::string* target, absl::string_view name, absl::string_view default_value,
                    absl::string_view usage) {
  *target = std::string(default_value);
  Register(name, usage, std::make_unique<IPValue>(target));
}

void FlagSet::DurationVar(absl::Duration* target, absl::string_view name, absl::Duration default_value,
                          absl::string_view usage) {
  *target = default_value;
  Register(name, usage, std::make_unique<DurationValue>(target));
}

void FlagSet::StringSliceVar(std::vector<std::string>* target, absl::string_view name,
                             std::vector<std::string> default_value, absl::string_view usage) {
  *target = std::move(default_value);
  Register(name, usage, std::make_unique<ListValue>(target, /*split_csv=*/true));
}

void FlagSet::StringArrayVar(std::vector<std::string>* target, absl::string_view name,
                             std::vector<std::string> default_value, absl::string_view usage) {
  *target = std::move(default_value);
  Register(name, usage, std::make_unique<ListValue>(target, /*split_csv=*/false));
}

FlagSet::Flag* FlagSet::Find(absl::string_view name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? nullptr : it->second.get();
}

FlagSet::Flag* FlagSet::FindShorthand(char c) const { return Find(absl::string_view(&c, 1)); }

absl::Status FlagSet::SetFlag(Flag& flag, absl::string_view value) {
  absl::Status status = flag.value->Set(value);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid argument ", GoQuote(value), " for ",
                                                   GoQuote(flag.DisplayName()), " flag: ", status.message()));
  }
  flag.changed = true;
  return absl::OkStatus();
}

absl::Status FlagSet::Set(absl::string_view name, absl::string_view value) {
  Flag* flag = Find(name);
  if (flag == nullptr) return absl::NotFoundError(absl::StrCat("no such flag -", name));
  return SetFlag(*flag, value);
}

absl::Status FlagSet::Parse(int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return ParseArgs(args);
}

absl::Status FlagSet::ParseArgs(const std::vector<std::string>& args) {
  auto next = args.begin();
  while (next != args.end()) {
    const std::string& arg = *next++;
    if (arg.size() < 2 || arg[0] != '-') {
      args_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      args_len_at_dash_ = static_cast<int>(args_.size());
      args_.insert(args_.end(), next, args.end());
      return absl::OkStatus();
    }
    absl::Status status = arg[1] == '-' ? ParseLong(arg, &next, args.end()) : ParseShort(arg, &next, args.end());
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status FlagSet::ParseLong(const std::string& arg, std::vector<std::string>::const_iterator* next,
                                std::vector<std::string>::const_iterator end) {
  absl::string_view body = absl::string_view(arg).substr(2);
  if (body.empty() || body[0] == '-' || body[0] == '=') {
    return absl::InvalidArgumentError(absl::StrCat("bad flag syntax: ", arg));
  }
  const size_t eq = body.find('=');
  const absl::string_view name = body.substr(0, eq);
  Flag* flag = Find(name);
  if (flag == nullptr) {
    if (name == "help") return absl::CancelledError("pflag: help requested");
    return absl::InvalidArgumentError(absl::StrCat("unknown flag: --", name));
  }
  if (eq != absl::string_view::npos) return SetFlag(*flag, body.substr(eq + 1));  // --flag=value
  if (flag->value->IsBool()) return SetFlag(*flag, "true");                       // --flag
  if (*next == end) return absl::InvalidArgumentError(absl::StrCat("flag needs an argument: ", arg));
  return SetFlag(*flag, *(*next)++);  // --flag value
}

absl::Status FlagSet::ParseShort(const std::string& arg, std::vector<std::string>::const_iterator* next,
                                 std::vector<std::string>::const_iterator end) {
  // A group of one-letter flags: "-v3", "-v=3", "-v 3", "-ab".
  absl::string_view shorthands = absl::string_view(arg).substr(1);
  while (!shorthands.empty()) {
    const char c = shorthands[0];
    Flag* flag = FindShorthand(c);
    if (flag == nullptr) {
      if (c == 'h') return absl::CancelledError("pflag: help requested");
      return absl::InvalidArgumentError(
          absl::StrCat("unknown shorthand flag: '", absl::string_view(&c, 1), "' in -", shorthands));
    }
    absl::string_view value;
    if (shorthands.size() > 2 && shorthands[1] == '=') {
      value = shorthands.substr(2);  // -v=3
      shorthands = {};
    } else if (flag->value->IsBool()) {
      value = "true";  // -b
      shorthands.remove_prefix(1);
    } else if (shorthands.size() > 1) {
      value = shorthands.substr(1);  // -v3
      shorthands = {};
    } else if (*next != end) {
      value = *(*next)++;  // -v 3
      shorthands = {};
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("flag needs an argument: '", absl::string_view(&c, 1), "' in -", shorthands));
    }
    absl::Status status = SetFlag(*flag, value);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

bool FlagSet::Changed(absl::string_view name) const {
  const Flag* flag = Find(name);
  return flag != nullptr && flag->changed;
}

bool FlagSet::HasFlag(absl::string_view name) const { return Find(name) != nullptr; }

absl::StatusOr<std::string> FlagSet::ValueString(absl::string_view name) const {
  const Flag* flag = Find(name);
  if (flag == nullptr) return absl::NotFoundError(absl::StrCat("no such flag -", name));
  return flag->value->String();
}

std::vector<std::string> FlagSet::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, flag] : flags_) names.push_back(name);
  return names;
}

std::string FlagSet::Usage() const {
  // First the "  -v, --v int" / "      --name type" column, then the usage text aligned three spaces after the
  // longest one, as pflag's FlagUsages.
  std::vector<std::pair<std::string, std::string>> lines;
  size_t width = 0;
  for (const auto& [name, flag] : flags_) {  // std::map: sorted by name
    std::string left = flag->has_shorthand() ? absl::StrCat("  -", name, ", --", name) : absl::StrCat("      --", name);
    std::string usage = flag->usage;
    std::string type_name(flag->value->TypeName());
    // A `name` in backquotes names the value and loses its quotes.
    const size_t open = usage.find('`');
    const size_t close = open == std::string::npos ? std::string::npos : usage.find('`', open + 1);
    if (close != std::string::npos) {
      type_name = usage.substr(open + 1, close - open - 1);
      usage = absl::StrCat(usage.substr(0, open), type_name, usage.substr(close + 1));
    }
    if (!type_name.empty()) absl::StrAppend(&left, " ", type_name);
    if (!flag->value->IsZeroDefault(flag->default_text)) {
      absl::StrAppend(&usage, " (default ",
                      flag->value->QuoteDefault() ? GoQuote(flag->default_text) : flag->default_text, ")");
    }
    width = std::max(width, left.size());
    lines.emplace_back(std::move(left), std::move(usage));
  }
  std::string out;
  for (const auto& [left, usage] : lines) {
    absl::StrAppend(&out, left, std::string(width - left.size() + 3, ' '), usage, "\n");
  }
  return out;
}

bool IsHelpRequested(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled && status.message() == "pflag: help requested";
}

}  // namespace apiserve::flags
