"""The budgetextract command line."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .display import shown
from .runs.files import discover, missing, temporary_beside, with_record_names
from .findings import Policy
from .runs.isolation import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT, Limits

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command used wrongly: one line saying what to do, exit 2."""


def _inputs(paths: list[str]) -> list[Path]:
    if gone := missing(paths):
        raise UsageError(f"no such file or folder: {', '.join(map(shown, gone))}")
    files = discover(paths)
    if not files:
        raise UsageError("no input files found (looked for .pdf, .docx, .txt and other document files)")
    return files


def _limits(args) -> Limits:
    if not math.isfinite(args.timeout) or args.timeout <= 0:
        raise UsageError("--timeout takes a number of seconds above 0 (nan and inf are none)")
    if args.max_memory < 0:
        raise UsageError("--max-memory takes megabytes (0 for no limit)")
    try:
        policy = Policy.parse(args.disable_check, args.check_severity)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return Limits(timeout=args.timeout, max_memory_mb=args.max_memory, policy=policy, ocr="force" if args.ocr else "auto")


def _write(target: Path, text: str) -> None:
    """Atomically, so that a full disk or a kill never leaves half a record."""
    tmp = temporary_beside(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {shown(target)}: {exc.strerror or exc}; choose a writable --out") from exc


def _error_json(path: Path, code: str, message: str) -> str:
    from .pipeline import error_record

    return error_record(path, code, message).to_json()


def _outcomes(files: list[Path], args, limits: Limits):
    """Each file in a worker within the limits; with --debug in this process, so that a
    bug shows its traceback."""
    from .runs.isolation import Outcome, run_isolated
    from .pipeline import process_file

    if not args.debug:
        return run_isolated(files, args.jobs, limits)
    return (Outcome(i, (doc := process_file(path, debug=True, policy=limits.policy, ocr=limits.ocr)).to_json(), None, doc.source.pages or 0, 0.0) for i, path in enumerate(files))


def cmd_extract(args) -> int:
    files = _inputs(args.paths)
    limits = _limits(args)
    if args.stdout:
        if len(files) != 1:
            raise UsageError("--stdout takes exactly one input file")
        (outcome,) = _outcomes(files, args, limits)  # run to the end, so the worker is closed
        record = outcome.record_json or _error_json(files[0], *outcome.error)
        sys.stdout.write(record + "\n")
        return EXIT_OK if json.loads(record)["status"] != "error" else EXIT_SOME_FAILED
    if not args.out:
        raise UsageError("give --out DIR (or --stdout for one file)")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown(out)} is a file; give a folder")
    named = [name for path, name in with_record_names(args.paths)]
    failed = 0
    for done, outcome in enumerate(_outcomes(files, args, limits), 1):
        path, target = files[outcome.index], out / named[outcome.index]
        record = outcome.record_json or _error_json(path, *outcome.error)
        _write(target, record + "\n")
        error = json.loads(record)["error"]
        status = "ok" if error is None else f"error {error['code']}: {error['message']}"
        print(f"[{done}/{len(files)}] {shown(path)} → {shown(target)} ({status})", file=sys.stderr)
        failed += error is not None
    print(f"{len(files) - failed} ok, {failed} failed; records in {shown(out)}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_batch(args) -> int:
    from .api import batch
    from .runs.batch import OutputBusy, SchedulerUnreachable

    _inputs(args.paths)
    limits = _limits(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown(out)} is a file; give a folder")
    try:
        counts = batch(args.paths, out, jobs=args.jobs, timeout=limits.timeout, max_memory=limits.max_memory_mb,
                       ocr=limits.ocr == "force", policy=limits.policy, force=args.force, progress=not args.quiet,
                       dask=args.dask, retry_failed=args.retry_failed)
    except (OutputBusy, SchedulerUnreachable) as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"cannot write to {shown(out)}: {exc.strerror or exc}; choose a writable --out") from exc
    before = f" ({counts['failed_before']} of them failed: --retry-failed tries them again)" if counts["failed_before"] else ""
    print(f"{counts['done']} ok, {counts['failed']} failed, {counts['skipped']} already done{before}; "
          f"{counts['tables']} documents in {shown(out)}/summary.csv, .parquet and budgets.duckdb ({counts['seconds']}s)", file=sys.stderr)
    return EXIT_SOME_FAILED if counts["failed"] or counts["failed_before"] else EXIT_OK


