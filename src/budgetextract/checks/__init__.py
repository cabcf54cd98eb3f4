"""Findings: every way a document contradicts itself, one module a family, each code
listed once in the registry of findings (findings.py, patterns/checks.json) with its severity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import BudgetDocument, Fact, Finding, Summary, Table
from .arithmetic import check_arithmetic
from .names import check_names
from .tables import check_tables, title_lines
from .wording import check_wording
from .words_vs_numbers import check_words_vs_numbers
from .years import check_years

if TYPE_CHECKING:
    from ..extract.context import Context

__all__ = ["run_checks"]


def run_checks(doc: BudgetDocument, summary: Summary, facts: list[Fact], ctx: Context, tables: list[Table],
               found: list[Finding]) -> list[Finding]:
    """The findings of every family, less the places `found` (the extraction's own findings)
    already reports under the same code."""
    titles = title_lines(ctx)
    findings = [
        *check_arithmetic(summary, facts, ctx, doc.execution),
        *check_tables(ctx, summary, tables, doc.execution, titles, {p.page for p in doc.ocr_pages}, facts),
        *check_wording(ctx),
        *check_words_vs_numbers(ctx, doc.execution),
        *check_years(ctx, summary, titles),
        *check_names(ctx, summary, tables),
    ]
    return [f for f in (_new_places(f, found) for f in findings) if f is not None]


def _new_places(f: Finding, found: list[Finding]) -> Finding | None:
    reported = [(e.start, e.end) for g in found if g.code == f.code for e in g.evidence]
    if not reported or not f.evidence:
        return f
    f.evidence = [e for e in f.evidence if not any(a < e.end and e.start < b for a, b in reported)]
    return f if f.evidence else None
