#!/usr/bin/env bash
# What each history cache pays for: a build after one new commit, with
# every cache as a build of the commit before left it, and with one or
# more of them removed first. The variants run in alternation
# (bench/interleave.py), each round once each, so the machine's drift
# moves them together; each is compared with the build with every cache
# within its round.
#
#   bench/caches.sh [N M]     (default 650 9000, the KEP-sized case)
#
#   ROUNDS=12            rounds (default 12)
#   NSBIN=path           the northstar binary (default target/release/northstar)
#   WORK=/tmp/northstar-bench   where the generated repository lives (reused)
#
# The caches (docs/format.md#config, `cache`): `history.bin` (what each
# commit changed) and `state.bin` (the replayed history at HEAD):
# `no-state` removes the state, `none` both. Removing a file also makes
# the timed build write it again, which a build without that cache would
# not do: the phases printed under NORTHSTAR_TIMINGS (`history: save
# state`, `history: save cache`) are given beside the figures so that
# share can be told apart.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
N=${1:-650} M=${2:-9000}
ROUNDS=${ROUNDS:-12}
NSBIN=${NSBIN:-$ROOT/target/release/northstar}
WORK=${WORK:-/tmp/northstar-bench}
SHM=/dev/shm
[ -d "$SHM" ] || SHM=${TMPDIR:-/tmp}
q() { printf '%q' "$1"; }

mkdir -p "$WORK"
dir=$WORK/hist-$N-$M
if [ ! -f "$dir/northstar.yaml" ]; then
  echo "generating $dir (N=$N, commits=$M)" >&2
  rm -rf "$dir"
  python3 "$HERE/gen.py" "$N" "$dir" --commits "$M"
fi
cache=$dir/.git/northstar
out=$SHM/ns-caches-out
snap=$WORK/caches-snapshot-$N-$M
base=$(git -C "$dir" rev-parse HEAD)
git -C "$dir" reset -q --hard "$base"

# The caches a build of the generated HEAD leaves.
rm -rf "$cache" "$out"
"$NSBIN" build -C "$dir" -o "$out" >/dev/null
rm -rf "$snap" && cp -r "$cache" "$snap"

when="$(($(git -C "$dir" log -1 --format=%ct) + 3600)) +0000"
edit=$(git -C "$dir" ls-files 'plans/features/*.md' | awk 'NR == 1')
new_commit="git -C $(q "$dir") reset -q --hard $base && rm -rf $(q "$out") $(q "$cache") && cp -r $(q "$snap") $(q "$cache") && echo 'One more line.' >> $(q "$dir/$edit") && GIT_AUTHOR_DATE='$when' GIT_COMMITTER_DATE='$when' git -C $(q "$dir") commit -qam 'bench: one more commit'"
build="$(q "$NSBIN") build -C $(q "$dir") -o $(q "$out")"
c=$(q "$cache")

result=$WORK/caches-$N-$M.json
python3 "$HERE/interleave.py" --settle 1 "$ROUNDS" "$result" \
  all "$new_commit" "$build" \
  no-state "$new_commit && rm -f $c/state.bin" "$build" \
  none "$new_commit && rm -rf $c" "$build"

# One build of each variant with phase timings: what it spent writing.
phases() {
  eval "$1"
  NORTHSTAR_TIMINGS=1 "$NSBIN" build -C "$dir" -o "$out" 2>&1 >/dev/null |
    grep -E 'history: save|history: replay|history: read state file' |
    sed 's/^/    /' || true
}
for v in all no-state none; do
  echo "  $v:"
  case $v in
    all) phases "$new_commit" ;;
    no-state) phases "$new_commit && rm -f $c/state.bin" ;;
    none) phases "$new_commit && rm -rf $c" ;;
  esac
done

git -C "$dir" reset -q --hard "$base"
rm -rf "$cache" && cp -r "$snap" "$cache"

python3 - "$result" <<'EOF'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
t = r["times"]
print(f"\n{r['rounds']} rounds; median seconds and median of per-round ratios to `all`:")
for name, times in t.items():
    ratios = [a / b for a, b in zip(times, t["all"])]
    print(f"  {name:20s} {statistics.median(times):7.3f} s  {statistics.median(ratios):5.2f}x")
EOF
