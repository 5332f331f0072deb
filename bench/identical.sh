#!/usr/bin/env bash
# Whether two northstar binaries build the same sites, byte for byte.
#
#   bench/identical.sh OLD_BINARY NEW_BINARY
#
# A change that must not change output (a refactoring, a cache removed or
# added) is checked with it: both binaries build, each into its own
# folder, the example plan (copied into a fresh git repository of one
# commit) and a generated 1,000-document plan with 300 commits, each
# three ways: cold (no history cache), warm (the cache the cold build
# left) and `--audience public`. Every pair of sites is compared with
# `diff -r`; the script exits 1 at the first difference and prints it.
set -euo pipefail
old="$(realpath "$1")"
new="$(realpath "$2")"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK:-$(mktemp -d)}"
mkdir -p "$work"

# The example plan as a git repository of one commit, dated so that the
# history does not depend on when this runs.
rm -rf "$work/example"
cp -r "$here/example-repo" "$work/example"
rm -rf "$work/example/site" "$work/example/.git"
(
  cd "$work/example"
  git init -q
  git add -A
  GIT_AUTHOR_DATE=2026-10-01T12:00:00Z GIT_COMMITTER_DATE=2026-10-01T12:00:00Z \
    git -c user.name=Bench -c user.email=bench@example.com commit -qm "The plan"
)
python3 "$here/bench/gen.py" 1000 "$work/generated" --commits 300 --force >/dev/null

status=0
for plan in example generated; do
  for bin in old new; do
    # Each binary reads its own copy: the history cache is its own.
    rm -rf "$work/$plan-$bin"
    cp -r "$work/$plan" "$work/$plan-$bin"
    exe="${!bin}"
    "$exe" -C "$work/$plan-$bin" build --allow-errors -o "$work/out-$plan-$bin-cold" >/dev/null 2>&1
    "$exe" -C "$work/$plan-$bin" build --allow-errors -o "$work/out-$plan-$bin-warm" >/dev/null 2>&1
    "$exe" -C "$work/$plan-$bin" build --allow-errors --audience public -o "$work/out-$plan-$bin-public" >/dev/null 2>&1
  done
  for way in cold warm public; do
    if diff -r "$work/out-$plan-old-$way" "$work/out-$plan-new-$way" >"$work/diff-$plan-$way.txt"; then
      echo "$plan, $way: identical"
    else
      echo "$plan, $way: DIFFERENT (first lines of $work/diff-$plan-$way.txt):"
      head -20 "$work/diff-$plan-$way.txt"
      status=1
    fi
  done
done
exit $status
