// bench_model: the model-level benchmarks of issue 8 over the worlds in standard_world.h.
//
//   --mode=standard  the standard scenario over --seeds=N seeds from --first=S
//   --mode=scale     one seed of the scale world: --nodes, --channels, --payments
//   --jobs=J         0 runs the seeds in this process; J >= 1 runs them in J forked workers
//                    through tools::WorkerPool, the code `fedsim sweep` uses
//   --fingerprints=1 prints "seed fingerprint" per seed (in-process only)
//   --timing=production (default: 60 s polls, 3-minute sessions) or test (100 ms, 10 s);
//   --monitor_ms, --heartbeat_s, --registration_s override single intervals
//   (--day_minutes and these: whole numbers up to a SimDuration's range, else exit 2)
// Every number is plain decimal within what its field holds, else exit 2 naming the flag and
// the range: --nodes up to 429,496,729 (10 payments a node fit 32 bits), --channels,
// --payments, --each_way and --blocks up to 2^32 - 1, --seeds up to 10,000,000 and --jobs up
// to 1,024 (fedsim sweep's limits), --fingerprints and --faults 0 or 1, and the last seed
// (--first + --seeds - 1) up to 2^64 - 1.
// Every flag is --key=VALUE: a known flag given bare, or followed by anything but '=' (such as
// "--registration_s 5", as one argument or two), is refused, exit 2.
//
// Exits 2 before any run when the options cannot build the world (bench::options_error).
// Prints one "key=value" result line. Wall time covers the seed runs only; peak RSS is this
// process's VmHWM (with workers: the largest worker's, reported by the workers themselves).
// Benchmarks measure; nothing here asserts on time.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/standard_world.h"
#include "tools/worker_pool.h"

namespace {

struct Args {
    std::string mode = "standard";
    uint64_t seeds = 20;
    uint64_t first = 1;
    int jobs = 0;
    bool fingerprints = false;
    uint32_t nodes = 1000;
    uint32_t channels = 0;  // 0: 5 per node
    uint32_t payments = 0;  // 0: 10 per node
    bool faults = true;
    uint64_t day_minutes = 0;  // 0: the scenario's day
    uint64_t each_way = 0;     // 0: the scenario's count
    uint64_t blocks = 0;       // 0: the scenario's count
    bool production = true;    // --timing=production (default) or --timing=test
    uint64_t monitor_ms = 0;   // 0: the scenario's guardian poll interval
    uint64_t heartbeat_s = 0;  // 0: the scenario's session heartbeat
    uint64_t registration_s = 0;  // 0: the scenario's gateway re-registration interval
};

std::string arg_text(int argc, char** argv, const char* key, const std::string& fallback) {
    std::string prefix = std::string("--") + key + "=";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind(prefix, 0) == 0) {
            return a.substr(prefix.size());
        }
    }
    return fallback;
}

// The flags main() reads. An argument naming one of them without "=" was read as absent (the
// default ran without a word); flag_form_error says which, or returns nullptr.
constexpr const char* k_flags[] = {"mode",        "seeds",      "first",       "jobs",
                                   "fingerprints", "nodes",      "channels",    "payments",
                                   "faults",       "day_minutes", "each_way",   "blocks",
                                   "timing",       "monitor_ms", "heartbeat_s", "registration_s"};

bool is_known_flag(const std::string& name) {
    return std::any_of(std::begin(k_flags), std::end(k_flags),
                       [&](const char* k) { return name == k; });
}

// The flag `arg` names without its '=' (bare "--key", "--key 5", "--key5"), or nullptr. An
// argument whose own name (before '=') is a known flag is well formed, so a flag that is a
// prefix of another is not mistaken for it.
const char* flag_form_error(const std::string& arg) {
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 ||
        (eq != std::string::npos && is_known_flag(arg.substr(2, eq - 2)))) {
        return nullptr;
    }
    for (const char* k : k_flags) {
        const std::string prefix = std::string("--") + k;
        if (arg.rfind(prefix, 0) == 0) {
            return k;
        }
    }
    return nullptr;
}

