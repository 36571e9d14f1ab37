// libFuzzer target: JSON Lines traces through the reader `fedsim diff` uses.
#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::trace_input(data, size);
    return 0;
}
