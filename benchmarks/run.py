"""Benchmarks of issue 7: one command, a Markdown table, a JSON record.

    python benchmarks/run.py                      # 1k and 10k documents, 3 runs each
    python benchmarks/run.py --quick              # 1k documents, 1 run: a smoke test
    python benchmarks/run.py --full               # also 100k documents and 1M release events
    python benchmarks/run.py --sizes 1k,10k --repeat 3
    python benchmarks/run.py --render benchmarks/results/<file>.json   # tables again, no run

For each corpus size it generates (or reuses) a synthetic project under
``benchmarks/corpus/<size>/`` (see ``benchmarks/generate.py``), then runs every command in a
fresh subprocess, several times, and reports the median wall time, CPU time (user + system of
the whole process tree), peak RSS and throughput:

* ``validate --no-cache`` (1 process), the reference for the check-jsonschema comparison;
* ``validate`` cold (cache folder deleted) with ``--jobs 2``;
* ``validate`` warm: nothing changed, and one annotation file changed;
* ``sahelevents --version``: the start-up every command pays;
* ``suggest --jobs 2`` on a new project: the first 200 and 1,000 documents of the smallest
  corpus (memory against the number of documents) and every document of the other corpora
  up to 10k (throughput at archive scale), and ``--dry-run`` into the annotated corpus;
* ``release 1.0.0`` cold (no cache) and warm, ``build`` warm;

and, side by side on the same files: ``check-jsonschema --schemafile
schema/annotation.schema.json`` against ``sahelevents validate``, and a spaCy
``fr_core_news_sm`` NER-only pipeline against ``sahelevents suggest`` over the same texts.

Results go to ``benchmarks/results/<date>-<machine>.json`` and the tables into
``docs/benchmarks.md`` (between the ``benchmarks:begin``/``end`` markers; the analysis
around them is prose kept by hand). Benchmarks are never timed tests.

Peak RSS is measured two ways: ``max RSS`` is the largest single process of the tree (exact,
from ``wait4``); ``tree RSS`` is the sum over the process tree, sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import generate

from sahelevents.sources import Registry

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPORA = BENCH / "corpus"
RESULTS = BENCH / "results"
DOCS = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"
RELEASE_DATE = "2025-10-01"
SCHEMA = "schema/annotation.schema.json"
MB = 1_000_000

# -- Running one command -------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    tree_rss_mb: float
    returncode: int
    load_before: float
    output_tail: str = ""
    #: The kernel's part of cpu_seconds: creating files in a folder where many were just
    #: deleted costs several times more of it (docs/benchmarks.md), so runs can be told apart.
    system_seconds: float | None = None


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (0 once they are gone)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1.0


def run_once(argv: Sequence[str], *, cwd: Path = REPO, env: dict[str, str] | None = None,
             keep_output: bool = False) -> Run:
    """Run ``argv`` to completion; wall time, CPU time and peak memory of its process tree."""
    load = load_average()
    output = subprocess.PIPE if keep_output else subprocess.DEVNULL
    if env is None:
        # Commands run as installed: with Python's bytecode cache, which some sandboxes
        # and containers switch off (compiling every module again costs ~0.3 s per run).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=output,
                               stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Read the pipes before waiting so a chatty command cannot block on a full pipe.
    stdout_data, stderr_data = b"", b""
    if process.stdout is not None:
        stdout_data = process.stdout.read()
    if process.stderr is not None:
        stderr_data = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    tail = (stdout_data + stderr_data).decode("utf-8", "replace").strip().splitlines()[-5:]
    return Run(seconds=round(seconds, 3), cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
               max_rss_mb=round(usage.ru_maxrss / 1024, 1), tree_rss_mb=round(peak[0] / 1024, 1),
               returncode=process.returncode, load_before=load, output_tail="\n".join(tail),
               system_seconds=round(usage.ru_stime, 3))


@dataclass
class Measure:
    size: str
    name: str
    command: str
    units: dict[str, float]  # what one run processed: files, events, text bytes ...
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.returncode == 0 for r in self.runs)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.runs) if self.runs else 0.0

    def rate(self, unit: str) -> float:
        seconds = self.median("seconds")
        return self.units.get(unit, 0.0) / seconds if seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ok=self.ok, median_seconds=self.median("seconds"),
                    median_cpu_seconds=self.median("cpu_seconds"),
                    median_max_rss_mb=self.median("max_rss_mb"),
                    median_tree_rss_mb=self.median("tree_rss_mb"),
                    rates={unit: round(self.rate(unit), 3) for unit in self.units})
        return data


def measure(size: str, name: str, argv: Sequence[str], units: dict[str, float], *,
            repeat: int, budget: float, cwd: Path = REPO,
            before: Callable[[int], None] | None = None, note: str = "",
            keep_output: bool = False) -> Measure:
    """Run ``argv`` up to ``repeat`` times (fewer when the runs exceed ``budget`` seconds)."""
    result = Measure(size, name, _display(argv), units, note=note)
    spent = 0.0
    for attempt in range(repeat):
        if before is not None:
            before(attempt)
        run = run_once(argv, cwd=cwd, keep_output=keep_output)
        result.runs.append(run)
        spent += run.seconds
        status = "ok" if run.returncode == 0 else f"exit {run.returncode}: {run.output_tail}"
        print(f"  {size:>6} {name:<42} {run.seconds:8.2f} s  cpu {run.cpu_seconds:8.2f} s  "
              f"(sys {run.system_seconds or 0:6.2f} s)  "
              f"rss {run.max_rss_mb:7.1f} MB  tree {run.tree_rss_mb:7.1f} MB  "
              f"load {run.load_before:4.1f}  {status}", flush=True)
        if run.returncode != 0 or spent > budget:
            break
    return result


def _display(argv: Sequence[str]) -> str:
    shown = []
    for part in argv:
        if part == sys.executable:
            part = "python"
        if part.startswith(str(REPO) + "/"):
            part = str(Path(part).relative_to(REPO))
        shown.append(part)
    return shlex.join(shown)


# -- The machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import sahelevents

    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gb": ram_gb,
            "python": platform.python_version(), "platform": platform.platform(),
            "sahelevents": sahelevents.__version__}


def code_fingerprint() -> str:
    """sha256 of the sahelevents sources: a run whose code changed midway is flagged."""
    import hashlib

    import sahelevents

    digest = hashlib.sha256()
    package = Path(sahelevents.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


#: A fixed pure-Python loop, timed in a fresh process at the start and at the end of a run:
#: shared machines change speed from hour to hour (up to 1.7x seen on the recording host),
#: and figures from different runs compare only through it.
SPEED_CHECK = "import time\nt=time.perf_counter()\ns=0\nfor i in range(30_000_000): s+=i\n" \
    "print(time.perf_counter()-t)"


def host_speed() -> float:
    """Seconds the speed-check loop takes now (lower is faster)."""
    out = subprocess.run([sys.executable, "-c", SPEED_CHECK], capture_output=True, text=True,
                         check=True).stdout
    return round(float(out), 2)


def machine_slug(info: dict[str, Any]) -> str:
    cpu = re.sub(r"[^a-z0-9]+", "-", str(info["cpu"]).lower()).strip("-")[:24]
    return f"{info['nproc']}cpu-{cpu}"


# -- Corpora ---------------------------------------------------------------------------------


def generator_fingerprint() -> str:
    import hashlib

    digest = hashlib.sha256((BENCH / "generate.py").read_bytes())
    for folder in ("codebook", "schema"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def corpus(label: str, documents: int, *, seed: int, jobs: int) -> dict[str, Any]:
    """The corpus of ``documents`` documents, generated unless an identical one exists."""
    folder = CORPORA / label
    stamp = folder / ".bench-stamp"
    wanted = f"{documents}/{seed}/{generator_fingerprint()}"
    summary_file = folder / "corpus.json"
    if stamp.is_file() and stamp.read_text() == wanted and summary_file.is_file():
        summary: dict[str, Any] = json.loads(summary_file.read_text())
        print(f"corpus {label}: reusing {folder.relative_to(REPO)} "
              f"({summary['documents']:,} documents)", flush=True)
    else:
        print(f"corpus {label}: generating {documents:,} documents ...", flush=True)
        summary = generate.generate(folder, documents, seed=seed, jobs=jobs,
                                    verify=str(min(50, documents))).to_dict()
        stamp.write_text(wanted)
        print(f"corpus {label}: {summary['seconds']} s", flush=True)
    summary["label"] = label
    summary["path"] = folder
    return summary


def reset(project: Path, *, cache: bool = True) -> None:
    """Remove what earlier runs left: validation cache, releases, build preview."""
    for name in ((".sahelevents-cache",) if cache else ()) + ("releases", "build"):
        shutil.rmtree(project / name, ignore_errors=True)


# -- The benchmark of one corpus -------------------------------------------------------------


def sahelevents_cmd(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "sahelevents", "--root", str(project), "--quiet", *args]


def available_commands() -> set[str]:
    out = subprocess.run([sys.executable, "-m", "sahelevents", "--help"], capture_output=True,
                         text=True, check=False).stdout
    section = out.split("Commands:", 1)[-1]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def command_help(name: str) -> str:
    return subprocess.run([sys.executable, "-m", "sahelevents", name, "--help"],
                          capture_output=True, text=True, check=False).stdout


def bench_corpus(info: dict[str, Any], args: argparse.Namespace,
                 commands: set[str]) -> list[Measure]:
    project: Path = info["path"]
    size = info["label"]
    files = float(info["documents"])
    units = {"files": files, "events": float(info["all_events"]),
             "text_mb": info["text_bytes"] / MB}
    release_units = {"events": float(info["accepted_events"]), "files": files}
    repeat, budget = args.repeat, args.budget
    measures: list[Measure] = []

    def cold(_: int) -> None:
        reset(project)

    reset(project)
    if size == args.compare_size:
        # Every command pays this before its first line of work (imports, command modules).
        measures.append(measure(size, "start-up: sahelevents --version",
                                [sys.executable, "-m", "sahelevents", "--version"], {},
                                repeat=max(repeat, 3), budget=budget))
    if size == args.compare_size:  # the reference for check-jsonschema (one process each)
        measures.append(measure(
            size, "validate --no-cache (1 process)",
            sahelevents_cmd(project, "validate", "--no-cache"), units, repeat=repeat,
            budget=budget, before=cold))
    measures.append(measure(
        size, f"validate cold --jobs {args.jobs}",
        sahelevents_cmd(project, "validate", "--jobs", str(args.jobs)), units, repeat=repeat,
        budget=budget, before=cold, note="cache folder deleted before each run"))
    # The cache is now filled by the last cold run.
    measures.append(measure(
        size, f"validate warm, nothing changed --jobs {args.jobs}",
        sahelevents_cmd(project, "validate", "--jobs", str(args.jobs)), units, repeat=repeat,
        budget=budget))
    touched = project / "annotations" / "syn000000.yaml"
    original = touched.read_bytes()

    def change_one(attempt: int) -> None:
        touched.write_bytes(original + f"# benchmark edit {attempt}\n".encode())

    try:
        measures.append(measure(
            size, f"validate warm, 1 file changed --jobs {args.jobs}",
            sahelevents_cmd(project, "validate", "--jobs", str(args.jobs)), units,
            repeat=repeat, budget=budget, before=change_one,
            note="one annotation file edited (a comment appended) before each run"))
    finally:
        touched.write_bytes(original)
    if size == args.compare_size:
        measures.extend(bench_suggest(info, args, commands))
    elif files <= 10_000 and not args.quick:
        # Throughput at archive scale: a whole corpus, start-up spread over every document.
        measures.extend(bench_suggest(info, args, commands, counts=[int(files)],
                                      dry_run=False))
    # release/build: cold = a fresh clone in CI (no cache: validation and compilation from
    # scratch); warm = the cache filled by an earlier validate/release, nothing changed.
    def no_release(_: int) -> None:
        reset(project, cache=False)

    if "release" in commands:
        measures.append(measure(
            size, f"release 1.0.0 cold (no cache) --jobs {args.jobs}",
            sahelevents_cmd(project, "release", "1.0.0", "--date", RELEASE_DATE,
                            "--jobs", str(args.jobs)), release_units,
            repeat=repeat, budget=budget, before=cold,
            note="validation and compilation from scratch, each file parsed once"))
        measures.append(measure(
            size, "release 1.0.0 warm (cache filled)",
            sahelevents_cmd(project, "release", "1.0.0", "--date", RELEASE_DATE), release_units,
            repeat=repeat, budget=budget, before=no_release))
    if "build" in commands:
        measures.append(measure(
            size, "build warm (cache filled)",
            sahelevents_cmd(project, "build", "--date", RELEASE_DATE), release_units,
            repeat=repeat, budget=budget, before=no_release))
    return measures


def unused_path(path: Path) -> Path:
    """``path``, or the first of ``<stem>-2``, ``<stem>-3``... that does not exist: a second
    run on the same day keeps the first one's figures."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def fresh_project(project: Path) -> Path:
    """A project sharing ``project``'s codebook and texts, without annotation files: what
    ``suggest`` sees when it first runs over a new archive.

    It is a new folder in the system's temporary directory, not beside the corpora: there,
    where every benchmark run had created and deleted tens of thousands of files, creating
    the 10,000 new files cost the kernel 3.7-5.4 s more CPU (4.4-6.5 s of system time
    against 1.0-1.4 s in a folder elsewhere on the same disk, at the same hour, on the same
    code), which a first ``suggest`` over a new archive does not pay (docs/benchmarks.md).
    """
    fresh = Path(tempfile.mkdtemp(prefix=f"sahelevents-bench-{project.name}-"))
    for name in ("codebook", "schema", "seeds"):
        (fresh / name).symlink_to(project.resolve() / name, target_is_directory=True)
    (fresh / "annotations").mkdir()
    return fresh


