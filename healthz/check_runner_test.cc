#include "healthz/check_runner.h"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "base/fake_executor.h"
#include "base/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "healthz/fake_router.h"
#include "healthz/handlers.h"
#include "healthz/health_checker.h"
#include "healthz/ping_check.h"
#include "http/testing.h"
#include "lifecycle/signal.h"

namespace apiserve::healthz {
namespace {

using ::testing::ElementsAre;

// ThreadExecutor is a real multi-threaded Executor for race tests: one loop thread runs posted tasks and timers;
// every RunBlocking job gets its own worker thread (joined at destruction).
class ThreadExecutor : public base::Executor {
 public:
  ThreadExecutor() : loop_thread_([this] { Loop(); }) {}
  ~ThreadExecutor() override {
    std::vector<std::thread> workers;
    {
      base::MutexLock lock(&workers_mu_);
      workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
    {
      base::MutexLock lock(&mu_);
      stopping_ = true;
      wake_.SignalAll();
    }
    loop_thread_.join();
  }

  void Post(Task task) override {
    base::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
    wake_.SignalAll();
  }
  base::CancelHandle RunAfter(absl::Duration delay, Task task) override {
    auto cancelled = std::make_shared<base::CancelState>();
    base::MutexLock lock(&mu_);
    timers_.emplace(std::make_pair(Now() + delay, next_seq_++), std::make_pair(std::move(task), cancelled));
    wake_.SignalAll();
    return base::CancelHandle(cancelled);
  }
  void RunBlocking(Task work, Task done) override {
    base::MutexLock lock(&workers_mu_);
    workers_.emplace_back([this, work = std::move(work), done = std::move(done)]() mutable {
      work();
      Post(std::move(done));
    });
  }
  absl::Time Now() const override { return absl::Now(); }
  bool IsExecutorThread() const override { return std::this_thread::get_id() == loop_id_.load(); }

 private:
  void Loop() {
    loop_id_.store(std::this_thread::get_id());
    base::MutexLock lock(&mu_);
    for (;;) {
      if (!tasks_.empty()) {
        Task task = std::move(tasks_.front());
        tasks_.pop_front();
        mu_.Unlock();
        task();
        task = nullptr;
        mu_.Lock();
        continue;
      }
      if (!timers_.empty() && timers_.begin()->first.first <= Now()) {
        auto timer = std::move(timers_.begin()->second);
        timers_.erase(timers_.begin());
        mu_.Unlock();
        if (!timer.second->cancelled.load()) timer.first();
        timer.first = nullptr;
        mu_.Lock();
        continue;
      }
      if (stopping_) break;
      if (timers_.empty()) {
        wake_.Wait(&mu_);
      } else {
        wake_.WaitWithTimeout(&mu_, timers_.begin()->first.first - Now());
      }
    }
  }

  base::Mutex mu_;
  base::CondVar wake_;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<absl::Time, uint64_t>, std::pair<Task, std::shared_ptr<base::CancelState>>> timers_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  base::Mutex workers_mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(workers_mu_);
  std::atomic<std::thread::id> loop_id_{};
  std::thread loop_thread_;  // last: starts after everything above is built
};

// Results collects callback results from any thread.
struct Results {
  void Add(absl::Status status) {
    base::MutexLock lock(&mu);
    statuses.push_back(std::move(status));
    changed.SignalAll();
  }
  // WaitFor waits until `n` results arrived (or 10s passed) and returns them.
  std::vector<absl::Status> WaitFor(size_t n) {
    base::MutexLock lock(&mu);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (statuses.size() < n && absl::Now() < deadline) changed.WaitWithTimeout(&mu, absl::Milliseconds(10));
    return statuses;
  }
  base::Mutex mu;
  base::CondVar changed;
  std::vector<absl::Status> statuses ABSL_GUARDED_BY(mu);
};

TEST(CheckRunnerTest, NonBlockingRunsInline) {
  base::FakeExecutor loop;
  auto runner = std::make_shared<CheckRunner>(PingCheck());
  bool called = false;
  runner->Run(http::NewRequest("GET", "/healthz/ping", &loop), [&called](absl::Status status) {
    EXPECT_TRUE(status.ok());
    called = true;
  });
  EXPECT_TRUE(called);
  EXPECT_EQ(runner->RunsStarted(), 0u);
}

TEST(CheckRunnerTest, BlockingWithoutExecutorRunsInline) {
  auto runner = std::make_shared<CheckRunner>(
      NamedBlockingCheck("slow", absl::Seconds(1), [](const http::Request&) { return absl::InternalError("x"); }));
  absl::Status got;
  runner->Run(http::NewRequest("GET", "/healthz/slow"), [&got](absl::Status status) { got = std::move(status); });
  EXPECT_EQ(got, absl::InternalError("x"));
}

TEST(CheckRunnerTest, SharesOneRunAndStartsANewOneAfterwards) {
  base::FakeExecutor loop;
  std::atomic<int> runs{0};
  auto runner = std::make_shared<CheckRunner>(NamedBlockingCheck("slow", absl::Seconds(1), [&runs](const auto&) {
    ++runs;
    return absl::OkStatus();
  }));
  loop.HoldBlockingWork(true);
  int answered = 0;
  for (int i = 0; i < 3; ++i) {
    runner->Run(http::NewRequest("GET", "/x", &loop), [&answered](absl::Status status) {
      EXPECT_TRUE(status.ok());
      ++answered;
    });
  }
  loop.RunHeldBlockingWork();
  EXPECT_EQ(answered, 3);
  EXPECT_EQ(runs, 1);
  runner->Run(http::NewRequest("GET", "/x", &loop), [&answered](absl::Status) { ++answered; });
  loop.RunHeldBlockingWork();
  EXPECT_EQ(answered, 4);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(runner->RunsStarted(), 2u);
}

// DroppingExecutor runs blocking work inline and destroys its completion without running it, like a stopped loop.
class DroppingExecutor : public base::FakeExecutor {
 public:
  void RunBlocking(Task work, Task done) override {
    work();
    done = nullptr;
  }
};

TEST(CheckRunnerTest, AbandonedRunEndsAndTheNextProbeStartsAnother) {
  DroppingExecutor loop;
  auto runner = std::make_shared<CheckRunner>(
      NamedBlockingCheck("slow", absl::Seconds(1), [](const http::Request&) { return absl::OkStatus(); }));
  std::vector<absl::Status> got;
  runner->Run(http::NewRequest("GET", "/x", &loop), [&got](absl::Status status) { got.push_back(status); });
  EXPECT_THAT(got, ElementsAre(absl::UnavailableError("health check run was abandoned")));
  runner->Run(http::NewRequest("GET", "/x", &loop), [&got](absl::Status status) { got.push_back(status); });
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(runner->RunsStarted(), 2u);
  loop.AdvanceTime(absl::Seconds(2));  // the cancelled timers do nothing
  EXPECT_EQ(got.size(), 2u);
}

// With real threads (TSan): probes from many threads join one run held open by a gate.
TEST(CheckRunnerThreadTest, ConcurrentProbesFromManyThreadsShareOneRun) {
  lifecycle::Signal gate("gate");
  std::atomic<int> runs{0};
  Results results;
  {
    ThreadExecutor executor;
    auto runner = std::make_shared<CheckRunner>(
        NamedBlockingCheck("etcd", absl::Seconds(30), [&gate, &runs](const http::Request&) {
          ++runs;
          gate.Wait();
          return absl::UnavailableError("etcd down");
        }));
    std::vector<std::thread> probes;
    for (int i = 0; i < 8; ++i) {
      probes.emplace_back([&runner, &executor, &results] {
        runner->Run(http::NewRequest("GET", "/readyz/etcd", &executor),
                    [&results](absl::Status status) { results.Add(std::move(status)); });
      });
    }
    for (auto& probe : probes) probe.join();
    EXPECT_EQ(runner->RunsStarted(), 1u);
    gate.Fire();
    const auto statuses = results.WaitFor(8);
    ASSERT_EQ(statuses.size(), 8u);
    for (const auto& status : statuses) EXPECT_EQ(status, absl::UnavailableError("etcd down"));
  }
  EXPECT_EQ(runs, 1);
}

TEST(CheckRunnerThreadTest, TimeoutWhileTheWorkIsStuck) {
  lifecycle::Signal gate("gate");
  Results results;
  ThreadExecutor executor;
  auto runner = std::make_shared<CheckRunner>(NamedBlockingCheck("stuck", absl::Milliseconds(50), [&gate](const auto&) {
    gate.Wait();
    return absl::OkStatus();
  }));
  for (int i = 0; i < 3; ++i) {
    runner->Run(http::NewRequest("GET", "/readyz/stuck", &executor),
                [&results](absl::Status status) { results.Add(std::move(status)); });
  }
  const auto statuses = results.WaitFor(3);
  ASSERT_EQ(statuses.size(), 3u);
  for (const auto& status : statuses) {
    EXPECT_EQ(status, absl::DeadlineExceededError("timed out after 50ms"));
  }
  gate.Fire();  // lets the worker finish before the executor joins it
}

// LockedSink records a whole response; safe to read from the test thread after `done`.
class LockedSink : public http::ResponseSink {
 public:
  void SendResponse(http::ResponsePtr response, absl::Span<const http::HeaderField>) override {
    base::MutexLock lock(&mu_);
    status_ = response->status;
    body_ = response->body;
    done_ = true;
    changed_.SignalAll();
  }
  void SendHead(int, http::HeaderMap, bool) override {}
  void SendBody(std::string, bool) override {}
  void SendTrailers(http::HeaderMap) override {}
  void Abort() override {}

