#!/usr/bin/env bash
# Benchmarks northstar against the floors it cannot beat (cat, git log) and
# against Hugo, in one run on one machine, and writes a Markdown summary.
# Absolute seconds are noisy on these machines: quote the ratios.
#
#   bench/run.sh            check and build at N = 1000 and 10000 documents
#   bench/run.sh history    build with a long git history (QUICK=1 for a small one)
#
# Environment:
#   NS="1000 10000"   document counts (main mode)
#   RUNS=5 WARMUP=1   hyperfine runs and warm-up runs per command
#   WORK=/tmp/northstar-bench   generated repositories (reused while gen.py is unchanged)
#   SHM=/dev/shm      in-memory output folder
#   QUICK=1           history mode with the KEP-sized case only (650 / 9000)
#   HIST_SIZES="650:9000 10000:50000"   history mode sizes, N:M pairs
#   HIST_N, HIST_M    one history size (overrides QUICK and HIST_SIZES)
#   SMALL_RUNS=20     hyperfine runs for history sizes of at most 10,000 commits
#   INTERLEAVE_ROUNDS rounds of the interleaved history comparisons
#                     (default: RUNS, at least 12)
#   SETTLE=3          seconds between preparing and running a build in the
#                     second interleaved history comparison (interleave.py)
#   NO_CARGO=1        use target/release/northstar as it is, do not build it
#   NORTHSTAR=path    time this binary instead (implies NO_CARGO)
set -euo pipefail

MODE=${1:-main}
case "$MODE" in
  main | history) ;;
  -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bench/run.sh [history]" >&2; exit 2 ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${WORK:-/tmp/northstar-bench}
SHM=${SHM:-/dev/shm}
RUNS=${RUNS:-5}
SETTLE=${SETTLE:-3}
WARMUP=${WARMUP:-1}
NSBIN=${NORTHSTAR:-$ROOT/target/release/northstar}
RESULTS=$WORK/results/$MODE
GEN_STAMP=$(sha256sum "$HERE/gen.py" | cut -c1-16)

say() { printf '\n== %s\n' "$*" >&2; }

# need COMMAND DEBIAN-PACKAGE: install the package when missing and we are root.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $2"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
  fi
  command -v "$1" >/dev/null 2>&1 || {
    echo "bench: \`$1\` is missing: apt-get install -y $2" >&2
    exit 2
  }
}

need hyperfine hyperfine
need git git
need python3 python3
need flock util-linux
[ -x /usr/bin/time ] || need /usr/bin/time time
[ "$MODE" = main ] && need hugo hugo

mkdir -p "$WORK" "$SHM"
# One run at a time: two runs share these folders and skew each other's timings.
exec 9>"$WORK/.lock"
if ! flock -n 9; then
  echo "bench: another bench/run.sh is running (lock: $WORK/.lock)" >&2
  exit 2
fi
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# --- northstar --------------------------------------------------------------
if [ -z "${NO_CARGO:-}" ] && [ -z "${NORTHSTAR:-}" ]; then
  say "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet)
fi
[ -x "$NSBIN" ] || { echo "bench: $NSBIN not found (cargo build --release)" >&2; exit 2; }
HAVE_BUILD=1
if ! "$NSBIN" build --help >/dev/null 2>&1; then
  HAVE_BUILD=
  say "\`northstar build\` is not available yet (build --help failed): build timings skipped"
fi
# shellcheck disable=SC2016  # the backquotes are Markdown
printf 'northstar: %s; `build` subcommand: %s\n' "$NSBIN" "$([ -n "$HAVE_BUILD" ] && echo yes || echo "not available")" >"$RESULTS/meta"

# generate N DIR [M]: a plans repository, reused while gen.py is unchanged.
generate() {
  local n=$1 dir=$2 m=${3:-0} stamp="$GEN_STAMP $1 ${3:-0}"
  if [ -f "$dir/northstar.yaml" ] && [ "$(cat "$dir.stamp" 2>/dev/null)" = "$stamp" ]; then
    say "reusing $dir"
    return
  fi
  say "generating $dir (N=$n, commits=$m)"
  rm -rf "$dir" "$dir.stamp"
  local t0=$SECONDS
  if [ "$m" -gt 0 ]; then
    python3 "$HERE/gen.py" "$n" "$dir" --commits "$m"
  else
    python3 "$HERE/gen.py" "$n" "$dir"
  fi
  echo "generated in $((SECONDS - t0)) s" >&2
  echo "$stamp" >"$dir.stamp"
}