def bench_suggest(info: dict[str, Any], args: argparse.Namespace, commands: set[str], *,
                  counts: Sequence[int] | None = None, dry_run: bool = True) -> list[Measure]:
    """suggest on the first N documents of a fresh project (writes new files), for each N of
    ``counts`` (default --suggest-docs), and merging into the annotated corpus (--dry-run,
    first N documents)."""
    project: Path = info["path"]
    label = info["label"]
    counts = sorted({min(n, int(info["documents"])) for n in (counts or args.suggest_docs)})
    if "suggest" not in commands:
        return [Measure(label, f"suggest --jobs {args.jobs}", "sahelevents suggest", {},
                        note="TODO: `sahelevents suggest` did not exist when this ran")]
    registry = Registry.load(project / "seeds" / "sources.yaml")
    sizes = {d.id: (project / "seeds" / d.file).stat().st_size
             for d in registry.data.documents}
    ids = list(sizes)
    fresh = fresh_project(project)

    # The files of each run are moved aside and deleted when the benchmark ends: creating
    # files just after deleting thousands costs ext4 far more kernel time (perf shows it in
    # the inode allocator's recently_deleted check: ~0.5 ms instead of 0.05 ms per file
    # here), which a first suggest over a new archive does not pay, nor should the commands
    # measured after this one.
    set_aside = fresh.parent / f"{fresh.name}-previous-runs"
    shutil.rmtree(set_aside, ignore_errors=True)
    set_aside.mkdir()
    atexit.register(shutil.rmtree, set_aside, True)

    def move_aside() -> None:
        folder = fresh / "annotations"
        if folder.exists():
            folder.rename(set_aside / str(len(list(set_aside.iterdir()))))

    def empty_annotations(_: int) -> None:
        move_aside()
        (fresh / "annotations").mkdir()

    measures = []
    try:
        for count in counts:
            chosen = ids[:count]
            units = {"files": float(count), "text_mb": sum(sizes[d] for d in chosen) / MB}
            every = [] if count == len(ids) else chosen
            measures.append(measure(
                label, f"suggest --jobs {args.jobs}, new project, {count:,} docs",
                sahelevents_cmd(fresh, "suggest", "--jobs", str(args.jobs), *every), units,
                repeat=args.repeat, budget=args.budget, before=empty_annotations,
                note="no annotation files yet: extraction + writing new files"))
        count = counts[0]
        chosen = ids[:count]
        units = {"files": float(count), "text_mb": sum(sizes[d] for d in chosen) / MB}
        if not dry_run:
            return measures
        measures.append(measure(
            label, f"suggest --jobs {args.jobs} --dry-run, annotated, {count:,} docs",
            sahelevents_cmd(project, "suggest", "--jobs", str(args.jobs), "--dry-run", *chosen),
            units, repeat=args.repeat, budget=args.budget,
            note="every document already has an annotation file: extraction + merge"))
    finally:
        move_aside()
        shutil.rmtree(fresh, ignore_errors=True)
    return measures