def cmd_bench(args) -> int:
    from .bench import run

    _inputs(args.paths)
    run(args.paths, jobs=args.jobs or os.cpu_count() or 1, repeat=args.repeat)
    return EXIT_OK


def cmd_review(args) -> int:
    from .errors import InputError
    from .views.review import review_page

    given = Path(args.input)
    if not given.exists():
        raise UsageError(f"no such file: {shown(given)}")
    record = None
    if given.suffix == ".json":
        record = given
        try:
            source = Path(json.loads(given.read_text(encoding="utf-8"))["source"]["path"])
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{shown(given)} is not a record written by extract or batch") from exc
        if not source.is_absolute():  # records before paths were absolute: beside the record's folder
            source = (given.parent / source) if (given.parent / source).exists() else source
        if not source.exists():
            raise UsageError(f"the record's source file {shown(source)} is not there; review needs it for the text")
    else:
        source = given
    try:
        page = review_page(source, record)
    except InputError as exc:
        print(f"error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_SOME_FAILED
    _write(Path(args.output), page)
    print(f"wrote {shown(args.output)}", file=sys.stderr)
    return EXIT_OK


def cmd_report(args) -> int:
    from .views.report import report_page

    folder = Path(args.folder)
    if not (folder / "manifest.jsonl").exists():
        raise UsageError(f"{shown(folder)} is not a batch output folder (no manifest.jsonl); run `budgetextract batch … --out {shown(folder)}` first")
    _write(Path(args.output), report_page(folder))
    print(f"wrote {shown(args.output)}", file=sys.stderr)
    return EXIT_OK


def cmd_text(args) -> int:
    from .errors import InputError
    from .pipeline import load

    if not Path(args.file).is_file():
        raise UsageError(f"no such file: {shown(args.file)}")
    try:
        loaded = load(Path(args.file))
    except InputError as exc:
        print(f"error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_SOME_FAILED
    norm = loaded.norm
    if not args.pages or not norm.paged:
        sys.stdout.write(norm.text + "\n")
        return EXIT_OK
    for page in range(1, norm.pages + 1):
        a, b = norm.page_span(page)
        sys.stdout.write(f"<<<page {page} offset {a}>>>\n{norm.text[a:b]}\n")
    return EXIT_OK


def cmd_checks(args) -> int:
    from .findings import table

    sys.stdout.write(table(markdown=args.markdown))
    return EXIT_OK


def cmd_schema(args) -> int:
    from .schema import json_schema

    if args.dictionary:
        from .dictionary import markdown

        sys.stdout.write(markdown())
        return EXIT_OK
    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=1) + "\n")
    return EXIT_OK


