#!/usr/bin/env python3
"""Checks the sizes docs/architecture.md promises for src/: no source file over 400 lines and no
folder (layer) holding more than 30 % of the lines. A file or folder past its limit asks to be
split before it becomes a second house; functions over 60 lines are reported by clang-tidy
(readability-function-size in src/.clang-tidy).

Usage: check_sizes.py SRC_DIR        check the tree
       check_sizes.py --self-test    prove that an oversized file and folder are caught
"""
import os
import sys
import tempfile

MAX_FILE_LINES = 400
MAX_FOLDER_SHARE = 0.30


def line_counts(src_dir):
    counts = {}
    for root, _, files in os.walk(src_dir):
        for name in sorted(files):
            if name.endswith((".h", ".cpp", ".h.in")):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    counts[os.path.relpath(path, src_dir).replace(os.sep, "/")] = sum(1 for _ in f)
    return counts


def check(src_dir):
    counts = line_counts(src_dir)
    problems = [f"{rel}: {n} lines (at most {MAX_FILE_LINES}: split it by what it does)"
                for rel, n in sorted(counts.items()) if n > MAX_FILE_LINES]
    total = sum(counts.values())
    folders = {}
    for rel, n in counts.items():
        folder = rel.split("/")[0] if "/" in rel else "."
        folders[folder] = folders.get(folder, 0) + n
    for folder, n in sorted(folders.items()):
        if total and n / total > MAX_FOLDER_SHARE:
            problems.append(f"{folder}/: {n} of {total} lines ({n / total:.0%}; at most "
                            f"{MAX_FOLDER_SHARE:.0%}: give part of it a floor of its own)")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        for folder, lines in (("a", 100), ("b", 100), ("c", 100), ("d", 100)):
            os.makedirs(os.path.join(tmp, folder))
            with open(os.path.join(tmp, folder, "x.cpp"), "w") as f:
                f.write("\n" * lines)
        if check(tmp):
            print("self-test: a tree within the limits was rejected:", check(tmp))
            return 1
        with open(os.path.join(tmp, "a", "big.cpp"), "w") as f:
            f.write("\n" * (MAX_FILE_LINES + 1))
        problems = check(tmp)
        if len(problems) != 2 or "a/big.cpp: 401 lines" not in problems[0] or "a/:" not in problems[1]:
            print("self-test: the 401-line file and the folder holding 59 % were not both reported:",
                  problems)
            return 1
    print("self-test: an oversized file and an oversized folder are reported")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"sizes: every file within {MAX_FILE_LINES} lines, every folder within "
          f"{MAX_FOLDER_SHARE:.0%} of src/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
