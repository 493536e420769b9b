"""apiserve_fuzzer: a libFuzzer binary. Built only by tools/fuzz.sh (clang, --config=fuzz), so it is `manual`."""

load("//tools:defs.bzl", "APISERVE_COPTS")

def apiserve_fuzzer(name, deps = [], **kwargs):
    """A fuzz target `name` from `name`.cc, linked with libFuzzer's main; the code under test comes from --config=fuzz.

    Tagged manual: `bazel build //...` (gcc) skips it; `-fsanitize=fuzzer` needs clang.
    """
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = [name + ".cc"],
        copts = APISERVE_COPTS,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = deps,
        **kwargs
    )