def cmd_eval(args) -> int:
    from .evaluate import ExecutionScore, Score, gold_id, load_gold, score_execution, score_summary
    from .pipeline import process_file

    gold = load_gold(Path(args.gold_dir))
    if not gold:
        raise UsageError(f"no gold files in {shown(args.gold_dir)}")
    matched = [path for path in _inputs(args.paths) if gold_id(path.name) in gold]
    if not matched:
        raise UsageError(f"no input matches a gold file of {shown(args.gold_dir)} (GOLD_DIR/<id>.json, id = file name up to its first _ or .)")
    total, total_execution = Score(), ExecutionScore()
    for path in matched:
        doc_id = gold_id(path.name)
        doc = process_file(path, debug=args.debug)
        record = json.loads(doc.to_json())
        score = score_summary(doc_id, record["summary"], gold[doc_id], record["support"])
        total.add(score)
        print(f"{doc_id:6} recall {score.recall:.3f}  precision {score.precision:.3f}  "
              f"(correct {score.correct}, wrong {score.wrong}, missed {score.missed}, spurious {score.spurious}; "
              f"verified {score.verified_right} right, {score.verified_wrong} wrong)")
        misses = score.misses
        if "execution" in gold[doc_id]:
            execution = score_execution(doc_id, record["execution"], gold[doc_id]["execution"])
            total_execution.add(execution)
            print(f"{'':6} execution: entries found {execution.found}/{execution.gold} ({execution.spurious} not in the gold), "
                  f"fields right {execution.fields_right}/{execution.fields_compared}")
            misses = misses + execution.misses
        if not args.quiet:
            for _, what, key, (got, want) in misses:
                print(f"       {what:8} {key}: got {got!r}, gold {want!r}")
    print(f"TOTAL  recall {total.recall:.3f}  precision {total.precision:.3f}  "
          f"(correct {total.correct}, wrong {total.wrong}, missed {total.missed}, spurious {total.spurious})")
    print(f"TOTAL  support: {total.verified_share:.3f} of the right figures verified ({total.verified_right}), "
          f"verified figures wrong {total.verified_wrong}")
    if total_execution.gold:
        print(f"TOTAL  execution: entries found {total_execution.entry_recall:.3f} ({total_execution.found}/{total_execution.gold}), "
              f"fields right {total_execution.field_accuracy:.3f} ({total_execution.fields_right}/{total_execution.fields_compared}), "
              f"entries not in the gold {total_execution.spurious}")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number of 1 or more, not {text!r}")
    return value


