"""The budgetextract command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .files import discover

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def cmd_extract(args) -> int:
    from .pipeline import process_file

    files = discover(args.paths)
    if not files:
        print("no input files found (looked for .pdf, .docx, .txt)", file=sys.stderr)
        return EXIT_USAGE
    if args.stdout:
        if len(files) != 1:
            print("--stdout takes exactly one input file", file=sys.stderr)
            return EXIT_USAGE
        doc = process_file(files[0], debug=args.debug)
        sys.stdout.write(doc.to_json() + "\n")
        return EXIT_OK if doc.status != "error" else EXIT_SOME_FAILED
    if not args.out:
        print("give --out DIR (or --stdout for one file)", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for i, path in enumerate(files, 1):
        doc = process_file(path, debug=args.debug)
        target = out / f"{path.name}.json"
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(doc.to_json() + "\n", encoding="utf-8")
        tmp.replace(target)
        status = doc.status if doc.error is None else f"error {doc.error.code}: {doc.error.message}"
        print(f"[{i}/{len(files)}] {path} → {target.name} ({status})", file=sys.stderr)
        failed += doc.status == "error"
    print(f"{len(files) - failed} ok, {failed} failed; records in {out}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_batch(args) -> int:
    import os

    from .batch import run_batch

    if not discover(args.paths):
        print("no input files found (looked for .pdf, .docx, .txt)", file=sys.stderr)
        return EXIT_USAGE
    jobs = args.jobs or os.cpu_count() or 1
    counts = run_batch(args.paths, Path(args.out), jobs=jobs, timeout=args.timeout, force=args.force, progress=not args.quiet,
                       dask=args.dask)
    print(f"{counts['done']} ok, {counts['failed']} failed, {counts['skipped']} already done; "
          f"{counts['tables']} documents in {args.out}/summary.csv, .parquet and budgets.duckdb ({counts['seconds']}s)", file=sys.stderr)
    return EXIT_SOME_FAILED if counts["failed"] else EXIT_OK


def cmd_bench(args) -> int:
    import os

    from .bench import run

    if not discover(args.paths):
        print("no input files found", file=sys.stderr)
        return EXIT_USAGE
    run(args.paths, jobs=args.jobs or os.cpu_count() or 1, repeat=args.repeat)
    return EXIT_OK


def cmd_review(args) -> int:
    from .errors import InputError
    from .review import review_page

    given = Path(args.input)
    record = None
    if given.suffix == ".json":
        record = given
        source = Path(json.loads(given.read_text(encoding="utf-8"))["source"]["path"])
        if not source.exists():
            print(f"the record's source file {source} is not there; review needs it for the text", file=sys.stderr)
            return EXIT_SOME_FAILED
    else:
        source = given
    try:
        page = review_page(source, record)
    except InputError as exc:
        print(f"error {exc.code}: {exc.message}", file=sys.stderr)
        return EXIT_SOME_FAILED
    Path(args.output).write_text(page, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_report(args) -> int:
    from .report import report_page

    folder = Path(args.folder)
    if not (folder / "manifest.jsonl").exists():
        print(f"{folder} is not a batch output folder (no manifest.jsonl); run `budgetextract batch … --out {folder}` first", file=sys.stderr)
        return EXIT_USAGE
    Path(args.output).write_text(report_page(folder), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def cmd_text(args) -> int:
    from .errors import InputError
    from .pipeline import load

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


def cmd_schema(args) -> int:
    from .schema import json_schema

    sys.stdout.write(json.dumps(json_schema(), ensure_ascii=False, indent=1) + "\n")
    return EXIT_OK


def cmd_eval(args) -> int:
    from .evaluate import Score, gold_id, load_gold, score_summary
    from .pipeline import process_file

    gold = load_gold(Path(args.gold_dir))
    if not gold:
        print(f"no gold files in {args.gold_dir}", file=sys.stderr)
        return EXIT_USAGE
    total = Score()
    for path in discover(args.paths):
        doc_id = gold_id(path.name)
        if doc_id not in gold:
            continue
        doc = process_file(path, debug=args.debug)
        summary = json.loads(doc.summary.model_dump_json())
        score = score_summary(doc_id, summary, gold[doc_id])
        total.add(score)
        print(f"{doc_id:6} recall {score.recall:.3f}  precision {score.precision:.3f}  "
              f"(correct {score.correct}, wrong {score.wrong}, missed {score.missed}, spurious {score.spurious})")
        if not args.quiet:
            for _, what, key, (got, want) in score.misses:
                print(f"       {what:8} {key}: got {got!r}, gold {want!r}")
    print(f"TOTAL  recall {total.recall:.3f}  precision {total.precision:.3f}  "
          f"(correct {total.correct}, wrong {total.wrong}, missed {total.missed}, spurious {total.spurious})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budgetextract",
        description="Turn Chinese department budget explanations (部门预算公开, PDF/DOCX/TXT) into validated JSON.",
    )
    parser.add_argument("--version", action="version", version=f"budgetextract {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks instead of error records")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract files and folders into one JSON record per file",
                       description="Write OUT/<file name>.json for every input (J2.pdf → J2.pdf.json). Exit 0: all ok; 1: some failed; 2: usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively for .pdf .docx .txt)")
    p.add_argument("--out", metavar="DIR", help="folder for the JSON records")
    p.add_argument("--stdout", action="store_true", help="print the record of a single file instead of writing it")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("batch", help="many files in parallel, resumable, with tables for analysis",
                       description="Extract every file under the inputs with a pool of worker processes. Writes OUT/records/…/<file>.json, "
                                   "OUT/manifest.jsonl (what is done), and summary / function_classes / facts / line_items / findings / errors "
                                   "as CSV and Parquet, all of them in OUT/budgets.duckdb, described by OUT/datapackage.json. "
                                   "A rerun skips files already done (same content, same versions).")
    p.add_argument("paths", nargs="+", metavar="INPUT", help="files or folders")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    p.add_argument("--timeout", type=float, default=300, help="seconds one file may take before it is stopped (default 300)")
    p.add_argument("--force", action="store_true", help="redo files already done")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a dask.distributed cluster: tcp://scheduler:8786, or 'local' "
                   "to start one here (needs the [dask] extra); the outputs are the same")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("bench", help="time each stage per page and format against the PDF libraries' floors")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--jobs", type=int, default=0, help="workers for the batch speed-up measurement (default: all cores; 1 skips it)")
    p.add_argument("--repeat", type=int, default=1, help="run the files this many times")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("review", help="one self-contained HTML page: the text with every fact highlighted, the summary linked to it")
    p.add_argument("input", metavar="FILE|RECORD.json", help="a document, or a record written by extract/batch (its source file must exist)")
    p.add_argument("-o", "--output", required=True, metavar="PAGE.html")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("report", help="an HTML quality report over a batch output folder")
    p.add_argument("folder", metavar="DIR", help="the --out folder of a batch")
    p.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("text", help="print the normalized text that evidence offsets index")
    p.add_argument("file")
    p.add_argument("--pages", action="store_true", help="mark where each page starts, with its offset")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("schema", help="print the JSON Schema of the record")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("eval", help="score summaries against gold files (GOLD_DIR/<id>.json; id = file name up to its first _ or .)")
    p.add_argument("gold_dir")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--quiet", action="store_true", help="only the per-document and total scores")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if exc.code is not None else EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