# bench NAME COMMAND [PREPARE] [HYPERFINE-FLAGS...]: median via hyperfine,
# then one more run under /usr/bin/time -v for the peak RSS.
bench() {
  local name=$1 cmd=$2 prepare=${3:-}
  shift 3 || shift $#
  local args=(--warmup "$WARMUP" --runs "$RUNS" --export-json "$RESULTS/$name.json" -n "$name" "$@")
  [ -n "$prepare" ] && args+=(--prepare "$prepare")
  say "$name: $cmd"
  if ! hyperfine "${args[@]}" "$cmd" >&2; then
    echo "failed" >"$RESULTS/$name.failed"
    rm -f "$RESULTS/$name.json"
    return 0
  fi
  [ -n "$prepare" ] && bash -c "$prepare"
  /usr/bin/time -v -o "$RESULTS/$name.time" bash -c "$cmd" >/dev/null 2>&1 || true
}

skip() { echo "$2" >"$RESULTS/$1.skipped"; say "$1 skipped: $2"; }

# precheck NAME COMMAND: run once; a build that fails would time nothing useful.
precheck() {
  local name=$1 cmd=$2 rc=0
  bash -c "$cmd" >"$RESULTS/$name.out" 2>&1 || rc=$?
  echo "$rc" >"$RESULTS/$name.rc"
  if [ "$rc" != 0 ]; then
    say "$name exited with $rc (the generated plans should check clean); last lines of its output:"
    tail -n 5 "$RESULTS/$name.out" >&2
  fi
  return "$rc"
}

hugo_site() {
  local n=$1 src=$2 site=$WORK/hugo-$1 stamp="$GEN_STAMP $1 hugo"
  if [ -d "$site/content" ] && [ "$(cat "$site.stamp" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  rm -rf "$site" "$site.stamp"
  mkdir -p "$site/layouts/_default"
  cp -r "$src/plans" "$site/content"
  find "$site/content" -type f ! -name '*.md' -delete
  cat >"$site/hugo.toml" <<'EOF'
baseURL = "/"
title = "Bench Product plans"
disableKinds = ["taxonomy", "term"]
EOF
  cat >"$site/layouts/_default/single.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav><a href="{{ .Site.Home.RelPermalink }}">Home</a></nav>
<h1>{{ .Title }}</h1>
{{ .Content }}
</body></html>
EOF
  cat >"$site/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
EOF
  cat >"$site/layouts/index.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1>
<ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>{{ end }}</ul>
</body></html>
EOF
  echo "$stamp" >"$site.stamp"
}

q() { printf '%q' "$1"; }

# --- main mode: check and build ---------------------------------------------
run_main() {
  local n dir site nsout
  for n in ${NS:-1000 10000}; do
    dir=$WORK/$n
    generate "$n" "$dir"
    hugo_site "$n" "$dir"
    echo "$n $(find "$dir/plans" -type f | wc -l) $(du -sk "$dir/plans" | cut -f1)" >>"$RESULTS/sizes"

    bench "$n.cat" "cd $(q "$dir") && find plans -type f -print0 | xargs -0 cat > /dev/null"

    # The generated plans should check clean; exit 1 (errors found) is still timed.
    precheck "$n.check" "$(q "$NSBIN") check -C $(q "$dir")" || true
    case $(cat "$RESULTS/$n.check.rc") in
      0 | 1) bench "$n.check" "$(q "$NSBIN") check -C $(q "$dir")" "" -i ;;
      *) skip "$n.check" "northstar check could not run (exit $(cat "$RESULTS/$n.check.rc"))" ;;
    esac

    nsout=$SHM/ns-out-$n
    site=
    if [ -z "$HAVE_BUILD" ]; then
      skip "$n.build-shm" "no build subcommand"
      skip "$n.build-disk" "no build subcommand"
    elif ! precheck "$n.build" "rm -rf $(q "$nsout") && $(q "$NSBIN") build -C $(q "$dir") -o $(q "$nsout")"; then
      skip "$n.build-shm" "northstar build failed (exit $(cat "$RESULTS/$n.build.rc"))"
      skip "$n.build-disk" "northstar build failed"
    else
      bench "$n.build-shm" "$(q "$NSBIN") build -C $(q "$dir") -o $(q "$nsout")" "rm -rf $(q "$nsout")"
      bench "$n.build-disk" "$(q "$NSBIN") build -C $(q "$dir") -o $(q "$dir/site")" "rm -rf $(q "$dir/site")"
      site=$nsout
    fi

    bench "$n.hugo-shm" "hugo --quiet -s $(q "$WORK/hugo-$n") -d $(q "$SHM/hugo-out-$n")" "rm -rf $(q "$SHM/hugo-out-$n")"
    # The write-cost reference copies northstar's site, or Hugo's without one.
    [ -n "$site" ] || site=$SHM/hugo-out-$n
    [ -d "$site" ] || hugo --quiet -s "$WORK/hugo-$n" -d "$site" || true
    if [ -d "$site" ]; then
      echo "$n $site $(find "$site" -type f | wc -l) $(du -sk "$site" | cut -f1)" >>"$RESULTS/sites"
      bench "$n.cp-shm" "cp -r $(q "$site") $(q "$SHM/ns-cp-$n")" "rm -rf $(q "$SHM/ns-cp-$n")"
      bench "$n.cp-disk" "cp -r $(q "$site") $(q "$WORK/cp-$n")" "rm -rf $(q "$WORK/cp-$n")"
      rm -rf "$SHM/ns-cp-$n" "$WORK/cp-$n"
    fi
  done
  summarize main "$HERE/results-latest.md"
}