def _add_limits(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds one file may take before it is stopped with a `timeout` record (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--max-memory", type=int, default=DEFAULT_MAX_MEMORY_MB, metavar="MB",
                   help=f"the whole memory (address space) of the worker reading one file before it is stopped with a `memory` record "
                        f"(default {DEFAULT_MAX_MEMORY_MB}; 0: no limit)")
    p.add_argument("--ocr", action="store_true",
                   help="read every PDF page by OCR, also those with a text layer (needs the [ocr] extra); "
                        "without it, OCR reads only pages that carry images and no usable text")
    p.add_argument("--disable-check", action="append", default=[], metavar="CODE[,CODE]",
                   help="leave out the findings of these codes (see: budgetextract checks); repeatable")
    p.add_argument("--check-severity", action="append", default=[], metavar="CODE=LEVEL",
                   help="report a code at another severity: error, warning or info; repeatable. Both apply to the files "
                        "extracted in this run (a batch rerun skips files already done: add --force)")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetextract",
        description="Turn Chinese department budget explanations and final accounts (部门预算公开, 部门决算; PDF, OFD, Word, "
                    "web pages, workbooks of the 公开表, text) into validated JSON.",
    )
    parser.add_argument("--version", action="version", version=f"budgetextract {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of error records")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract files and folders into one JSON record per file",
                       description="Write OUT/<file name>.json for every input (J2.pdf → J2.pdf.json; a file found in a folder keeps "
                                   "its path under it, and two inputs of one name get their paths from the folder they share). "
                                   "Each file runs in a worker process within --timeout and --max-memory. "
                                   "Exit 0: all ok; 1: some failed; 2: usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively for .pdf .ofd .docx .doc .wps .xlsx .xls .et .html .htm .txt)")
    p.add_argument("--out", metavar="DIR", help="folder for the JSON records")
    p.add_argument("--stdout", action="store_true", help="print the record of a single file instead of writing it")
    p.add_argument("--jobs", type=_positive_int, default=1, help="worker processes (default 1)")
    _add_limits(p)
    p.set_defaults(func=cmd_extract, subparser=p)

    p = sub.add_parser("batch", help="many files in parallel, resumable, with tables for analysis",
                       description="Extract every file under the inputs with a pool of worker processes. Writes OUT/records/…/<file>.json, "
                                   "OUT/manifest.jsonl (what is done), and summary / function_classes / facts / line_items / findings / errors "
                                   "as CSV and Parquet, all of them in OUT/budgets.duckdb, described by OUT/datapackage.json. "
                                   "A rerun skips files already done (same content, same versions).")
    p.add_argument("paths", nargs="+", metavar="INPUT", help="files or folders")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--jobs", type=_positive_int, default=None, help="worker processes (default: all cores)")
    _add_limits(p)
    p.add_argument("--force", action="store_true", help="redo files already done")
    p.add_argument("--retry-failed", action="store_true", help="also redo files that failed for good (corrupt, not a budget …); "
                   "files that failed for a reason that may pass (timeout, crashed, memory) are retried by any rerun")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a dask.distributed cluster: tcp://scheduler:8786, or 'local' "
                   "to start one here (needs the [dask] extra); the outputs are the same")
    p.set_defaults(func=cmd_batch, subparser=p)

    p = sub.add_parser("bench", help="time each stage per page and format against the PDF libraries' floors",
                       description="Milliseconds per page for each stage of the pipeline (read, normalize, screen, segment, entities, "
                                   "tables, extract, checks, support) by format; on the same PDFs the floors of pypdfium2 (text) and pdfplumber "
                                   "(text and tables); then batches with 1 and N workers and a worker's peak memory. "
                                   "Example: budgetextract bench corpus --repeat 2")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--jobs", type=_positive_int, default=None, help="workers for the batch speed-up measurement (default: all cores; 1 skips it)")
    p.add_argument("--repeat", type=int, default=1, help="run the files this many times")
    p.set_defaults(func=cmd_bench, subparser=p)

    p = sub.add_parser("review", help="one self-contained HTML page: the text with every fact highlighted, the summary linked to it")
    p.add_argument("input", metavar="FILE|RECORD.json", help="a document, or a record written by extract/batch (its source file must exist)")
    p.add_argument("-o", "--output", required=True, metavar="PAGE.html")
    p.set_defaults(func=cmd_review, subparser=p)

    p = sub.add_parser("report", help="an HTML quality report over a batch output folder")
    p.add_argument("folder", metavar="DIR", help="the --out folder of a batch")
    p.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    p.set_defaults(func=cmd_report, subparser=p)

    p = sub.add_parser("text", help="print the normalized text that evidence offsets index",
                       description="The document's text as the extractors read it: page numbers, running headers and layout "
                                   "spaces removed, hard line wraps joined. A fact's evidence.start/end index exactly this text; "
                                   "--pages marks where each page begins.")
    p.add_argument("file")
    p.add_argument("--pages", action="store_true", help="mark where each page starts, with its offset")
    p.set_defaults(func=cmd_text, subparser=p)

    p = sub.add_parser("checks", help="list every finding code with its severity and what it means")
    p.add_argument("--markdown", action="store_true", help="as the Markdown table of docs/checks.md")
    p.set_defaults(func=cmd_checks, subparser=p)

    p = sub.add_parser("schema", help="print the JSON Schema of the record",
                       description="The JSON Schema of the record that extract and batch write (generated from the model), "
                                   "with what each field means. Example: budgetextract schema > record.schema.json")
    p.add_argument("--dictionary", action="store_true", help="the data dictionary instead: each summary key's 中文 terms, meaning, unit and scope")
    p.set_defaults(func=cmd_schema, subparser=p)

    p = sub.add_parser("eval", help="score summaries against gold files (GOLD_DIR/<id>.json; id = file name up to its first _ or .)",
                       description="Recall and precision per document and in total, every wrong, missed or spurious field, and "
                                   "how many right figures the record marks verified (and any verified figure that is wrong). "
                                   "Numbers match within 0.005 万元. Example: budgetextract eval ../shared/corpus/real/gold ../shared/corpus/real")
    p.add_argument("gold_dir")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--quiet", action="store_true", help="only the per-document and total scores")
    p.set_defaults(func=cmd_eval, subparser=p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # an unknown flag: the subcommand's usage, not the top level's
            args.subparser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:
        return int(exc.code) if exc.code is not None else EXIT_USAGE
    # a stop asked of the process (kill, a scheduler's end of job) ends a batch as Ctrl-C does:
    # what finished is written to the tables
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"budgetextract {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted; what was finished is kept (a batch resumes where it stopped)", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # the reader of our output went away (… | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
