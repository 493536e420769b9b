"""apiserve_deps() declares every external repository apiserve needs, all local and offline.

Call it from the WORKSPACE of apiserve itself and of any workspace that depends on it:

    local_repository(name = "apiserve", path = "...")
    load("@apiserve//third_party:deps.bzl", "apiserve_deps")
    apiserve_deps()

Each system library is a repository over a Debian package's files (tools/bootstrap.sh installs them). The three
stand-ins (rules_cc, rules_java, remote_coverage_tools) are repositories that Bazel 4 loads by itself even for C++;
offline it would fail to download them.
"""

def _standin_impl(rctx):
    source_dir = rctx.path(rctx.attr.marker).dirname
    for child in source_dir.readdir():
        rctx.symlink(child, child.basename)

_standin_repository = repository_rule(
    implementation = _standin_impl,
    attrs = {"marker": attr.label(mandatory = True, allow_single_file = True)},
    local = True,
)

def _maybe(rule, name, **kwargs):
    if name not in native.existing_rules():
        rule(name = name, **kwargs)

def apiserve_deps():
    """Declares the system-library repositories and the Bazel 4 stand-ins (skips any already declared)."""
    for name in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        _maybe(
            _standin_repository,
            name = name,
            marker = Label("//third_party/standins/%s:BUILD.bazel" % name),
        )

    # Headers in /usr/include are found by the compiler as system headers; the repositories below still declare
    # them so that Bazel tracks them. BoringSSL and llhttp live outside the default include path and come in
    # through `includes` (as -isystem, which keeps their warnings out of our -Werror).
    _maybe(native.new_local_repository, name = "absl", path = "/usr/include",
           build_file = str(Label("//third_party:absl.BUILD")))
    _maybe(native.new_local_repository, name = "boringssl", path = "/usr/include/android",
           build_file = str(Label("//third_party:boringssl.BUILD")))
    _maybe(native.new_local_repository, name = "nghttp2", path = "/usr/include/nghttp2",
           build_file = str(Label("//third_party:nghttp2.BUILD")))
    _maybe(native.new_local_repository, name = "libuv", path = "/usr/include",
           build_file = str(Label("//third_party:libuv.BUILD")))
    _maybe(native.new_local_repository, name = "googletest", path = "/usr/include",
           build_file = str(Label("//third_party:googletest.BUILD")))
    _maybe(native.new_local_repository, name = "zlib", path = "/usr/include",
           build_file = str(Label("//third_party:zlib.BUILD")))
    _maybe(native.new_local_repository, name = "llhttp", path = "/usr/share",
           build_file = str(Label("//third_party:llhttp.BUILD")))
    _maybe(native.new_local_repository, name = "yaml", path = "/usr/include",
           build_file = str(Label("//third_party:yaml.BUILD")))