// A plain decimal number from 0 to `max`: digits only (no sign, space or suffix), no overflow.
bool parse_whole(const std::string& text, uint64_t max, uint64_t* out) {
    uint64_t n = 0;
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        const uint64_t digit = static_cast<uint64_t>(c - '0');
        if (digit > max || n > (max - digit) / 10) {  // n * 10 + digit > max
            return false;
        }
        n = n * 10 + digit;
    }
    *out = n;
    return true;
}

// A count flag: a whole number from 0 to `max` (the largest the field it fills can hold), or
// `fallback` when absent. Refused, with a message naming the flag and the range, otherwise.
// Before, bench::arg_u64 read it with strtoull and main() narrowed it unchecked: --nodes=2^32
// ran 0 nodes, --nodes=4294967297 ran one, "-1" (which strtoull wraps) ran 2^32 - 1 channels,
// and "abc" or "5x" read as 0 or 5.
bool count_arg(int argc, char** argv, const char* key, uint64_t fallback, uint64_t max,
               const char* zero_means, uint64_t* out) {
    const std::string text = arg_text(argc, argv, key, std::to_string(fallback));
    if (!parse_whole(text, max, out)) {
        std::fprintf(stderr, "bench_model: --%s must be a whole number from 0 to %" PRIu64 "%s, "
                             "not '%s'\n",
                     key, max, zero_means, text.c_str());
        return false;
    }
    return true;
}

// A duration flag: a plain decimal count of `unit_ns` nanoseconds (0: the scenario's value).
// Refused, with a message naming the flag, when it is not one (empty, a sign, other
// characters) or when the duration would not fit a SimDuration (int64 nanoseconds, about 292
// years). Before, the count was cast to int64 unchecked: 2^63 and up (also "-1", which strtoull
// wraps) became a negative interval that options_for's `> 0` tests then dropped, so the
// scenario's default ran without a word, and "abc" read as 0 (the default) likewise.
bool duration_arg(int argc, char** argv, const char* key, int64_t unit_ns, uint64_t* out) {
    return count_arg(argc, argv, key, 0, static_cast<uint64_t>(INT64_MAX / unit_ns),
                     " (0: the scenario's value)", out);
}

bench::StandardOptions options_for(const Args& a, uint64_t seed) {
    bench::StandardOptions o = bench::standard_options(seed);
    o.faults = a.faults;
    o.production_timing = a.production;
    if (a.day_minutes != 0) {
        o.day = sim::SimDuration::minutes(static_cast<int64_t>(a.day_minutes));
    }
    if (a.each_way != 0) {
        o.payments_each_way = static_cast<uint32_t>(a.each_way);
    }
    if (a.blocks != 0) {
        o.blocks = static_cast<uint32_t>(a.blocks);
    }
    if (a.monitor_ms != 0) {
        o.monitor_interval = sim::SimDuration::millis(static_cast<int64_t>(a.monitor_ms));
    }
    if (a.heartbeat_s != 0) {
        o.heartbeat = sim::SimDuration::seconds(static_cast<int64_t>(a.heartbeat_s));
    }
    if (a.registration_s != 0) {
        o.registration_interval = sim::SimDuration::seconds(static_cast<int64_t>(a.registration_s));
    }
    if (a.mode == "scale") {
        o.ln_nodes = a.nodes;
        o.ln_channels = a.channels != 0 ? a.channels : 5 * a.nodes;
        const uint32_t total = a.payments != 0 ? a.payments : 10 * a.nodes;
        // One payment in a hundred goes through the federation (half out, half in).
        o.payments_each_way = std::max<uint32_t>(1, total / 200);
        o.ln_payments = total - 2 * o.payments_each_way;
    }
    return o;
}

struct Totals {
    uint64_t seeds = 0, failed = 0, events = 0, sim_ns = 0, fp_xor = 0, peak_kib = 0;
    uint64_t out_ok = 0, out_total = 0, in_ok = 0, ln_ok = 0;
    std::string first_failure;
};

