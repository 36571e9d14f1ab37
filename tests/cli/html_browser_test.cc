// The HTML report in a real browser: headless Chromium renders the page, the test reads the
// rendered DOM (timeline drawn, no script errors) and takes a screenshot. Skips, saying so,
// when no Chromium is installed (set FEDSIM_CHROMIUM to a browser binary to choose one).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "tests/cli/cli_helpers.h"

using cli_test::Result;
using cli_test::Scratch;

namespace {

std::string find_chromium() {
    if (const char* env = std::getenv("FEDSIM_CHROMIUM")) {
        return env;
    }
    for (const char* name : {"chromium", "chromium-browser", "google-chrome", "chrome"}) {
        for (const char* dir : {"/usr/bin/", "/usr/local/bin/", "/snap/bin/"}) {
            std::string path = std::string(dir) + name;
            if (std::filesystem::exists(path)) {
                return path;
            }
        }
    }
    return "";
}

// A browser command: its exit code and standard output (its stderr chatter dropped).
Result shell(const std::string& cmd) { return cli_test::run_shell(cmd + " 2>/dev/null"); }

}  // namespace

TEST_CASE("the HTML report renders its timeline in headless Chromium", "[cli][browser]") {
    std::string chromium = find_chromium();
    if (chromium.empty()) {
        WARN("SKIPPED: no Chromium found (install the Debian package chromium, or set "
             "FEDSIM_CHROMIUM); the HTML report was not checked in a browser");
        return;
    }
    Scratch s;
    // The entry's name reaches the page's data (the timeline record): "<!--<script>" there once
    // kept the data's "</script>" from ending it, and the page drew nothing.
    s.write("race.json", R"({"name": "race", "world": "escrow",
        "params": {"mode": "check_then_act", "payments": 3, "slow_one_in": 1},
        "timeline": [{"name": "cut<!--<script>", "at": "5ms", "action": "partition",
                      "a": ["ledger"], "heal_after": "3ms"}]})");
    Result run = s.fedsim("run race.json --seed 1 --html report.html");
    REQUIRE(run.code == 1);
    std::string flags = " --headless --no-sandbox --disable-gpu --user-data-dir=" +
                        s.path("profile") + " ";
    std::string url = "file://" + s.path("report.html");
    Result dom = shell("timeout 120 " + chromium + flags + "--dump-dom " + url);
    INFO(dom.out.substr(0, 2000));
    REQUIRE(dom.code == 0);
    CHECK(dom.has("data-rendered=\"ok\""));
    CHECK(dom.has("data-script-errors=\"0\""));
    CHECK(dom.has("class=\"timeline\""));
    CHECK(dom.has("class=\"event\""));
    CHECK(dom.has("class=\"failure\""));  // the failure is marked on the timeline
    CHECK(dom.has("fedsim replay race.json --seed 1"));
    CHECK(dom.has("entry=\"cut&lt;!--&lt;script&gt;\""));  // in the event's tooltip
    Result shot = shell("timeout 120 " + chromium + flags + "--window-size=1400,900 --screenshot=" +
                        s.path("shot.png") + " " + url);
    REQUIRE(shot.code == 0);
    REQUIRE(std::filesystem::exists(s.path("shot.png")));
    CHECK(std::filesystem::file_size(s.path("shot.png")) > 10000);
    CHECK(s.read("shot.png").substr(1, 3) == "PNG");
}