# --- history mode: build with a long git history ----------------------------
# Per size: the floors (git rev-list, git log), check, a cold build (no
# history cache), a warm rebuild (nothing new), a rebuild after one new
# commit (caches as left by a build of the commit before), and a build of
# the same files outside git (no history at all).
run_history() {
  local sizes n m dir out cache tag base nohist edit when one_commit build_hist build_nogit
  if [ -n "${HIST_N:-}" ]; then
    sizes="${HIST_N}:${HIST_M:-50000}"
  elif [ -n "${QUICK:-}" ]; then
    sizes="650:9000"
  else
    sizes=${HIST_SIZES:-"650:9000 10000:50000"}
  fi
  : >"$RESULTS/history"
  local runs=$RUNS
  for size in $sizes; do
    n=${size%%:*} m=${size##*:} tag="$n-$m"
    # Small sizes take a fraction of a second, where the machine's noise is
    # tens of milliseconds: more runs there (SMALL_RUNS).
    if [ "$m" -le 10000 ]; then RUNS=${SMALL_RUNS:-20}; else RUNS=$runs; fi
    echo "$tag $RUNS" >>"$RESULTS/runs"
    dir=$WORK/hist-$tag
    generate "$n" "$dir" "$m"
    echo "$tag $n $m $(git -C "$dir" rev-list --count HEAD) $(du -sk "$dir/.git" | cut -f1)" >>"$RESULTS/history"
    out=$SHM/ns-hist-out-$tag
    cache=$dir/.git/northstar  # the default history cache (docs/format.md#config)
    base=$(git -C "$dir" rev-parse HEAD)
    nohist=$WORK/nohist-$tag

    bench "$tag.rev-list" "git -C $(q "$dir") rev-list HEAD > /dev/null"
    bench "$tag.git-log" "git -C $(q "$dir") log --name-status --no-renames -- plans > /dev/null"
    # git reading every version of every changed file, as field-level
    # history must (too slow to repeat at 10k/50k: small sizes only).
    if [ "$m" -le 10000 ]; then
      bench "$tag.git-log-p" "git -C $(q "$dir") log -p --no-renames -- plans > /dev/null"
    else
      skip "$tag.git-log-p" "M > 10000"
    fi
    precheck "$tag.check" "$(q "$NSBIN") check -C $(q "$dir")" || true
    case $(cat "$RESULTS/$tag.check.rc") in
      0 | 1) bench "$tag.check" "$(q "$NSBIN") check -C $(q "$dir")" "" -i ;;
      *) skip "$tag.check" "northstar check could not run (exit $(cat "$RESULTS/$tag.check.rc"))" ;;
    esac
    if [ -z "$HAVE_BUILD" ]; then
      for r in build-cold build-warm build-one-commit build-no-git; do skip "$tag.$r" "no build subcommand"; done
      continue
    fi
    if ! precheck "$tag.build" "rm -rf $(q "$out") $(q "$cache") && $(q "$NSBIN") build -C $(q "$dir") -o $(q "$out")"; then
      for r in build-cold build-warm build-one-commit build-no-git; do skip "$tag.$r" "northstar build failed"; done
      continue
    fi
    bench "$tag.build-cold" "$(q "$NSBIN") build -C $(q "$dir") -o $(q "$out")" "rm -rf $(q "$out") $(q "$cache")"
    bench "$tag.build-warm" "$(q "$NSBIN") build -C $(q "$dir") -o $(q "$out")" "rm -rf $(q "$out")"
    # One new commit on top of the generated history, an hour after it, with
    # the caches a build of the generated HEAD left; put back before each run.
    rm -rf "$WORK/cache-$tag" && cp -r "$cache" "$WORK/cache-$tag"
    when="$(( $(git -C "$dir" log -1 --format=%ct) + 3600 )) +0000"
    edit=$(git -C "$dir" ls-files 'plans/features/*.md' | awk 'NR == 1')
    # The cache is put back by bench/restore-cache.py, which cuts the
    # appended files back rather than copying the whole cache: a fresh
    # copy of it slows whichever build follows (see the script).
    rm -f "$WORK/cache-$tag.inodes"
    one_commit="git -C $(q "$dir") reset -q --hard $base && rm -rf $(q "$out") && python3 $(q "$HERE/restore-cache.py") $(q "$WORK/cache-$tag") $(q "$cache") && echo 'One more line.' >> $(q "$dir/$edit") && GIT_AUTHOR_DATE='$when' GIT_COMMITTER_DATE='$when' git -C $(q "$dir") commit -qam 'bench: one more commit'"
    build_hist="$(q "$NSBIN") build -C $(q "$dir") -o $(q "$out")"
    build_nogit="$(q "$NSBIN") build -C $(q "$nohist") -o $(q "$out-no-git")"
    bench "$tag.build-one-commit" "$build_hist" "$one_commit"
    git -C "$dir" reset -q --hard "$base"
    rm -rf "$cache" && cp -r "$WORK/cache-$tag" "$cache"
    # The same files outside git: the build with no history to compare with.
    rm -rf "$nohist" && mkdir -p "$nohist"
    git -C "$dir" archive HEAD | tar -x -C "$nohist"
    bench "$tag.build-no-git" "$build_nogit" "rm -rf $(q "$out-no-git")"
    # The same two builds in alternation, the ratio taken within each round
    # (bench/interleave.py): the machine's drift between the two hyperfine
    # runs above moves their ratio by more than the target's margin.
    # At least 12 rounds: single rounds range over ±20 % here, and the
    # margin tested is 10 %.
    local rounds=${INTERLEAVE_ROUNDS:-$((RUNS < 12 ? 12 : RUNS))}
    say "$tag.interleaved: one new commit / no git, $rounds rounds"
    python3 "$HERE/interleave.py" "$rounds" "$RESULTS/$tag.interleaved.json" \
      one-commit "$one_commit" "$build_hist" \
      no-git "rm -rf $(q "$out-no-git")" "$build_nogit" \
      || echo "failed" >"$RESULTS/$tag.interleaved.failed"
    # Again with every build started SETTLE seconds after its preparation:
    # the one-new-commit build's preparation (a git commit, the cache put
    # back) is slower than the other's `rm`, long enough for the memory the
    # previous build freed to go back to the host, so it alone started on
    # cold memory (see interleave.py).
    say "$tag.interleaved-settled: the same, ${SETTLE}s after each preparation"
    python3 "$HERE/interleave.py" --settle "$SETTLE" "$rounds" "$RESULTS/$tag.interleaved-settled.json" \
      one-commit "$one_commit" "$build_hist" \
      no-git "rm -rf $(q "$out-no-git")" "$build_nogit" \
      || echo "failed" >"$RESULTS/$tag.interleaved-settled.failed"
    git -C "$dir" reset -q --hard "$base"
    rm -rf "$cache" && cp -r "$WORK/cache-$tag" "$cache"
  done
  summarize history "$HERE/results-history-latest.md"
}

