"""Summarise a mutmut run per module: build/mutation/report.md and build/mutation/results.json.

Run from the repository root after ``mutmut run`` (``make mutation`` does both). The status
of every mutant is taken from mutmut itself (``mutmut results --all true``); the modules are
the files of ``only_mutate`` in setup.cfg's ``[mutmut]`` section. Per module the report gives
the number of mutants killed, survived, timed out, skipped and not reached by any selected
test ("no tests"), the score killed / (killed + survived), and the names of the survivors
(``mutmut show NAME`` prints the change).

Mutants listed in ``benchmarks/mutation_equivalent.txt`` (one ``NAME  reason`` a line) are
equivalent (the program's output cannot change) or change the text of an error message only.
They still count as survivors in the score; the report marks them, lists the other survivors
apart and gives a second score, killed / (killed + survived - equivalent).

With ``--readme``, the block of README.md between ``<!-- mutation:start -->`` and
``<!-- mutation:end -->`` is rewritten with the table and the equivalent mutants, so that the
README quotes the run and the list of ``mutation_equivalent.txt`` from one place.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = Path(__file__).resolve().parent / "mutation_equivalent.txt"
README_START, README_END = "<!-- mutation:start -->", "<!-- mutation:end -->"
STATUSES = ("killed", "survived", "timeout", "skipped", "no tests")
"""The statuses counted per module; any other status of mutmut is counted under "other"."""
LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")


def modules(setup_cfg: Path) -> list[str]:
    """Return the dotted names of the mutated modules, in the order of setup.cfg.

    Parameters
    ----------
    setup_cfg : Path
        The setup.cfg with a ``[mutmut]`` section that has ``only_mutate``.

    Returns
    -------
    list of str
        For example ``gisplan.network.graph`` for ``gisplan/network/graph.py``.
    """
    parser = configparser.ConfigParser()
    parser.read(setup_cfg, encoding="utf-8")
    paths = parser.get("mutmut", "only_mutate").split()
    return [p.removesuffix(".py").replace("/", ".") for p in paths]


def mutant_statuses(root: Path) -> dict[str, str]:
    """Return the status of every mutant, by name, as ``mutmut results --all true`` prints it.

    Parameters
    ----------
    root : Path
        The repository root, where ``mutants/`` lies.

    Returns
    -------
    dict of str to str
        Mutant name to status ("killed", "survived", "timeout", ...).
    """
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                         cwd=root, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            found[match["name"]] = match["status"]
    return found


def equivalent_mutants(path: Path) -> dict[str, str]:
    """Return the mutants classified as equivalent, with their reason, by name.

    Parameters
    ----------
    path : Path
        A text file with one ``NAME  reason`` a line; ``#`` starts a comment line.

    Returns
    -------
    dict of str to str
        Mutant name to the reason why it cannot change the program's output.
    """
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, reason = line.strip().partition(" ")
            found[name] = reason.strip()
    return found


def _percent(score: float | None) -> str:
    return "n/a" if score is None else f"{100 * score:.1f} %"


def module_of(name: str, names: list[str]) -> str | None:
    """Return the module of a mutant name (the longest module name it starts with)."""
    owners = [m for m in names if name.startswith(m + ".")]
    return max(owners, key=len) if owners else None


def summarise(statuses: dict[str, str], names: list[str],
              equivalent: dict[str, str]) -> dict[str, dict]:
    """Count the statuses per module and list the survivors.

    Parameters
    ----------
    statuses : dict of str to str
        Mutant name to status.
    names : list of str
        The mutated modules.
    equivalent : dict of str to str
        Mutants classified as equivalent, with their reason.

    Returns
    -------
    dict
        Per module: the counts of ``STATUSES`` and ``other``, ``total``, ``score`` (None when
        no mutant was killed or survived), ``survived_mutants``, ``equivalent_mutants`` (the
        survivors classified as equivalent) and ``no_tests_mutants``.
    """
    result: dict[str, dict] = {}
    for module in names:
        counts: Counter[str] = Counter()
        survivors, untested = [], []
        for name, status in sorted(statuses.items()):
            if module_of(name, names) != module:
                continue
            counts[status if status in STATUSES else "other"] += 1
            if status == "survived":
                survivors.append(name)
            elif status == "no tests":
                untested.append(name)
        decided = counts["killed"] + counts["survived"]
        equivalent_here = [n for n in survivors if n in equivalent]
        result[module] = {
            **{status.replace(" ", "_"): counts[status] for status in STATUSES},
            "other": counts["other"],
            "total": sum(counts.values()),
            "score": round(counts["killed"] / decided, 4) if decided else None,
            "score_without_equivalent": _score(counts["killed"],
                                               len(survivors) - len(equivalent_here)),
            "survived_mutants": survivors,
            "equivalent_mutants": {n: equivalent[n] for n in survivors if n in equivalent},
            "no_tests_mutants": untested,
        }
    return result


def _score(killed: int, survived: int) -> float | None:
    """Return killed / (killed + survived), rounded, or None when both are 0."""
    return round(killed / (killed + survived), 4) if killed + survived else None


def markdown(summary: dict[str, dict]) -> str:
    """Render the summary as a Markdown report: the table, then the survivors per module."""
    lines = ["# Mutation testing of the numerical core", "",
             "Score = killed / (killed + survived). Equivalent survivors (the program's output "
             "cannot change) are counted as survivors and listed with their reason.", "",
             *table(summary)]
    for module, row in summary.items():
        open_ = [n for n in row["survived_mutants"] if n not in row["equivalent_mutants"]]
        if not (row["survived_mutants"] or row["no_tests_mutants"]):
            continue
        lines += ["", f"## {module}", ""]
        if open_:
            lines += ["Surviving (not classified):", ""] + [f"- `{n}`" for n in open_] + [""]
        if row["equivalent_mutants"]:
            lines += ["Surviving, equivalent:", ""]
            lines += [f"- `{n}`: {why}" for n, why in row["equivalent_mutants"].items()] + [""]
        if row["no_tests_mutants"]:
            lines += ["Not reached by any selected test:", ""]
            lines += [f"- `{n}`" for n in row["no_tests_mutants"]] + [""]
    return "\n".join(lines).rstrip() + "\n"


def table(summary: dict[str, dict]) -> list[str]:
    """Return the Markdown table of the counts and scores per module, with a total row."""
    lines = ["| module | killed | survived | equivalent | timeout | skipped | no tests | other "
             "| score | score without equivalent |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for module, row in summary.items():
        lines.append(f"| {module} | {row['killed']} | {row['survived']} | "
                     f"{len(row['equivalent_mutants'])} | {row['timeout']} | {row['skipped']} | "
                     f"{row['no_tests']} | {row['other']} | {_percent(row['score'])} | "
                     f"{_percent(row['score_without_equivalent'])} |")
    total = {key: sum(row[key] for row in summary.values())
             for key in ("killed", "survived", "timeout", "skipped", "no_tests", "other")}
    equivalent = sum(len(row["equivalent_mutants"]) for row in summary.values())
    lines.append(f"| **all** | {total['killed']} | {total['survived']} | {equivalent} | "
                 f"{total['timeout']} | {total['skipped']} | {total['no_tests']} | "
                 f"{total['other']} | {_percent(_score(total['killed'], total['survived']))} | "
                 f"{_percent(_score(total['killed'], total['survived'] - equivalent))} |")
    return lines


def readme_block(summary: dict[str, dict]) -> str:
    """Return the README's block: the table, then each module's equivalent mutants.

    Parameters
    ----------
    summary : dict
        The result of :func:`summarise`.

    Returns
    -------
    str
        Markdown, the equivalent mutants of each module folded in a ``<details>`` element.
    """
    lines = [README_START, "", *table(summary)]
    for module, row in summary.items():
        open_ = [n for n in row["survived_mutants"] if n not in row["equivalent_mutants"]]
        if open_:
            lines += ["", f"Surviving in `{module}`, not classified: "
                      + ", ".join(f"`{n}`" for n in open_)]
        if row["equivalent_mutants"]:
            lines += ["", "<details>", f"<summary>{module}: {len(row['equivalent_mutants'])} "
                      "surviving mutants classified, with the reason</summary>", ""]
            lines += [f"- `{n}`: {why}" for n, why in row["equivalent_mutants"].items()]
            lines += ["", "</details>"]
    return "\n".join([*lines, "", README_END])


def replace_readme_block(readme: Path, block: str) -> None:
    """Replace the README's mutation block with ``block``, atomically.

    Raises
    ------
    SystemExit
        If the README has no ``<!-- mutation:start -->`` ... ``<!-- mutation:end -->`` block.
    """
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme} has no {README_START} ... {README_END} block to replace")
    updated = text[:start] + block + text[end + len(README_END):]
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=readme.parent,
                                     delete=False, suffix=".tmp") as tmp:
        tmp.write(updated)
    os.replace(tmp.name, readme)


def main(argv: list[str] | None = None) -> int:
    """Write report.md and results.json; return 1 when mutmut has no results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "mutation",
                        help="folder for report.md and results.json (default build/mutation)")
    parser.add_argument("--readme", action="store_true",
                        help="also rewrite the table and equivalent mutants in README.md")
    args = parser.parse_args(argv)
    statuses = mutant_statuses(ROOT)
    if not statuses:
        print("no mutmut results: run `mutmut run` first", file=sys.stderr)
        return 1
    summary = summarise(statuses, modules(ROOT / "setup.cfg"), equivalent_mutants(EQUIVALENT))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(summary, indent=2) + "\n",
                                           encoding="utf-8")
    report = markdown(summary)
    (args.out / "report.md").write_text(report, encoding="utf-8")
    if args.readme:
        replace_readme_block(ROOT / "README.md", readme_block(summary))
    print(report.split("\n## ")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
