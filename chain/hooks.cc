#include "chain/hooks.h"

#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/go_duration.h"
#include "base/logger.h"
#include "base/status_macros.h"

namespace apiserve::chain {

absl::StatusOr<std::shared_ptr<healthz::PostStartHookCheck>> PostStartHooks::Add(const std::string& name,
                                                                                 PostStartHookFunc hook) {
  if (name.empty()) return absl::InvalidArgumentError("missing name");
  if (!hook) return absl::InvalidArgumentError(absl::StrCat("hook func may not be nil: \"", name, "\""));
  auto check = std::make_shared<healthz::PostStartHookCheck>(name);
  RETURN_IF_ERROR(AddEntry(name, PostStartHookEntry{std::move(hook), check}));
  return check;
}

absl::Status PostStartHooks::AddEntry(const std::string& name, const PostStartHookEntry& entry) {
  base::MutexLock lock(&mu_);
  if (called_) {
    return absl::FailedPreconditionError(
        absl::StrCat("unable to add \"", name, "\" because PostStartHooks have already been called"));
  }
  if (hooks_.count(name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("unable to add \"", name, "\" because it was already registered"));
  }
  hooks_.emplace(name, entry);
  return absl::OkStatus();
}

void PostStartHooks::Run(const PostStartHookContext& context, std::function<void(const std::string&)> on_failure) {
  std::map<std::string, PostStartHookEntry> hooks;
  {
    base::MutexLock lock(&mu_);
    called_ = true;
    hooks = hooks_;
  }
  if (!on_failure) {
    on_failure = [](const std::string& message) { LOG(FATAL) << message; };
  }
  std::vector<std::thread> started;
  started.reserve(hooks.size());
  for (auto& [name, entry] : hooks) {
    started.emplace_back([name = name, entry = entry, context, on_failure] {
      absl::Status status = entry.hook(context);
      if (status.ok()) {
        entry.check->MarkDone();
      } else {
        on_failure(absl::StrCat("PostStartHook \"", name, "\" failed: ", status.message()));
      }
    });
  }
  base::MutexLock lock(&mu_);
  for (std::thread& thread : started) threads_.push_back(std::move(thread));
}

void PostStartHooks::Wait() {
  std::vector<std::thread> threads;
  {
    base::MutexLock lock(&mu_);
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

std::map<std::string, PostStartHookEntry> PostStartHooks::Entries() const {
  base::MutexLock lock(&mu_);
  return hooks_;
}

absl::Status PreShutdownHooks::Add(const std::string& name, PreShutdownHookFunc hook) {
  if (name.empty()) return absl::InvalidArgumentError("missing name");
  if (!hook) return absl::OkStatus();
  base::MutexLock lock(&mu_);
  if (called_) {
    return absl::FailedPreconditionError(
        absl::StrCat("unable to add \"", name, "\" because PreShutdownHooks have already been called"));
  }
  if (hooks_.count(name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("unable to add \"", name, "\" because it is already registered"));
  }
  hooks_.emplace(name, std::move(hook));
  return absl::OkStatus();
}

absl::Status PreShutdownHooks::Run(absl::Duration timeout) {
  std::map<std::string, PreShutdownHookFunc> hooks;
  {
    base::MutexLock lock(&mu_);
    called_ = true;
    hooks = hooks_;
  }
  std::vector<std::string> errors;
  for (auto& [name, hook] : hooks) {
    // The hook runs on its own thread so a hung hook cannot hold shutdown past `timeout`.
    auto done = std::make_shared<lifecycle::Signal>("hook done");
    auto result = std::make_shared<absl::Status>();
    std::thread([hook = hook, done, result] {
      *result = hook();
      done->Fire();
    }).detach();
    if (!done->WaitFor(timeout)) {
      errors.push_back(
          absl::StrCat("PreShutdownHook \"", name, "\" failed: timed out after ", base::FormatGoDuration(timeout)));
      continue;
    }
    if (!result->ok()) errors.push_back(absl::StrCat("PreShutdownHook \"", name, "\" failed: ", result->message()));
  }
  if (errors.empty()) return absl::OkStatus();
  if (errors.size() == 1) return absl::InternalError(errors[0]);
  return absl::InternalError(absl::StrCat("[", absl::StrJoin(errors, ", "), "]"));
}

std::map<std::string, PreShutdownHookFunc> PreShutdownHooks::Entries() const {
  base::MutexLock lock(&mu_);
  return hooks_;
}

}  // namespace apiserve::chain
