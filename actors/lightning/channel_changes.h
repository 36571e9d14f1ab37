// ChannelChanges: which channel ledgers were touched since a reader last looked, so a checker
// can re-check only those instead of walking every channel on every pass.
//
// A ChannelLedger reports itself here from every non-const member (the mutators and the
// non-const accessors side(), htlcs() and htlc(), which hand out references a caller may
// write through). That covers every write as long as no caller keeps such a reference across
// a blocking call and writes through it after the reader's pass; the Lightning code does not
// (node handlers never block, and the payment task that waits holds its ledger only to read).
// Each reader gets every touched channel once per drain, in first-touch order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace actors::lightning {

class ChannelChanges {
public:
    // A new reader; channels [0, existing) start out touched for it.
    size_t add_reader(size_t existing);
    void touch(uint32_t channel);
    // Moves the reader's touched channels into `out` (cleared first) and forgets them.
    void drain(size_t reader, std::vector<uint32_t>* out);

private:
    struct Reader {
        std::vector<uint8_t> queued;  // per channel: already in `touched`
        std::vector<uint32_t> touched;
    };
    static void mark(Reader& r, uint32_t channel);
    std::vector<Reader> readers_;
};

}  // namespace actors::lightning
