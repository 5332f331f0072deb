#!/usr/bin/env python3
"""Edits a KEP schema for the config-edit benchmark (bench/README.md).

    kep-edit.py BASE.json SCHEMA.json [retype]

Writes SCHEMA.json as BASE.json with one more string field, a new name on
every call (a counter kept beside BASE.json), so each timed `check` sees a
schema it has not seen; with `retype`, flips `kep-number` between BASE's
type and text-or-integer instead. Standard library only.
"""
import json
import os
import sys


def main():
    base, schema = sys.argv[1], sys.argv[2]
    counter = base + ".n"
    n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
    with open(counter, "w") as f:
        f.write(str(n))
    s = json.load(open(base))
    if sys.argv[3:] == ["retype"]:
        if n % 2:
            s["properties"]["kep-number"] = {"type": ["string", "integer"]}
    else:
        s["properties"][f"added-{n}"] = {"type": "string", "description": f"field {n}"}
    with open(schema, "w") as f:
        json.dump(s, f, indent=2)


if __name__ == "__main__":
    main()
