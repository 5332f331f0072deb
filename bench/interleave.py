#!/usr/bin/env python3
"""Times commands in alternation and reports the ratio of the first to the last.

    interleave.py [--settle S] ROUNDS OUT.json NAME PREPARE COMMAND [NAME PREPARE COMMAND ...]

hyperfine runs all of one command's runs, then all of the next one's; on
these machines the speed drifts by tens of percent over minutes, so two
medians taken a minute apart can differ by more than what they compare.
Here each round runs every command once, each after its PREPARE (not
timed; "" for none), and the ratio of the first command to the last is
taken within the round. The median of those per-round ratios is what
drift cannot move. Every other round runs the commands in reverse order:
the machine is not the same for whichever command goes first (two runs of
one command in fixed order differed by up to 5 %), and alternating cancels
that out. One warm-up round is run first and not counted.

--settle S waits S seconds after each PREPARE, before the timed command.
On the virtual machines these benchmarks run on, memory a process frees
is handed back to the host within about two seconds (free page
reporting), and a process that then touches fresh memory pays for the
host to supply it again: the build outside git ran 21 % slower when its
start followed a 3-second pause than right after the previous build
exited. So a command whose PREPARE takes longer (a git commit and a
cache put back) starts on colder memory than one whose PREPARE is a
quick `rm`; settling puts every command on the same footing.
Standard library only.
"""
import json
import statistics
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    settle = 0.0
    if args[:1] == ["--settle"] and len(args) > 1:
        settle, args = float(args[1]), args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    rounds, out = int(args[0]), args[1]
    rest = args[2:]
    if len(rest) < 6 or len(rest) % 3:
        sys.exit(__doc__)
    cmds = [tuple(rest[i : i + 3]) for i in range(0, len(rest), 3)]
    times = {name: [] for name, _, _ in cmds}
    for r in range(rounds + 1):
        for name, prepare, cmd in (cmds if r % 2 == 0 else cmds[::-1]):
            if prepare:
                subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
            time.sleep(settle)
            t = time.perf_counter()
            done = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - t
            if done.returncode not in (0, 1):
                sys.exit(f"{name} exited with {done.returncode}: {cmd}")
            if r > 0:
                times[name].append(elapsed)
    first, last = cmds[0][0], cmds[-1][0]
    ratios = [a / b for a, b in zip(times[first], times[last])]
    result = {
        "rounds": rounds,
        "settle": settle,
        "medians": {name: statistics.median(t) for name, t in times.items()},
        "times": times,
        "ratio": {"of": first, "to": last, "median": statistics.median(ratios), "rounds": ratios},
    }
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print(
        f"{first} / {last}: median of per-round ratios {result['ratio']['median']:.3f} "
        f"({rounds} rounds; medians {result['medians'][first]:.3f} s / {result['medians'][last]:.3f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
