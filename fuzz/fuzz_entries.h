// Fuzz entry points: the bodies of the libFuzzer targets, kept apart from LLVMFuzzerTestOneInput
// so the regression test (tests/fuzz_regressions/) feeds saved crash inputs to exactly the code
// the fuzzer ran, in ordinary builds without libFuzzer.
//
// Each entry point must return normally for every input: a bad input is a diagnostic, never a
// crash, an exception or a sanitizer report. An entry point aborts only when it finds an
// internal inconsistency (a scenario that parses but whose written form does not).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fuzz {

// Parses and validates the bytes as a scenario file, formats every diagnostic, and for a valid
// scenario checks that the writer's output parses back to an equal file.
void scenario_input(const uint8_t* data, size_t size);

// Reads the bytes as a JSON Lines trace (the reader `fedsim diff` uses) and, when it is one,
// renders every record as diff text and builds the timeline model from it.
void trace_input(const uint8_t* data, size_t size);

}  // namespace fuzz
