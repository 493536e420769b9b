#ifndef APISERVE_FLAGS_FLAG_SET_H_
#define APISERVE_FLAGS_FLAG_SET_H_

// FlagSet: a command-line parser with the syntax, errors and help text of Go's spf13/pflag as kube uses it.
// Abseil's flags cannot be used (dashed names, exit on error, repeated flags; see BUILD-NOTES.md).
//
//   FlagSet fs("apiserve");
//   int port = 0;
//   fs.IntVar(&port, "secure-port", 6443, "The port on which to serve HTTPS.");
//   absl::Status status = fs.Parse(argc, argv);   // never exits, never prints
//   if (IsHelpRequested(status)) { std::cout << fs.Usage(); return 0; }
//
// Syntax, as pflag: `--name=value`, `--name value`; a bool alone (`--name`) is true, and takes a value only with `=`
// (`--name=false`; `--name false` leaves "false" as an argument). One-letter names also answer to one dash: `-v=3`,
// `-v 3`, `-v3`, and one-letter bools combine (`-ab`). `--` ends the flags; every other argument (including a lone
// `-`) is collected in Args(). A flag may be given many times: scalars keep the last value; string slices and
// string arrays append, except that the first use replaces the default.
//
// Errors (InvalidArgument, pflag's text): `unknown flag: --foo`, `unknown shorthand flag: 'x' in -x`,
// `flag needs an argument: --secure-port`, `bad flag syntax: ---x`, and for a bad value
// `invalid argument "abc" for "--secure-port" flag: strconv.ParseInt: parsing "abc": invalid syntax`
// (`"-v, --v"` for one-letter flags). `--help` or `-h`, when no such flag is registered, stops parsing with a
// Cancelled status `pflag: help requested` (see IsHelpRequested). Parsing stops at the first error; values set
// before it stay set.
//
// Registration binds a flag to a caller variable, which is set to the default at once; the variable is borrowed and
// must outlive the FlagSet. Registering a name twice, an empty name, or a name starting with '-' is a programming
// error and aborts. Not thread-safe: register and parse on one thread, then read the variables.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace apiserve::flags {
namespace internal {
class FlagValue;  // One typed value; defined in flag_set.cc.
}  // namespace internal

class FlagSet {
 public:
  // `name` names the command (used in nothing but name()).
  explicit FlagSet(std::string name);
  ~FlagSet();
  FlagSet(const FlagSet&) = delete;
  FlagSet& operator=(const FlagSet&) = delete;

  // Typed registration, as pflag's XxxVar(p, name, value, usage). Usage text may name the value in backquotes
  // (`The `file` to read`), which Usage() then shows instead of the type name.
  void BoolVar(bool* target, absl::string_view name, bool default_value, absl::string_view usage);
  // IntVar parses with strconv.ParseInt(s, 0, 32) semantics (Go's int is 64-bit: values beyond int32 are
  // "value out of range" here). Type name "int".
  void IntVar(int* target, absl::string_view name, int default_value, absl::string_view usage);
  void Int64Var(int64_t* target, absl::string_view name, int64_t default_value, absl::string_view usage);
  // Float64Var parses with strconv.ParseFloat; shown as type "float", default as Go's %v.
  void Float64Var(double* target, absl::string_view name, double default_value, absl::string_view usage);
  void StringVar(std::string* target, absl::string_view name, absl::string_view default_value, absl::string_view usage);
  // IPVar keeps the text of an IPv4 or IPv6 address (surrounding spaces trimmed, as net.ParseIP is given). A bad
  // address is `invalid argument "x" for "--bind-address" flag: failed to parse IP: "x"`. Type name "ip".
  void IPVar(std::string* target, absl::string_view name, absl::string_view default_value, absl::string_view usage);
  // DurationVar parses and prints Go durations ("1m0s"; see go_duration.h).
  void DurationVar(absl::Duration* target, absl::string_view name, absl::Duration default_value,
                   absl::string_view usage);
  // StringSliceVar: each use is a comma-separated (CSV) list that is appended; type name "strings".
  void StringSliceVar(std::vector<std::string>* target, absl::string_view name, std::vector<std::string> default_value,
                      absl::string_view usage);
  // StringArrayVar: each use appends its value verbatim, commas included; type name "stringArray".
  void StringArrayVar(std::vector<std::string>* target, absl::string_view name, std::vector<std::string> default_value,
                      absl::string_view usage);

  // Parse parses argv[1..argc) (argv[0] is the program name). May be called again; values accumulate.
  absl::Status Parse(int argc, const char* const* argv);
  // ParseArgs parses `args`, which holds no program name.
  absl::Status ParseArgs(const std::vector<std::string>& args);

  // Set sets flag `name` from text, as one command-line use of it would, and marks it changed. NotFound
  // `no such flag -<name>` for an unknown name; InvalidArgument as Parse for a bad value.
  absl::Status Set(absl::string_view name, absl::string_view value);

  // Changed reports whether flag `name` was set by Parse or Set (false for unknown names).
  bool Changed(absl::string_view name) const;
  // HasFlag reports whether `name` is registered.
  bool HasFlag(absl::string_view name) const;
  // ValueString returns the current value as pflag's Value.String() prints it ("1m0s", "[a,b]", "true").
  // NotFound for an unknown name.
  absl::StatusOr<std::string> ValueString(absl::string_view name) const;
  // Names returns every registered name, sorted.
  std::vector<std::string> Names() const;

  // Args returns the non-flag arguments, in order, including those after `--`.
  const std::vector<std::string>& Args() const { return args_; }
  // ArgsLenAtDash returns how many of Args() came before `--`, or -1 when there was no `--`.
  int ArgsLenAtDash() const { return args_len_at_dash_; }

  // Usage returns cobra's "Flags:" block: one line per flag sorted by name, e.g.
  // `      --secure-port int    The port ... (default 6443)`, `  -v, --v int   ...`, usage aligned in one column;
  // defaults are shown unless zero/empty (strings quoted: `(default "0.0.0.0")`).
  std::string Usage() const;

  const std::string& name() const { return name_; }

 private:
  struct Flag;

  void Register(absl::string_view name, absl::string_view usage, std::unique_ptr<internal::FlagValue> value);
  Flag* Find(absl::string_view name) const;
  Flag* FindShorthand(char c) const;
  // Sets `flag` from text; wraps a value error in pflag's "invalid argument" message.
  absl::Status SetFlag(Flag& flag, absl::string_view value);
  // Parse one `--...` argument or one `-...` group (`arg`); may consume `*next` as the value and advance it.
  absl::Status ParseLong(const std::string& arg, std::vector<std::string>::const_iterator* next,
                         std::vector<std::string>::const_iterator end);
  absl::Status ParseShort(const std::string& arg, std::vector<std::string>::const_iterator* next,
                          std::vector<std::string>::const_iterator end);

  std::string name_;
  std::map<std::string, std::unique_ptr<Flag>, std::less<>> flags_;
  std::vector<std::string> args_;
  int args_len_at_dash_ = -1;
};

// IsHelpRequested reports whether `status` is Parse's answer to `--help` / `-h`.
bool IsHelpRequested(const absl::Status& status);

}  // namespace apiserve::flags

#endif  // APISERVE_FLAGS_FLAG_SET_H_
