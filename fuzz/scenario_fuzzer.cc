// libFuzzer target: scenario files through the parser, the validator and the writer.
#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::scenario_input(data, size);
    return 0;
}