  std::pair<int, std::string> Wait() {
    base::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!done_ && absl::Now() < deadline) changed_.WaitWithTimeout(&mu_, absl::Milliseconds(10));
    return {status_, body_};
  }

 private:
  base::Mutex mu_;
  base::CondVar changed_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int status_ ABSL_GUARDED_BY(mu_) = 0;
  std::string body_ ABSL_GUARDED_BY(mu_);
};

// The root handler on a real loop: concurrent probes, one blocking run, answers sent from the loop thread.
TEST(CheckRunnerThreadTest, RootHandlerAnswersConcurrentProbesAfterTheSharedRun) {
  lifecycle::Signal gate("gate");
  std::atomic<int> runs{0};
  CheckMetrics metrics;
  FakeRouter router;
  auto slow = NamedBlockingCheck("slow", absl::Seconds(30), [&gate, &runs](const http::Request&) {
    ++runs;
    gate.Wait();
    return absl::OkStatus();
  });
  HandlerOptions options;
  options.metrics = &metrics;
  std::atomic<int> healthy_calls{0};
  options.first_time_healthy = [&healthy_calls] { ++healthy_calls; };
  ASSERT_TRUE(InstallPathHandlerWithHealthyFunc(&router, "/readyz", {PingCheck(), slow}, options).ok());
  constexpr int kProbes = 6;
  std::vector<LockedSink> sinks(kProbes);
  {
    ThreadExecutor loop;
    std::vector<std::shared_ptr<http::Exchange>> exchanges;
    for (int i = 0; i < kProbes; ++i) {
      exchanges.push_back(http::NewExchange(&loop, &sinks[i]));
      const std::string target = i % 2 == 0 ? "/readyz" : "/readyz?verbose";
      loop.Post([&router, &loop, target, exchange = exchanges.back()] {
        router.Lookup("/readyz")->Serve(http::NewRequest("GET", target, &loop), http::ResponseWriter(exchange));
      });
    }
    // The loop runs tasks in order: once this marker ran, every probe has joined the (gated) run.
    lifecycle::Signal all_served("all-served");
    loop.Post([&all_served] { all_served.Fire(); });
    all_served.Wait();
    gate.Fire();
    for (int i = 0; i < kProbes; ++i) {
      const auto [status, body] = sinks[i].Wait();
      EXPECT_EQ(status, 200) << i;
      EXPECT_EQ(body, i % 2 == 0 ? "ok" : "[+]ping ok\n[+]slow ok\nreadyz check passed\n") << i;
    }
    loop.Post([exchanges] {
      for (const auto& exchange : exchanges) exchange->DetachSink();
    });
  }
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(healthy_calls, 1);
  EXPECT_THAT(metrics.Snapshot(),
              ElementsAre(CheckSample{"ping", "readyz", 1, kProbes, 0}, CheckSample{"slow", "readyz", 1, kProbes, 0}));
}

}  // namespace
}  // namespace apiserve::healthz