// One seed, as the line a worker sends back (also used in-process, so both paths do the same).
std::string run_one(const Args& a, uint64_t seed) {
    bench::StandardReport r = bench::run_standard(options_for(a, seed));
    char line[512];
    std::snprintf(line, sizeof line,
                  "%" PRIu64 " %d %" PRIu64 " %" PRId64 " %016" PRIx64 " %" PRIu64 " %" PRIu64
                  " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s",
                  seed, r.ok() ? 1 : 0, r.result.run.events, r.result.run.end_time.ns(),
                  r.result.run.fingerprint, bench::peak_rss_kib(), r.out_succeeded,
                  r.out_resolved, r.in_received, r.ln_succeeded,
                  r.ok() ? "-"
                         : (r.violation.empty() ? r.result.run.message : r.violation).c_str());
    return line;
}

void add(Totals* t, const std::string& line, bool print_fp) {
    uint64_t seed = 0, events = 0, fp = 0, kib = 0, oo = 0, ot = 0, in = 0, lo = 0;
    int64_t sim_ns = 0;
    int ok = 0;
    int used = 0;
    std::sscanf(line.c_str(),
                "%" SCNu64 " %d %" SCNu64 " %" SCNd64 " %" SCNx64 " %" SCNu64 " %" SCNu64
                " %" SCNu64 " %" SCNu64 " %" SCNu64 " %n",
                &seed, &ok, &events, &sim_ns, &fp, &kib, &oo, &ot, &in, &lo, &used);
    ++t->seeds;
    t->events += events;
    t->sim_ns += static_cast<uint64_t>(sim_ns);
    t->fp_xor ^= fp;
    t->peak_kib = std::max(t->peak_kib, kib);
    t->out_ok += oo;
    t->out_total += ot;
    t->in_ok += in;
    t->ln_ok += lo;
    if (ok == 0) {
        ++t->failed;
        if (t->first_failure.empty()) {
            t->first_failure = "seed " + std::to_string(seed) + ": " + line.substr(used);
        }
    }
    if (print_fp) {
        std::printf("%" PRIu64 " %016" PRIx64 "\n", seed, fp);
    }
}