# -- Side by side ----------------------------------------------------------------------------


def compare_jsonschema(info: dict[str, Any], args: argparse.Namespace,
                       reference: Measure) -> dict[str, Any] | None:
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent /
                                                   "check-jsonschema")
    if not Path(tool).exists():
        print("  check-jsonschema is not installed (pip install -e '.[bench]'): skipped")
        return None
    project: Path = info["path"]
    files = sorted(str(p.relative_to(project)) for p in (project / "annotations").glob("*.yaml"))
    # One process for all files, like `sahelevents validate`; ARG_MAX allows ~40,000 names.
    argv = [tool, "--schemafile", SCHEMA, *files]
    other = measure(info["label"], "check-jsonschema (schema only)", argv,
                    {"files": float(len(files))}, repeat=args.repeat, budget=args.budget,
                    cwd=project)
    other.command = f"check-jsonschema --schemafile {SCHEMA} annotations/*.yaml"
    return {"size": info["label"], "what": "validate vs check-jsonschema (schema only), 1 "
            "process each, same files", "sahelevents": reference.name,
            "sahelevents_seconds": reference.median("seconds"), "other": other.command,
            "sahelevents_cpu": reference.median("cpu_seconds"),
            "other_cpu": other.median("cpu_seconds"),
            "other_seconds": other.median("seconds"), "other_ok": other.ok,
            "other_output": other.runs[-1].output_tail if other.runs else "",
            "ratio": round(reference.median("seconds") / other.median("seconds"), 2)
            if other.runs and other.median("seconds") else None,
            "measure": other.to_dict()}