# summarize MODE FILE: the Markdown table of medians, ratios and peak RSS.
summarize() {
  local commit
  commit=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "none")
  python3 - "$1" "$RESULTS" "$2" "$commit" "$RUNS" "$WARMUP" <<'PY'
import json, os, platform, re, subprocess, sys, time

mode, results, out_path, commit, runs, warmup = sys.argv[1:7]


def read(name, ext):
    p = os.path.join(results, f"{name}.{ext}")
    return open(p).read().strip() if os.path.exists(p) else None


def plain(name):
    p = os.path.join(results, name)
    return open(p).read() if os.path.exists(p) else ""


def median(name):
    j = read(name, "json")
    return json.loads(j)["results"][0]["median"] if j else None


def rss_mb(name):
    t = read(name, "time")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t or "")
    return int(m.group(1)) / 1024 if m else None


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except Exception:
        return "?"


def row(name, label, base=None, base_label=""):
    med = median(name)
    if med is None:
        why = read(name, "skipped") or ("failed" if read(name, "failed") else "not run")
        return f"| {label} | skipped: {why} | | |"
    ratio = ""
    if base and median(base):
        ratio = f"{med / median(base):.2f}× {base_label}"
    rss = rss_mb(name)
    return f"| {label} | {med:.3f} | {ratio} | {rss:.0f} |" if rss is not None else f"| {label} | {med:.3f} | {ratio} | |"


