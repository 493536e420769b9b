#!/usr/bin/env bash
# Bazel's --workspace_status_command (see .bazelrc): prints the build's identity as "KEY value" lines. STABLE_ keys
# go to bazel-out/stable-status.txt (a change re-runs the stamped actions that read them: only
# //cmd/apiserver:build_info_stamped); Bazel adds BUILD_TIMESTAMP to volatile-status.txt itself. Works without git or
# outside a checkout (prints "unknown"). Runs on every build, so keep it quick.
set -uo pipefail

commit=unknown
tree_state=unknown
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
  commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    tree_state=dirty
  else
    tree_state=clean
  fi
fi
echo "STABLE_GIT_COMMIT ${commit}"
echo "STABLE_GIT_TREE_STATE ${tree_state}"