def compare_spacy(info: dict[str, Any], args: argparse.Namespace,
                  suggest: Measure | None) -> dict[str, Any] | None:
    try:
        import spacy  # noqa: F401
    except ImportError:
        print("  spaCy is not installed (pip install -e '.[bench]'): skipped")
        return None
    project: Path = info["path"]
    argv = [sys.executable, str(BENCH / "run.py"), "--internal-spacy", str(project),
            str(args.jobs)]
    other = measure(info["label"], f"spaCy fr_core_news_sm NER, n_process={args.jobs}", argv,
                    {"files": float(info["documents"]), "text_mb": info["text_bytes"] / MB},
                    repeat=max(1, min(args.repeat, 2)), budget=args.budget, keep_output=True)
    inside = _json_line(other.runs[-1].output_tail) if other.runs else {}
    comparison: dict[str, Any] = {
        "spacy": inside,
        "size": info["label"], "what": "suggest vs spaCy NER only, same texts, "
        f"{args.jobs} processes each", "other": other.command,
        "other_seconds": other.median("seconds"), "other_cpu": other.median("cpu_seconds"),
        "other_mb_per_s": round(other.rate("text_mb"), 3),
        "measure": other.to_dict()}
    if suggest is not None and suggest.runs and suggest.ok:
        comparison.update(sahelevents=suggest.name, sahelevents_seconds=suggest.median(
            "seconds"), sahelevents_cpu=suggest.median("cpu_seconds"),
            sahelevents_mb_per_s=round(suggest.rate("text_mb"), 3),
            ratio=round(suggest.median("seconds") / other.median("seconds"), 2))
    return comparison


def _json_line(output: str) -> dict[str, Any]:
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            try:
                found: dict[str, Any] = json.loads(line)
                return found
            except ValueError:
                continue
    return {}


def spacy_ner(project: Path, jobs: int) -> dict[str, Any]:
    """(internal) NER over every registered text of ``project``; prints timing as JSON."""
    import spacy

    started = time.perf_counter()
    nlp = spacy.load("fr_core_news_sm")
    ner = nlp.get_pipe("ner")
    # Keep the NER and, if it listens to a shared tok2vec, that tok2vec; nothing else.
    listens = any(getattr(node, "name", "").startswith("tok2vec-listener")
                  for node in getattr(ner, "model").walk())  # noqa: B009 (untyped)
    keep = {"ner", "tok2vec"} if listens else {"ner"}
    disabled = [name for name in nlp.pipe_names if name not in keep]
    loaded = time.perf_counter()
    texts = [p.read_text(encoding="utf-8") for p in sorted((project / "seeds").glob("*.txt"))]
    entities = 0
    with nlp.select_pipes(disable=disabled):
        for doc in nlp.pipe(texts, batch_size=32, n_process=jobs):
            entities += len(doc.ents)
    finished = time.perf_counter()
    return {"texts": len(texts), "bytes": sum(len(t.encode()) for t in texts),
            "entities": entities, "pipes": [n for n in nlp.pipe_names if n not in disabled],
            "load_seconds": round(loaded - started, 2),
            "pipe_seconds": round(finished - loaded, 2)}


# -- Targets ---------------------------------------------------------------------------------


def _find(measures: Sequence[Measure], size: str, prefix: str) -> Measure | None:
    return next((m for m in measures if m.size == size and m.name.startswith(prefix)
                 and m.runs), None)


