// Runs a body in a forked child and collects its exit status and stderr: for tests of failures
// that end the process (a stack overflow, a failed assertion).
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace sim_test {

struct ChildResult {
    int status = 0;
    std::string stderr_text;
};

template <typename F>
ChildResult run_in_child(F body) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        body();
        _exit(0);
    }
    close(fds[1]);
    ChildResult out;
    char buf[4096];
    ssize_t n = 0;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
        out.stderr_text.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    waitpid(pid, &out.status, 0);
    return out;
}

}  // namespace sim_test