// Every count and duration flag into `a`, each checked against the field it fills; false (after
// the message) at the first bad one.
bool read_counts(int argc, char** argv, Args* a) {
    constexpr uint64_t k_u32 = UINT32_MAX;
    constexpr int64_t k_ms = 1'000'000;
    constexpr int64_t k_s = 1'000 * k_ms;
    uint64_t seeds = 0, first = 0, jobs = 0, fingerprints = 0, faults = 0;
    uint64_t nodes = 0, channels = 0, payments = 0;
    // --seeds and --jobs: fedsim sweep's limits (at most 10,000,000 seeds a sweep, 1,024
    // workers; tools/sweep_command.cc), as they run through the same worker pool. --nodes: the
    // scale mode's default channels and payments are 5 and 10 per node, counted in 32 bits
    // (options_for), so 10 x nodes must fit one.
    if (!count_arg(argc, argv, "seeds", a->mode == "scale" ? 1 : a->seeds, 10'000'000, "",
                   &seeds) ||
        !count_arg(argc, argv, "first", a->first, UINT64_MAX, "", &first) ||
        !count_arg(argc, argv, "jobs", 0, 1024, " (0: in this process)", &jobs) ||
        !count_arg(argc, argv, "fingerprints", 0, 1, "", &fingerprints) ||
        !count_arg(argc, argv, "nodes", a->nodes, k_u32 / 10, "", &nodes) ||
        !count_arg(argc, argv, "channels", 0, k_u32, " (0: 5 per node)", &channels) ||
        !count_arg(argc, argv, "payments", 0, k_u32, " (0: 10 per node)", &payments) ||
        !count_arg(argc, argv, "faults", 1, 1, "", &faults) ||
        !duration_arg(argc, argv, "day_minutes", 60 * k_s, &a->day_minutes) ||
        !count_arg(argc, argv, "each_way", 0, k_u32, " (0: the scenario's count)",
                   &a->each_way) ||
        !count_arg(argc, argv, "blocks", 0, k_u32, " (0: the scenario's count)", &a->blocks) ||
        !duration_arg(argc, argv, "monitor_ms", k_ms, &a->monitor_ms) ||
        !duration_arg(argc, argv, "heartbeat_s", k_s, &a->heartbeat_s) ||
        !duration_arg(argc, argv, "registration_s", k_s, &a->registration_s)) {
        return false;
    }
    // The seeds run are first .. first + seeds - 1: the last must be a 64-bit seed too (before,
    // first + seeds wrapped and the loop ran none, or fewer than asked, without a word).
    if (seeds > 0 && seeds - 1 > UINT64_MAX - first) {
        std::fprintf(stderr,
                     "bench_model: --seeds must be a whole number from 0 to %" PRIu64
                     " with --first=%" PRIu64 " (the last seed is first + seeds - 1), not '%" PRIu64
                     "'\n",
                     UINT64_MAX - first + 1, first, seeds);
        return false;
    }
    a->seeds = seeds;
    a->first = first;
    a->jobs = static_cast<int>(jobs);
    a->fingerprints = fingerprints != 0;
    a->nodes = static_cast<uint32_t>(nodes);
    a->channels = static_cast<uint32_t>(channels);
    a->payments = static_cast<uint32_t>(payments);
    a->faults = faults != 0;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (const char* key = flag_form_error(argv[i])) {
            std::fprintf(stderr, "bench_model: --%s must be given as --%s=VALUE, not '%s'\n", key,
                         key, argv[i]);
            return 2;
        }
    }
    Args a;
    a.mode = arg_text(argc, argv, "mode", a.mode);
    if (!read_counts(argc, argv, &a)) {
        return 2;
    }
    const std::string timing = arg_text(argc, argv, "timing", "production");
    if (timing != "production" && timing != "test") {
        std::fprintf(stderr, "bench_model: --timing must be production or test, not '%s'\n",
                     timing.c_str());
        return 2;
    }
    a.production = timing == "production";
    std::vector<uint64_t> seeds;
    for (uint64_t k = 0; k < a.seeds; ++k) {
        seeds.push_back(a.first + k);
    }
    // Options the world cannot be built with (too many channels for the nodes, or for the
    // faucet regtest can mint) are refused before any seed runs, as a bad flag, not an abort.
    for (uint64_t s : seeds) {
        if (std::optional<std::string> e = bench::options_error(options_for(a, s))) {
            std::fprintf(stderr, "bench_model: --nodes=%u --channels=%u, seed %" PRIu64 ": %s\n",
                         options_for(a, s).ln_nodes, options_for(a, s).ln_channels, s,
                         e->c_str());
            return 2;
        }
    }
    Totals t;
    bench::Stopwatch clock;
    if (a.jobs == 0) {
        for (uint64_t s : seeds) {
            add(&t, run_one(a, s), a.fingerprints);
        }
        t.peak_kib = bench::peak_rss_kib();
    } else {
        tools::WorkerPool pool(a.jobs, [&a](uint64_t s) { return run_one(a, s); });
        pool.run(seeds, [&t](uint64_t seed, const std::string& line, const std::string& crash) {
            add(&t, line.empty() ? std::to_string(seed) + " 0 0 0 0 0 0 0 0 0 " + crash : line,
                false);
            return true;
        });
    }
    const double wall = clock.seconds();
    const double sim_s = static_cast<double>(t.sim_ns) / 1e9;
    std::printf("bench_model mode=%s nodes=%u jobs=%d seeds=%" PRIu64 " failed=%" PRIu64
                " wall_s=%.3f seeds_per_s=%.2f events=%" PRIu64 " events_per_s=%.0f"
                " sim_per_wall=%.0f peak_rss_mib=%.1f out_ok=%" PRIu64 "/%" PRIu64
                " in_ok=%" PRIu64 " ln_ok=%" PRIu64 " fp_xor=%016" PRIx64 "\n",
                a.mode.c_str(), a.mode == "scale" ? a.nodes : options_for(a, 1).ln_nodes, a.jobs,
                t.seeds, t.failed, wall, static_cast<double>(t.seeds) / wall, t.events,
                static_cast<double>(t.events) / wall, sim_s / wall,
                static_cast<double>(t.peak_kib) / 1024.0, t.out_ok, t.out_total, t.in_ok,
                t.ln_ok, t.fp_xor);
    if (!t.first_failure.empty()) {
        std::printf("first failure: %s\n", t.first_failure.c_str());
    }
    return 0;
}