def targets(measures: Sequence[Measure], release_1m: dict[str, Any] | None,
            end_to_end: dict[str, Any] | None, sizes: Sequence[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def verdict(ok: bool, shortfall: str) -> str:
        return "met" if ok else f"missed ({shortfall})"

    at = "10k" if "10k" in sizes else sizes[-1]
    scale = 10_000 / generate.parse_size(at)
    cold = _find(measures, at, "validate cold")
    if cold is not None:
        seconds = cold.median("seconds") * scale
        rows.append({"target": "validate 10,000 files cold <= 15 s",
                     "measured": f"{seconds:.1f} s" + ("" if scale == 1 else
                                                       f" (extrapolated from {at})"),
                     "verdict": verdict(seconds <= 15, f"{seconds / 15:.1f}x the target")})
    warm = _find(measures, at, "validate warm, 1 file")
    if warm is not None:
        seconds = warm.median("seconds")
        # The warm path grows with the number of files: a smaller corpus cannot tell.
        rows.append({"target": "validate 10,000 files, 1 changed <= 1 s",
                     "measured": f"{seconds:.2f} s" + ("" if scale == 1 else f" (at {at})"),
                     "verdict": verdict(seconds <= 1, f"{seconds:.1f}x the target")
                     if scale == 1 else "not measured at 10,000 files (run the 10k size)"})
    suggests = [m for m in measures if m.name.startswith("suggest") and "new project" in m.name
                and m.runs]
    if suggests:
        best = suggests[-1]
        rate = best.rate("text_mb")
        rows.append({"target": "suggest >= 2 MB/s with --jobs 2",
                     "measured": f"{rate:.3f} MB/s ({best.units['files']:,.0f} documents, "
                     f"{best.units['text_mb']:.1f} MB)",
                     "verdict": verdict(rate >= 2, f"{2 / rate:.1f}x too slow" if rate else
                                        "failed")})
        # Memory against the number of documents on one corpus: a larger corpus also has a
        # larger registry, which every process holds.
        same_corpus = [m for m in suggests if m.size == suggests[0].size]
        if len(same_corpus) > 1:
            low, high = same_corpus[0], same_corpus[-1]
            growth = high.median("max_rss_mb") / max(low.median("max_rss_mb"), 1)
            rows.append({"target": "suggest memory flat in the number of documents",
                         "measured": f"largest process {low.median('max_rss_mb'):.0f} MB "
                         f"for {low.units['files']:,.0f} documents, "
                         f"{high.median('max_rss_mb'):.0f} MB for {high.units['files']:,.0f}; "
                         f"whole tree {low.median('tree_rss_mb'):.0f} / "
                         f"{high.median('tree_rss_mb'):.0f} MB",
                         "verdict": verdict(growth < 1.25, f"x{growth:.1f}")})
    else:
        rows.append({"target": "suggest >= 2 MB/s with --jobs 2; memory flat",
                     "measured": "not measured", "verdict": "TODO: no suggest command yet"})
    if release_1m is not None:
        seconds, rss = release_1m["seconds"], release_1m["max_rss_mb"]
        rows.append({"target": "release 1,000,000 events <= 60 s, <= 4 GB (release stage)",
                     "measured": f"{seconds:.0f} s, {rss / 1024:.1f} GB peak "
                     f"({release_1m['how']})",
                     "verdict": verdict(seconds <= 60 and rss <= 4096,
                                        f"{seconds / 60:.1f}x the time, "
                                        f"{rss / 4096:.1f}x the memory")})
        colds = [m for m in measures
                 if m.name.startswith("release 1.0.0 cold") and m.runs and m.ok]
        if end_to_end is not None:
            pass  # measured, not extrapolated: the end-to-end row below
        elif colds:
            largest = colds[-1]
            # A first release from the files: validation, compilation and the release stage.
            per_event = largest.median("seconds") / largest.units["events"]
            first = per_event * 1e6
            how = largest.name.removeprefix("release 1.0.0 cold (no cache) ")
            rows.append({"target": "release 1,000,000 events <= 60 s (first release: "
                         "validating and compiling the annotation files too)",
                         "measured": f"~{first:.0f} s: the cold release of {largest.size} "
                         f"costs {1000 * per_event:.2f} ms/event ({how}; straight-line "
                         "extrapolation; --full measures it)",
                         "verdict": verdict(first <= 60, f"~{first / 60:.1f}x the time")})
        else:  # no cold release measured: the compilation alone, from release_rows
            inside = release_1m["inside"]
            per_event = inside["compile_seconds"] / inside["compiled_events"]
            rows.append({"target": "release 1,000,000 events <= 60 s (with parsing + "
                         "compiling the annotation files)",
                         "measured": f"~{seconds + per_event * 1e6:.0f} s: compiling costs "
                         f"{per_event * 1000:.2f} ms/event at {inside['compiled_events']:,} "
                         "events (one process; straight-line extrapolation)",
                         "verdict": verdict(seconds + per_event * 1e6 <= 60,
                                            f"~{(seconds + per_event * 1e6) / 60:.0f}x the "
                                            "time")})
    if end_to_end is not None:
        warm = end_to_end.get("warm")
        if warm is not None:
            seconds, rss = warm["seconds"], warm["max_rss_mb"]
            rows.append({"target": "release 1,000,000 events <= 60 s, <= 4 GB (end to end, "
                         "every release after the first: the cache filled, nothing changed)",
                         "measured": f"{seconds:.0f} s, {rss / 1024:.2f} GB peak (median of "
                         f"{warm['runs']})",
                         "verdict": verdict(seconds <= 60 and rss <= 4096,
                                            f"{seconds / 60:.1f}x the time, "
                                            f"{rss / 4096:.1f}x the memory")})
        seconds, rss = end_to_end["seconds"], end_to_end["max_rss_mb"]
        rows.append({"target": "release 1,000,000 events <= 60 s, <= 4 GB (end to end, the "
                     "first release)",
                     "measured": f"{seconds:.0f} s, {rss / 1024:.1f} GB ({end_to_end['how']})",
                     "verdict": verdict(seconds <= 60 and rss <= 4096,
                                        f"{seconds / 60:.1f}x the time, "
                                        f"{rss / 4096:.1f}x the memory")})
    if release_1m is None and end_to_end is None:
        releases = [m for m in measures
                    if m.name.startswith("release 1.0.0 cold") and m.runs and m.ok]
        if len(releases) >= 2:
            small, large = releases[-2], releases[-1]
            seconds = extrapolate(small, large, "seconds", 1_000_000)
            rss = extrapolate(small, large, "max_rss_mb", 1_000_000)
            rows.append({"target": "release 1,000,000 events <= 60 s, <= 4 GB",
                         "measured": f"~{seconds:.0f} s, ~{rss / 1024:.1f} GB (straight line "
                         f"through {small.size} and {large.size}; --full measures it)",
                         "verdict": verdict(seconds <= 60 and rss <= 4096,
                                            f"~{seconds / 60:.0f}x the time")})
    linear = linearity(measures)
    if linear:
        rows.append({"target": "cost grows linearly with the corpus",
                     "measured": linear, "verdict": "see per-file cost"})
    return rows


def extrapolate(small: Measure, large: Measure, attribute: str, events: float) -> float:
    """``attribute`` at ``events`` on the line through two measures (fixed cost + slope)."""
    x1, x2 = small.units["events"], large.units["events"]
    y1, y2 = small.median(attribute), large.median(attribute)
    slope = (y2 - y1) / (x2 - x1) if x2 != x1 else y2 / x2
    return y2 + slope * (events - x2)


def linearity(measures: Sequence[Measure]) -> str:
    """Per-file cost of the cold validation and the release at each size."""
    parts = []
    for prefix in ("validate cold", "release 1.0.0 cold", "release 1.0.0 warm"):
        found = [m for m in measures if m.name.startswith(prefix) and m.runs and m.ok]
        if len(found) > 1:
            costs = ", ".join(f"{m.size}: {1000 * m.median('seconds') / m.units['files']:.1f}"
                              for m in found)
            parts.append(f"{prefix} ms/file {costs}")
    return "; ".join(parts)


# -- The 1,000,000-event release -------------------------------------------------------------


def bench_release_1m(args: argparse.Namespace) -> dict[str, Any] | None:
    """End-to-end ``release`` of a corpus with 1,000,000 accepted events (``--full``): the
    first release (no cache: every file validated and compiled), then releases after it
    (the cache filled by the first, nothing changed), as a project releases day to day."""
    events = 1_000_000
    documents = round(events / generate.MEAN_ACCEPTED_EVENTS)
    info = corpus("1m-events", documents, seed=args.seed, jobs=args.jobs)
    project: Path = info["path"]
    units = {"events": float(info["accepted_events"]), "files": float(documents)}
    measured = measure("1m-events", f"release 1.0.0 --jobs {args.jobs} end to end",
                       sahelevents_cmd(project, "release", "1.0.0", "--date", RELEASE_DATE,
                                       "--jobs", str(args.jobs)),
                       units, repeat=1, budget=args.budget, before=lambda _: reset(project))
    if not measured.runs:
        return None
    run = measured.runs[0]
    found: dict[str, Any] = {
        "seconds": run.seconds, "max_rss_mb": run.max_rss_mb, "ok": measured.ok,
        "events": info["accepted_events"], "documents": documents,
        "how": "end to end, a first release: no cache, every file validated and compiled",
        "measure": measured.to_dict()}
    if measured.ok:
        warm = measure("1m-events", "release 1.0.0 warm (cache filled)",
                       sahelevents_cmd(project, "release", "1.0.0", "--date", RELEASE_DATE),
                       units, repeat=args.repeat, budget=args.budget,
                       before=lambda _: reset(project, cache=False))
        if warm.runs and warm.ok:
            found["warm"] = {"seconds": warm.median("seconds"),
                             "max_rss_mb": warm.median("max_rss_mb"),
                             "runs": len(warm.runs), "measure": warm.to_dict()}
    return found


def release_rows(project: Path, events: int) -> dict[str, Any]:
    """(internal) ``publish.release`` on ``events`` rows: the project's compiled rows,
    replicated with distinct refs, fed to the real release code after compilation."""
    import resource

    import polars as pl

    from sahelevents.project import Project
    from sahelevents.release import publish
    from sahelevents.release.compile import compile_events
    from sahelevents.workspace import Workspace

    ws = Workspace(Project(project))
    started = time.perf_counter()
    base = compile_events(ws)
    compile_seconds = time.perf_counter() - started
    compiled_events = base.events.height
    copies = -(-events // compiled_events)

    def replicated(frame: pl.DataFrame, refs: str) -> pl.DataFrame:
        # Each copy gets its own refs ("<doc>#e1-r3"): distinct events for the id ledger.
        # concat copies the Arrow buffers, so the replicated rows cost real memory.
        copies_of = [frame.with_columns(
            pl.col(refs).list.eval(pl.element() + f"-r{copy}").list.sort())
            for copy in range(copies)]
        return pl.concat(copies_of, rechunk=True).head(events)

    rows = dataclasses.replace(base, events=replicated(base.events, "annotation_refs"),
                               groups=replicated(base.groups, "refs"))
    del base
    released = rows.events.height  # the release takes the rows: count them first
    setattr(publish, "compile_events", lambda *_, **__: rows)  # noqa: B010
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shutil.rmtree(project / "releases", ignore_errors=True)
    started = time.perf_counter()
    outcome = publish.release(ws, "1.0.0", date=RELEASE_DATE, validate=False)
    release_seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    folder = outcome.path or project / "releases" / "1.0.0"
    sizes = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
    # Partitioned Parquet for DuckDB and Spark (docs/scaling.md), from the release file.
    partitioned = project / "releases" / "events-by-country-year"
    started = time.perf_counter()
    frame = pl.read_parquet(folder / "events.parquet")
    frame.write_parquet(partitioned, partition_by=["country", "year"])
    partition_seconds = time.perf_counter() - started
    queries = duckdb_queries(partitioned)
    partitions = sum(1 for _ in partitioned.rglob("*.parquet"))
    shutil.rmtree(project / "releases", ignore_errors=True)
    return {"events": released, "copies": copies, "compile_seconds": round(compile_seconds, 2),
            "compiled_events": compiled_events, "release_seconds": round(release_seconds, 2),
            "rss_before_release_mb": round(rss_before), "peak_rss_mb": round(rss_after),
            "files_mb": {k: round(v / MB, 1) for k, v in sorted(sizes.items())},
            "partition_seconds": round(partition_seconds, 2),
            "partitions": partitions, "duckdb": queries}


def duckdb_queries(folder: Path) -> dict[str, Any]:
    """Seconds for typical DuckDB queries over the hive-partitioned release."""
    import duckdb

    pattern = f"{folder}/*/*/*.parquet"
    source = f"read_parquet('{pattern}', hive_partitioning=true)"
    timings: dict[str, Any] = {}
    connection = duckdb.connect()
    for name, sql in (
            ("count by country and year",
             f"SELECT country, year, count(*), sum(fatalities) FROM {source} GROUP BY ALL"),
            ("one country-year (partition pruning)",
             f"SELECT count(*), sum(fatalities) FROM {source} WHERE country = 'Mali' AND "
             "year = 2024"),
            ("evidence of one event (nested column)",
             f"SELECT event_id_cnty, unnest(evidence).quote FROM {source} WHERE "
             "event_id_cnty = 'MLI1'")):
        started = time.perf_counter()
        rows = connection.execute(sql).fetchall()
        timings[name] = {"seconds": round(time.perf_counter() - started, 3), "rows": len(rows)}
    return timings


def bench_release_rows(info: dict[str, Any], args: argparse.Namespace) -> dict[str, Any] | None:
    """The 1,000,000-event release: real release code on replicated compiled rows."""
    project: Path = info["path"]
    reset(project, cache=False)
    events = 1_000_000
    argv = [sys.executable, str(BENCH / "run.py"), "--internal-release-rows", str(project),
            str(events)]
    found = measure(info["label"], "release 1,000,000 events (rows replicated from "
                    f"{info['label']})", argv, {"events": float(events)}, repeat=1,
                    budget=args.budget, keep_output=True)
    inside = _json_line(found.runs[-1].output_tail) if found.runs else {}
    if not inside:
        return None
    return {"seconds": inside["release_seconds"], "max_rss_mb": inside["peak_rss_mb"],
            "how": f"release stage on {info['label']}'s compiled rows replicated "
            f"x{inside['copies']}; parsing and compiling the files excluded, see below",
            "inside": inside, "measure": found.to_dict()}


# -- Report ------------------------------------------------------------------------------------


def _rate_text(m: Measure) -> str:
    parts = []
    if "files" in m.units:
        parts.append(f"{m.rate('files'):,.0f} files/s")
    if "events" in m.units:
        parts.append(f"{m.rate('events'):,.0f} events/s")
    if "text_mb" in m.units and (m.name.startswith(("suggest", "spaCy"))):
        parts.append(f"{m.rate('text_mb'):.2f} MB/s")
    return ", ".join(parts)


def markdown(record: dict[str, Any], measures: Sequence[Measure]) -> str:
    info = record["machine"]
    lines = [
        f"Measured {record['date']} on {info['nproc']} CPUs ({info['cpu']}), "
        f"{info['ram_gb']} GB RAM, Python {info['python']}, sahelevents "
        f"{info['sahelevents']} (sources {record['code']['start']}). Command: "
        f"`{record['command']}`. Raw figures: `{record['results_file']}`."
        + ("" if record["code"]["start"] == record["code"]["end"] else
           f" **The code changed during this run (to {record['code']['end']}): figures of "
           "different commands may come from different code.**"),
        "",
    ]
    speed = record.get("speed_check_seconds")
    if speed:
        lines += [
            f"Host speed check (a fixed 30-million-step Python loop, lower is faster): "
            f"{speed['start']:.2f} s at the start of the run, {speed['end']:.2f} s at the end "
            "(about 2.2 s when this host is quiet). Compare figures of runs through it.", ""]
    lines += [
        "| corpus | documents | events (accepted) | French text |",
        "|---|---:|---:|---:|",
    ]
    for c in record["corpora"]:
        lines.append(f"| {c['label']} | {c['documents']:,} | {c['all_events']:,} "
                     f"({c['accepted_events']:,}) | {c['text_bytes'] / MB:.1f} MB |")
    lines += ["", "| size | command | runs | median wall | CPU | max RSS | tree RSS | throughput "
              "| load |", "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for m in measures:
        if not m.runs:
            lines.append(f"| {m.size} | {m.name} | 0 | - | - | - | - | {m.note} | - |")
            continue
        flag = "" if m.ok else " **(failed: exit " + ", ".join(
            str(r.returncode) for r in m.runs) + ")**"
        lines.append(
            f"| {m.size} | {m.name}{flag} | {len(m.runs)} | {m.median('seconds'):.2f} s | "
            f"{m.median('cpu_seconds'):.2f} s | {m.median('max_rss_mb'):.0f} MB | "
            f"{m.median('tree_rss_mb'):.0f} MB | {_rate_text(m)} | "
            f"{statistics.median(r.load_before for r in m.runs):.1f} |")
    comparisons = record["comparisons"]
    if comparisons:
        lines += ["", "| size | side by side | sahelevents wall / CPU | other wall / CPU | "
                  "ratio sahelevents / other (wall, CPU) |", "|---|---|---:|---:|---:|"]
        for c in comparisons:
            if c.get("sahelevents_seconds"):
                mine = f"{c['sahelevents_seconds']:.1f} s / {c['sahelevents_cpu']:.1f} s"
                ratio = (f"{c['sahelevents_seconds'] / c['other_seconds']:.2f}, "
                         f"{c['sahelevents_cpu'] / c['other_cpu']:.2f}")
            else:
                mine, ratio = "not measured", "-"
            lines.append(f"| {c['size']} | {c['what']} | {mine} | {c['other_seconds']:.1f} s / "
                         f"{c['other_cpu']:.1f} s | {ratio} |")
    release_1m = record.get("release_1m")
    if release_1m:
        inside = release_1m["inside"]
        files = ", ".join(f"{name} {size:,.1f} MB" for name, size in inside["files_mb"].items()
                          if size >= 0.1)
        per_event = 1000 * inside["compile_seconds"] / inside["compiled_events"]
        lines += ["", "| 1,000,000-event release | measured |", "|---|---|",
                  f"| compile the annotation files ({inside['compiled_events']:,} events) | "
                  f"{inside['compile_seconds']:.1f} s ({per_event:.2f} ms/event) |",
                  f"| replicate to {inside['events']:,} events (x{inside['copies']}) | memory "
                  f"before the release stage: {inside['rss_before_release_mb']:,} MB |",
                  f"| release stage: ids, sort, CSV, JSONL, Parquet, datapackage, checksums, "
                  f"fsync | {inside['release_seconds']:.1f} s, peak {inside['peak_rss_mb']:,} MB |",
                  f"| files | {files} |",
                  f"| hive-partitioned copy (country=/year=) from events.parquet | "
                  f"{inside['partition_seconds']:.1f} s, {inside['partitions']} files |"]
        for name, timing in inside["duckdb"].items():
            lines.append(f"| DuckDB over the partitions: {name} | {timing['seconds'] * 1000:.0f} "
                         f"ms ({timing['rows']} rows) |")
    end_to_end = record.get("release_1m_end_to_end")
    if end_to_end:
        tree = end_to_end["measure"]["runs"][0]["tree_rss_mb"]
        lines += ["", f"| `release` end to end, {end_to_end['events']:,} accepted events in "
                  f"{end_to_end['documents']:,} files | wall | largest process | measured |",
                  "|---|---:|---:|---|",
                  f"| first release (no cache) | {end_to_end['seconds']:.0f} s | "
                  f"{end_to_end['max_rss_mb']:,.0f} MB | one run; {tree:,.0f} MB with the "
                  "workers |"]
        warm = end_to_end.get("warm")
        if warm:
            lines.append(f"| after the first (cache filled, nothing changed) | "
                         f"{warm['seconds']:.1f} s | {warm['max_rss_mb']:,.0f} MB | median of "
                         f"{warm['runs']} |")
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    for t in record["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {t['verdict']} |")
    return "\n".join(lines) + "\n"


def write_docs(table: str) -> None:
    block = f"{BEGIN}\n{table}{END}"
    if DOCS.is_file():
        text = DOCS.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + block + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = f"# Benchmarks\n\n{block}\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


# -- Command line -----------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark validate, suggest, release and build on synthetic corpora.")
    parser.add_argument("--sizes", default="1k,10k",
                        help="corpus sizes in documents, comma-separated (default 1k,10k)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--budget", type=float, default=240.0,
                        help="stop repeating a command once its runs took this many seconds")
    parser.add_argument("--jobs", type=int, default=2,
                        help="--jobs for validate, suggest and the cold release")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1k documents, one run each")
    parser.add_argument("--full", action="store_true",
                        help="also 100k documents and the 1,000,000-event release (long)")
    parser.add_argument("--compare-size", default=None,
                        help="corpus size for suggest and the side-by-side comparisons "
                        "(check-jsonschema, spaCy) (default: the smallest size)")
    parser.add_argument("--suggest-docs", default="200,1000",
                        help="suggest runs on the first N documents of the comparison corpus, "
                        "for each N (default 200,1000: memory growth and MB/s)")
    parser.add_argument("--no-docs", action="store_true",
                        help=f"do not rewrite {DOCS.relative_to(REPO)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "1k", 1
    if args.full and "100k" not in args.sizes.split(","):
        args.sizes += ",100k"
    args.suggest_docs = [generate.parse_size(n) for n in args.suggest_docs.split(",") if n]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--internal-release-rows"]:
        print(json.dumps(release_rows(Path(argv[1]), int(argv[2]))))
        return 0
    if argv[:1] == ["--internal-spacy"]:
        print(json.dumps(spacy_ner(Path(argv[1]), int(argv[2]))))
        return 0
    if argv[:1] == ["--render"]:
        return render(Path(argv[1]))
    args = parse_args(argv)
    info = machine()
    code_at_start = code_fingerprint()
    started = dt.datetime.now(dt.UTC)
    speed_at_start = host_speed()
    print(f"machine: {info}; speed check {speed_at_start} s", flush=True)
    commands = available_commands()
    print(f"sahelevents commands: {', '.join(sorted(commands))}", flush=True)
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    labels.sort(key=generate.parse_size)
    measures: list[Measure] = []
    comparisons: list[dict[str, Any]] = []
    corpora = []
    args.compare_size = args.compare_size or labels[0]
    for label in labels:
        summary = corpus(label, generate.parse_size(label), seed=args.seed, jobs=args.jobs)
        corpora.append(summary)
        found = bench_corpus(summary, args, commands)
        measures.extend(found)
        if label == args.compare_size:
            reference = next(m for m in found if m.name.startswith("validate --no-cache (1"))
            compared = compare_jsonschema(summary, args, reference)
            if compared:
                comparisons.append(compared)
            everything = f"{int(summary['documents']):,} docs"
            suggest = next((m for m in found if m.name.startswith("suggest")
                            and "new project" in m.name and m.name.endswith(everything)), None)
            compared = compare_spacy(summary, args, suggest)

            if compared:
                comparisons.append(compared)
        reset(summary["path"])
    writer_corpus = max((c for c in corpora if c["documents"] <= 20_000),
                        key=lambda c: c["documents"], default=None)
    release_1m = (bench_release_rows(writer_corpus, args)
                  if writer_corpus is not None and not args.quick else None)
    end_to_end = bench_release_1m(args) if args.full else None
    code_at_end = code_fingerprint()
    speed = {"start": speed_at_start, "end": host_speed()}
    if code_at_end != code_at_start:
        print(f"warning: the sahelevents code changed during the run ({code_at_start} -> "
              f"{code_at_end}); figures of different commands may come from different code",
              flush=True)
    date = started.date().isoformat()
    suffix = "-quick" if args.quick else ""
    results_file = unused_path(RESULTS / f"{date}-{machine_slug(info)}{suffix}.json")
    record: dict[str, Any] = {
        "date": date, "started": started.isoformat(timespec="seconds"),
        "seconds": round((dt.datetime.now(dt.UTC) - started).total_seconds()),
        "command": ("python benchmarks/run.py " + shlex.join(argv)).rstrip(), "machine": info,
        "code": {"start": code_at_start, "end": code_at_end}, "speed_check_seconds": speed,
        "results_file": str(results_file.relative_to(REPO)),
        "corpora": [{k: (str(v) if isinstance(v, Path) else v) for k, v in c.items()}
                    for c in corpora],
        "measures": [m.to_dict() for m in measures], "comparisons": comparisons,
        "release_1m": release_1m, "release_1m_end_to_end": end_to_end,
    }
    record["targets"] = targets(measures, release_1m, end_to_end, labels)
    table = markdown(record, measures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print()
    print(table)
    if not args.no_docs:
        write_docs(table)
        print(f"tables written to {DOCS.relative_to(REPO)}; raw figures in "
              f"{results_file.relative_to(REPO)}")
    return 0


def render(results_file: Path) -> int:
    """Recompute the targets and tables of a recorded run (after a change to how they are
    worked out), without running anything again."""
    record = json.loads(results_file.read_text(encoding="utf-8"))
    names = {f.name for f in dataclasses.fields(Measure)}
    measures = [Measure(**{k: v for k, v in m.items() if k in names and k != "runs"},
                        runs=[Run(**r) for r in m["runs"]]) for m in record["measures"]]
    labels = [c["label"] for c in record["corpora"]]
    record["targets"] = targets(measures, record["release_1m"],
                                record["release_1m_end_to_end"], labels)
    results_file.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    table = markdown(record, measures)
    write_docs(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
