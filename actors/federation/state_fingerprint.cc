// The consensus state's fingerprint fold and its memo (see state_fingerprint.h).
#include "actors/federation/state_fingerprint.h"

#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "sim/trace.h"

namespace actors::federation::state_fingerprint {

// FNV-1a over the bytes, xor the length: the value sim::fingerprint_bytes mixes (sim/trace.h).
// A test pins the two against each other.
uint64_t bytes_word(std::string_view bytes) { return sim::fnv1a(bytes) ^ bytes.size(); }

uint64_t outpoint_word(const chain::OutPoint& op) {
    static constexpr char k_digits[] = "0123456789abcdef";
    char buf[64 + 1 + 10];
    size_t n = 0;
    for (uint8_t b : op.txid.bytes) {
        buf[n++] = k_digits[b >> 4];
        buf[n++] = k_digits[b & 0xf];
    }
    buf[n++] = ':';
    std::to_chars_result r = std::to_chars(buf + n, buf + sizeof buf, op.vout);
    return bytes_word(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

uint64_t fold(uint64_t h, std::span<const uint64_t> words) {
    for (uint64_t w : words) {
        h = sim::fingerprint_mix(h, w);
    }
    return h;
}

namespace {

// The last k_entries sequences folded on this thread. A hit needs the whole sequence equal, so
// the memo returns exactly what folding would; which entries it holds only decides the cost.
struct Memo {
    static constexpr size_t k_entries = 8;
    struct Entry {
        std::vector<uint64_t> words;
        uint64_t value = 0;
        bool used = false;
    };
    std::array<Entry, k_entries> entries;
    size_t next = 0;  // the entry the next miss overwrites (round robin)
};

bool equal(const std::vector<uint64_t>& words,
           std::initializer_list<std::span<const uint64_t>> pieces, size_t total) {
    if (words.size() != total) {
        return false;
    }
    size_t at = 0;
    for (std::span<const uint64_t> p : pieces) {
        if (!p.empty() && std::memcmp(words.data() + at, p.data(), p.size_bytes()) != 0) {
            return false;
        }
        at += p.size();
    }
    return true;
}

}  // namespace

uint64_t fold_memoised(std::initializer_list<std::span<const uint64_t>> pieces) {
    thread_local Memo memo;
    size_t total = 0;
    for (std::span<const uint64_t> p : pieces) {
        total += p.size();
    }
    // Newest first: the guardians of a round apply it close together.
    for (size_t k = 1; k <= Memo::k_entries; ++k) {
        const Memo::Entry& e = memo.entries[(memo.next + Memo::k_entries - k) % Memo::k_entries];
        if (e.used && equal(e.words, pieces, total)) {
            return e.value;
        }
    }
    Memo::Entry& e = memo.entries[memo.next];
    memo.next = (memo.next + 1) % Memo::k_entries;
    e.words.clear();
    uint64_t h = k_seed;
    for (std::span<const uint64_t> p : pieces) {
        h = fold(h, p);
        e.words.insert(e.words.end(), p.begin(), p.end());
    }
    e.value = h;
    e.used = true;
    return h;
}

}  // namespace actors::federation::state_fingerprint
