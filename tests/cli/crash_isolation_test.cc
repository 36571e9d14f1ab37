// Crash isolation and resume: a seed that segfaults, aborts, fails an assertion, overflows an
// actor's stack or spins forever is reported with its seed and the signal or limit while the
// rest of the sweep goes on; an interrupted sweep's results survive and --resume finishes it.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "tests/cli/cli_helpers.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

// Seed 3 of 1..8 crashes the way `mode` says; every other seed passes.
std::string crashing(const std::string& mode) {
    return R"({"name": "crash-)" + mode + R"(", "world": "selftest", "seeds": "1..8",
  "params": {"crash_seed": 3, "crash_mode": ")" + mode + R"("}})";
}

// Sweeps the crashing scenario; checks seed 3 alone crashed and the 7 others were all run.
Result sweep_crashing(const Scratch& s, const std::string& mode, const std::string& extra) {
    s.write(mode + ".json", crashing(mode));
    Result r = s.fedsim("sweep " + mode + ".json --jobs 2 --progress never --json r.json " +
                        extra);
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.has("7 passed, 0 failed, 1 crashed"));
    CHECK(r.has("replay: fedsim replay " + mode + ".json --seed 3"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 8);
    CHECK(j["runs"][2]["seed"] == 3);
    CHECK(j["runs"][2]["status"] == "crash");
    return r;
}

}  // namespace

TEST_CASE("a segfaulting seed is reported with its signal", "[cli][crash]") {
    Scratch s;
    Result r = sweep_crashing(s, "segv", "");
    CHECK(r.has("FAIL seed 3: the worker process died: signal 11 (SIGSEGV)"));
}

TEST_CASE("an aborting seed is reported with SIGABRT", "[cli][crash]") {
    Scratch s;
    Result r = sweep_crashing(s, "abort", "");
    CHECK(r.has("FAIL seed 3: the worker process died: signal 6 (SIGABRT)"));
}

TEST_CASE("a failed assertion is reported with its expression", "[cli][crash]") {
    Scratch s;
    Result r = sweep_crashing(s, "assert", "");
    CHECK(r.has("FAIL seed 3: the worker process died: signal 6 (SIGABRT): fedsim: assertion "
                "failed: mode != \"assert\""));
    CHECK(r.has("selftest: crash_mode assert"));
}

TEST_CASE("a stack overflow is reported with the actor's name", "[cli][crash]") {
    Scratch s;
    Result r = sweep_crashing(s, "overflow", "");
    CHECK(r.has("FAIL seed 3: the worker process died: signal 11 (SIGSEGV): fedsim: stack "
                "overflow in actor 'deep_recursion'"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    CHECK(j["runs"][2]["reason"].get<std::string>().find("deep_recursion") != std::string::npos);
}

TEST_CASE("an actor that never yields is stopped by the wall-clock limit", "[cli][crash]") {
    Scratch s;
    auto start = std::chrono::steady_clock::now();
    Result r = sweep_crashing(s, "loop", "--wall-limit 2");
    CHECK(r.has("FAIL seed 3: the seed ran past the wall-clock limit of 2s (--wall-limit); its "
                "worker was killed"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

TEST_CASE("results are on disk seed by seed and --resume runs only the missing seeds",
          "[cli][resume]") {
    Scratch s;
    // 40 seeds, each a few thousand sleeps: long enough to interrupt part-way.
    s.write("slow.json", R"({"name": "slow", "world": "selftest", "seeds": "1..40",
      "params": {"steps": 200000, "fail_every": 10}})");
    std::string cmd = "cd '" + s.dir() + "' && exec '" FEDSIM_BIN
                      "' sweep slow.json --jobs 2 --progress never --json r.json >/dev/null 2>&1";
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Interrupt once a few seeds are journaled, as Ctrl-C or a CI timeout would.
    size_t journaled = 0;
    for (int i = 0; i < 600 && journaled < 4; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::string j = s.read("r.json.partial");
        journaled = static_cast<size_t>(std::count(j.begin(), j.end(), '\n'));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    std::string journal = s.read("r.json.partial");
    size_t kept = static_cast<size_t>(std::count(journal.begin(), journal.end(), '\n')) - 1;
    REQUIRE(kept >= 3);
    REQUIRE(kept < 40);

    // A resume of a different range or a changed scenario is refused.
    Result wrong = s.fedsim("sweep slow.json --seeds 1..30 --json r.json --resume");
    CHECK(wrong.code == 2);
    CHECK(wrong.has("was written for seeds 1..40, not 1..30"));

    Result r = s.fedsim("sweep slow.json --jobs 2 --progress never --json r.json --resume");
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.has("already done"));
    CHECK(r.has(std::to_string(40 - kept) + " to run"));
    CHECK(r.has("36 passed, 4 failed, 0 crashed"));
    nlohmann::json j = nlohmann::json::parse(s.read("r.json"));
    REQUIRE(j["runs"].size() == 40);
    for (size_t i = 0; i < 40; ++i) {
        CHECK(j["runs"][i]["seed"] == i + 1);
    }
    CHECK(s.read("r.json.partial").empty());  // removed once the results file is complete

    // Resuming a finished sweep runs nothing; a changed scenario file is refused.
    r = s.fedsim("sweep slow.json --jobs 2 --progress never --json r.json --resume");
    CHECK(r.has("40 of 40 seeds already done, 0 to run"));
    s.write("slow.json", R"({"name": "slow", "world": "selftest", "seeds": "1..40"})");
    wrong = s.fedsim("sweep slow.json --json r.json --resume");
    CHECK(wrong.code == 2);
    CHECK(wrong.has("a different scenario: other file contents or --set"));
}
