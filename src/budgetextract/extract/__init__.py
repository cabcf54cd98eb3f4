"""From normalized text and sections to facts, the summary and findings."""

from __future__ import annotations

from decimal import Decimal

from ..nlp import Doc as SpacyDoc
from ..nlp import analyse
from ..normalize import NormalizedText
from ..region import department_key, region_of
from ..schema import BudgetDocument, Fact, Finding, Summary, Table
from ..scope import carryover_in_fund_figures
from .changes import change_facts, ends_a_list, headline_change, parse_change, placeholder_finding
from .context import Context
from .execution import extract_execution, table_entries
from .fields import candidates, choose, specs, to_fact
from .from_tables import apply_tables
from .function_classes import extract_function_classes
from .meta import extract_meta

_OTHER_REVENUE = "other_revenue."
_FUND_FIELDS = ("general_public_budget", "government_fund_budget", "state_capital_budget")
_HEAD = 1500  # characters of the text where its title and its 主管部门 line stand


def run_extraction(doc: BudgetDocument, norm: NormalizedText, tables: list[Table], entities: SpacyDoc | None = None) -> Context:
    """Fill doc's summary, facts, tables and the findings of extraction itself; the context
    the checks and support read is returned. `entities` is the spaCy Doc of norm.text when the
    caller already has it (the benchmark times that stage apart)."""
    field_specs, _, _, excluded = specs()
    meta = extract_meta(norm, doc.sections, doc.source.file_name)
    ctx = Context(norm=norm, sections=doc.sections, doc=entities if entities is not None else analyse(norm.text),
                  excluded_kinds=excluded, department=meta.department, actuals=meta.doc_kind == "final_accounts")
    summary = Summary()
    facts: list[Fact] = []
    findings: list[Finding] = []

    if meta.department_from_file_name:
        doc.warnings.append(f"the text names no department; '{meta.department}' is taken from the file name")
    doc.department = summary.department = meta.department
    doc.region = region_of(meta.department, norm.folded[:_HEAD])
    doc.department_key = department_key(meta.department, doc.region)
    doc.fiscal_year = summary.fiscal_year = meta.fiscal_year
    summary.doc_kind, summary.scope = meta.doc_kind, meta.scope
    if meta.department_at:
        facts.append(Fact(field="department", value=meta.department, raw=meta.department, section=None, evidence=ctx.evidence(*meta.department_at)))
    if meta.fiscal_year_at:
        facts.append(Fact(field="fiscal_year", value=meta.fiscal_year, unit="年", raw=str(meta.fiscal_year), section=None, evidence=ctx.evidence(*meta.fiscal_year_at)))

    other_parts: dict[str, Decimal] = {}
    narrower: set[str] = set()  # fields whose figure was stated only for one fund
    for spec in field_specs:
        found = candidates(ctx, spec)
        facts.extend(to_fact(ctx, c, spec.path) for c in found)
        chosen, problems = choose(ctx, spec.field, found)
        findings.extend(problems)
        if chosen is None:
            continue
        if chosen.scoped:
            narrower.add(spec.field)
        if spec.field.startswith(_OTHER_REVENUE):
            other_parts[spec.field] = chosen.value
        else:
            setattr(summary, spec.field, chosen.value)
        change = None if ends_a_list(ctx, chosen.anchor_start) else parse_change(ctx, chosen.end)
        if change is not None and change.placeholder:
            findings.append(placeholder_finding(ctx, f"changes.{spec.path}", change))
        elif change is not None:
            facts.extend(change_facts(ctx, spec.path, change))
    if carryover_in_fund_figures(norm.folded):
        narrower.update(f for f in _FUND_FIELDS if getattr(summary, f) is not None)
    if other_parts:
        # the contract's other_revenue is the sum of the non-appropriation revenue lines stated
        summary.other_revenue = sum(other_parts.values(), Decimal(0))

    change, reason, problems = headline_change(ctx)
    findings.extend(problems)
    if change is not None:
        summary.total_change_amount = change.amount
        summary.total_change_pct = change.pct
        facts.extend(change_facts(ctx, "total", change))
        if reason is not None:
            text, start, end = reason
            summary.total_change_reason = text
            facts.append(Fact(field="changes.total.reason", value=text, raw=text, section=ctx.section_label(start), evidence=ctx.evidence(start, end)))

    classes, class_facts, class_findings = extract_function_classes(ctx)
    summary.function_classes = classes
    facts.extend(class_facts)
    findings.extend(class_findings)

    findings.extend(apply_tables(ctx, summary, tables, facts, narrower, {p.page for p in doc.ocr_pages}))
    _vehicle_from_its_parts(summary)
    if summary.doc_kind == "final_accounts":
        stated = extract_execution(ctx)
        doc.execution = stated + table_entries(tables, stated, ctx)
    doc.tables = tables
    doc.summary = summary
    doc.facts = facts
    doc.findings = findings
    return ctx


def _vehicle_from_its_parts(summary: Summary) -> None:
    """公务用车购置及运行(维护)费 is its purchase plus its operation: where a document states
    only the two parts (their facts are the evidence), the whole is their sum."""
    purchase, operation = summary.three_public_vehicle_purchase, summary.three_public_vehicle_operation
    if summary.three_public_vehicle is None and purchase is not None and operation is not None:
        summary.three_public_vehicle = purchase + operation
