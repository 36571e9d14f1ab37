// Running the built fedsim binary (or any shell command) from tests: a scratch folder per
// test, files written into it, and each command's exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace cli_test {

// The escrow race named `name`, its ledger's mode `mode` ("" leaves the world's default, the
// correct ledger: the file then passes on every seed).
inline std::string escrow_race(const std::string& name, const std::string& mode) {
    return R"({
  "name": ")" + name + R"(", "world": "escrow", "seeds": "1..40",
  "params": {)" + (mode.empty() ? std::string() : R"("mode": ")" + mode + R"(", )") +
           R"("slow_one_in": {"min": 1, "max": 4},
             "client_timeout": {"min": "50ms", "max": "150ms"}},
  "faults": {"network": {"latency": {"min": "2ms", "max": "30ms"}}},
  "timeline": [{"name": "cut", "at": "500ms", "action": "partition", "a": ["ledger"],
                "heal_after": "20ms"}],
  "expect": {"checks": ["escrow.conservation"]}
})";
}

// The escrow race: some seeds of its check-then-act ledger fail the run (check_failed) at the
// event that pays and refunds one payment, and the ledger goes on checking after every change.
inline const std::string k_race = escrow_race("race", "check_then_act");

// An escrow scenario that passes on every seed of its range.
inline constexpr const char* k_fixed = R"({
  "name": "fixed", "world": "escrow", "seeds": "1..30",
  "params": {"payments": {"min": 1, "max": 5}}
})";

struct Result {
    int code = -1;
    std::string out;
    bool has(const std::string& s) const { return out.find(s) != std::string::npos; }
};

// Runs `cmd` in a shell: its exit code (-1 if it did not exit) and its standard output.
inline Result run_shell(const std::string& cmd) {
    Result r;
    std::FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
        r.out.append(buf, n);
    }
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class Scratch {
public:
    Scratch() {
        char templ[] = "/tmp/fedsim-cli-XXXXXX";
        dir_ = mkdtemp(templ);
    }
    ~Scratch() { std::system(("rm -rf '" + dir_ + "'").c_str()); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    const std::string& dir() const { return dir_; }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name)) << text;
    }
    std::string read(const std::string& name) const {
        std::ifstream in(path(name));
        std::stringstream buffer;
        buffer << in.rdbuf();
        return buffer.str();
    }

    // Runs `fedsim ARGS` in the scratch folder, found through PATH as an installed fedsim would
    // be (so the replay commands it prints start with "fedsim"); stdout and stderr together.
    Result fedsim(const std::string& args) const {
        std::string bin = FEDSIM_BIN;
        std::string bin_dir = bin.substr(0, bin.rfind('/'));
        return run_shell("cd '" + dir_ + "' && PATH='" + bin_dir + "':\"$PATH\" fedsim " + args +
                         " 2>&1");
    }

    // Runs a whole shell command line in the scratch folder; stdout and stderr together.
    Result shell(const std::string& line) const {
        return run_shell("cd '" + dir_ + "' && " + line + " 2>&1");
    }

private:
    std::string dir_;
};

}  // namespace cli_test
