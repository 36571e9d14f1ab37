// Compiles to nothing: it gives fedsim_test_pch (tests/CMakeLists.txt), which owns the
// precompiled header every test executable reuses, a source file to compile it with.
