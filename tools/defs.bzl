"""Macros for apiserve's own targets: our warning flags, and GoogleTest wiring for unit tests."""

APISERVE_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wnon-virtual-dtor",
    "-Wshadow=local",
]

def apiserve_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = APISERVE_COPTS + copts, **kwargs)

def apiserve_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = APISERVE_COPTS + copts, **kwargs)

def apiserve_cc_test(name, copts = [], deps = [], size = "small", **kwargs):
    """A GoogleTest test with GoogleMock's main(); small unless said otherwise."""
    native.cc_test(
        name = name,
        size = size,
        copts = APISERVE_COPTS + copts,
        deps = deps + ["@googletest//:gtest_main"],
        **kwargs
    )