lines = [f"# northstar benchmarks ({mode})", ""]
lines.append(f"- when: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; northstar commit {commit}; "
             f"{os.cpu_count()} cores; {platform.machine()}")
lines.append(f"- tools: {version(['hyperfine', '--version'])}; {version(['git', '--version'])}"
             + (f"; {version(['hugo', 'version']).split(' BuildDate')[0]}" if mode == "main" else ""))
lines.append(f"- hyperfine: {warmup} warm-up + {runs} runs per command, medians in seconds; "
             "peak RSS from one more run under /usr/bin/time -v")
lines.append(f"- {plain('meta').strip()}")
lines.append("")
head = ["| measurement | median (s) | ratio | peak RSS (MB) |", "|---|---:|---:|---:|"]

if mode == "main":
    sizes = {}
    for l in plain("sizes").splitlines():
        n, files, kb = l.split()
        sizes[n] = (int(files), int(kb))
    sites = {}
    for l in plain("sites").splitlines():
        n, site, files, kb = l.split()
        sites[n] = (site, int(files), int(kb))
    for n, (files, kb) in sizes.items():
        lines.append(f"## N = {n} documents ({files} files, {kb / 1024:.1f} MB under plans/)")
        lines.append("")
        lines += head
        lines.append(row(f"{n}.cat", "`cat` every file (floor)"))
        lines.append(row(f"{n}.check", "`northstar check`", f"{n}.cat", "cat"))
        lines.append(row(f"{n}.build-shm", "`northstar build` → /dev/shm", f"{n}.hugo-shm", "hugo"))
        lines.append(row(f"{n}.build-disk", "`northstar build` → DIR/site", f"{n}.hugo-shm", "hugo"))
        lines.append(row(f"{n}.hugo-shm", "Hugo, same Markdown → /dev/shm"))
        if n in sites:
            site, sf, skb = sites[n]
            what = "northstar site" if "ns-out" in site else "Hugo site (no northstar build)"
            lines.append(row(f"{n}.cp-shm", f"`cp -r` {what} ({sf} files, {skb / 1024:.1f} MB) → /dev/shm"))
            lines.append(row(f"{n}.cp-disk", f"`cp -r` {what} → disk (write-cost reference)"))
        lines.append("")
else:
    for l in plain("history").splitlines():
        tag, n, m, count, kb = l.split()
        runs_here = dict(l.split() for l in plain("runs").splitlines()).get(tag, runs)
        lines.append(f"## N = {n} documents, {count} commits (.git {int(kb) / 1024:.0f} MB)")
        lines.append("")
        lines.append(f"{runs_here} runs per command.")
        lines.append("")
        lines += head
        lines.append(row(f"{tag}.rev-list", "`git rev-list HEAD`"))
        lines.append(row(f"{tag}.git-log", "`git log --name-status --no-renames -- plans` (floor)"))
        lines.append(row(f"{tag}.git-log-p", "`git log -p --no-renames -- plans` (git reading every version)", f"{tag}.git-log", "git log"))
        lines.append(row(f"{tag}.check", "`northstar check`", f"{tag}.git-log", "git log"))
        lines.append(row(f"{tag}.build-cold", "`northstar build`, no history cache → /dev/shm", f"{tag}.git-log", "git log"))
        lines.append(row(f"{tag}.build-warm", "`northstar build` again, nothing new", f"{tag}.build-no-git", "no git"))
        lines.append(row(f"{tag}.build-one-commit", "`northstar build` after one new commit", f"{tag}.build-warm", "warm"))
        lines.append(row(f"{tag}.build-no-git", "`northstar build`, same files outside git (no history)"))
        if median(f"{tag}.build-one-commit") and median(f"{tag}.build-no-git"):
            r = median(f"{tag}.build-one-commit") / median(f"{tag}.build-no-git")
            lines.append(f"| one new commit / no git | | {r:.2f}× | |")
        for name, how in (("interleaved", ""), ("interleaved-settled", ", each started after a pause")):
            inter = read(f"{tag}.{name}", "json")
            if inter:
                j = json.loads(inter)
                m = j["medians"]
                pause = f" of {j['settle']:g} s" if how else ""
                lines.append(
                    f"| one new commit / no git, interleaved{how}{pause} ({j['rounds']} rounds: "
                    f"{m['one-commit']:.3f} s / {m['no-git']:.3f} s) | | "
                    f"{j['ratio']['median']:.2f}× | |"
                )
        lines.append("")

text = "\n".join(lines)
open(out_path, "w").write(text)
print(text)
PY
}

if [ "$MODE" = history ]; then run_history; else run_main; fi
echo "raw results: $RESULTS" >&2
