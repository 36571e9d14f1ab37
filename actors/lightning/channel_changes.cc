// Touched-channel sets per reader (see channel_changes.h).
#include "actors/lightning/channel_changes.h"

#include "sim/assert.h"

namespace actors::lightning {

size_t ChannelChanges::add_reader(size_t existing) {
    readers_.emplace_back();
    for (size_t c = 0; c < existing; ++c) {
        mark(readers_.back(), static_cast<uint32_t>(c));
    }
    return readers_.size() - 1;
}

void ChannelChanges::mark(Reader& r, uint32_t channel) {
    if (channel >= r.queued.size()) {
        r.queued.resize(static_cast<size_t>(channel) + 1, 0);
    }
    if (r.queued[channel] == 0) {
        r.queued[channel] = 1;
        r.touched.push_back(channel);
    }
}

void ChannelChanges::touch(uint32_t channel) {
    for (Reader& r : readers_) {
        mark(r, channel);
    }
}

void ChannelChanges::drain(size_t reader, std::vector<uint32_t>* out) {
    SIM_ASSERT(reader < readers_.size());
    Reader& r = readers_[reader];
    out->clear();
    out->swap(r.touched);
    for (uint32_t c : *out) {
        r.queued[c] = 0;
    }
}

}  // namespace actors::lightning
