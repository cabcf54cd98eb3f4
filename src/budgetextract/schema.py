"""The document model every stage agrees on; the JSON Schema is generated from it.

Money is `Decimal` inside and a JSON number outside (see `Money`), so a value is
written exactly as printed: 355.85 stays 355.85, never 355.84999.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from .dictionary import entries

SCHEMA_VERSION = "1.5"


def _decimal_to_json(value: Decimal) -> int | float:
    # float's repr is the shortest string that round-trips, so a Decimal with
    # fewer than 16 significant digits is written digit for digit.
    if value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return int(value)
    return float(value)


Money = Annotated[
    Decimal,
    PlainSerializer(_decimal_to_json, when_used="json"),
    WithJsonSchema({"type": "number"}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    file_name: str
    path: str
    sha256: str | None = None
    format: Literal["pdf", "ofd", "docx", "doc", "xlsx", "xls", "txt", "html"] | None = Field(
        None, description="the format the content is in (doc: a legacy Word or WPS file, read through LibreOffice; xlsx, xls: a workbook); "
                          "only a PDF's and an OFD's evidence has pages")
    bytes: int | None = None
    pages: int | None = None
    encoding: str | None = Field(None, description="text encoding detected for TXT input")


class ErrorInfo(_Model):
    code: str = Field(description="machine-readable cause, e.g. corrupt_pdf, encrypted, no_text_layer")
    message: str = Field(description="what went wrong and what to do about it")


class Evidence(_Model):
    start: int = Field(description="offset into the normalized text (`budgetextract text`)")
    end: int
    page: int | None = Field(None, description="1-based page of `start`; null for formats without pages")
    text: str = Field(description="the snippet of normalized text around the value")
    label: str | None = Field(None, description="for a figure read from a table: the table, the row's label and the column's header, "
                                                "so the figure can be judged without the document")


class Section(_Model):
    number: str
    level: int = Field(description="1 part (第X部分), 2 section (一、), 3 （一）, 4 1. / 1、, 5 （1）, 6 ①")
    title: str
    kind: str
    start: int
    end: int
    page_start: int | None = None
    page_end: int | None = None
    children: list[Section] = Field(default_factory=list)


class Scope(_Model):
    """What a figure covers. Two figures are summed or set against each other only when
    their scopes are equal; null means the widest: all funds, the department, the year's own."""

    fund: Literal["财政拨款", "一般公共预算", "政府性基金", "国有资本经营"] | None = Field(None, description="the one fund the figure is of; null: all funds")
    unit: str | None = Field(None, description="the unit of the department the figure is of (本级, a named 下属单位); null: the department")
    period: Literal["上年结转", "年终结转"] | None = Field(None, description="carry-over from last year, or to next year; null: the year's own")
    part_of: str | None = Field(None, description="what larger item the figure is one line of (a classification item, the basic-expenditure "
                                                   "table, a project); null: it stands for itself")
    basis: Literal["预算数"] | None = Field(None, description="预算数: in a final account, the budget its actual is set against "
                                                           "(“三公”经费预算为0.95万元，决算为0); null: the document's own figure")

    @property
    def of_department(self) -> bool:
        """The figure is the whole department's, not a unit's or one line of a larger item."""
        return self.unit is None and self.part_of is None and self.basis is None


class Fact(_Model):
    field: str = Field(description="dotted path, e.g. three_public.vehicle.operation, function_classes.卫生健康支出")
    value: Money | int | str | None
    unit: str | None = Field(None, description="万元 for money, % for percentages, the measure word for counts")
    raw: str = Field(description="the figure as printed")
    section: str | None = Field(None, description="number path of the section the figure stands in")
    source: Literal["narrative", "table"] = "narrative"
    scope: Scope = Field(default_factory=Scope)
    evidence: Evidence
    ocr_confidence: float | None = Field(None, description="the OCR recognizer's mean confidence on the evidence's page, where it was read by OCR")


class OcrPage(_Model):
    page: int
    confidence: float = Field(description="the recognizer's mean confidence over the page's text boxes (0–1)")


class Finding(_Model):
    code: str
    severity: Literal["error", "warning", "info"]
    message: str
    fields: list[str] = Field(default_factory=list)
    difference: Money | None = None
    tolerance: Money | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class TableRow(_Model):
    code: str | None = None
    level: Literal["类", "款", "项"] | None = None
    name: str
    values: dict[str, Money | None] = Field(default_factory=dict, description="by column, in 万元")
    printed: dict[str, str] = Field(default_factory=dict, description="each value as printed, in the table's unit")
    cells: list[str] = Field(default_factory=list, description="the raw cell texts")
    page: int | None = None


class Table(_Model):
    kind: str
    title: str
    unit: str | None = None
    pages: list[int] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    rows: list[TableRow] = Field(default_factory=list)


class ExecutionEntry(_Model):
    """One place where a final account sets a budget figure against its actual."""

    item: str = Field(description="what is compared, as printed (一般公共预算财政拨款支出, a 类/款/项 line, “三公”经费 …)")
    code: str | None = Field(None, description="the classification code where printed")
    budget_initial: Money | None = Field(None, description="年初预算, 万元")
    budget_final: Money | None = Field(None, description="全年预算 / 调整预算, 万元")
    actual: Money = Field(description="支出决算 / 决算数, 万元")
    pct: Money | None = Field(None, description="the completion percentage as printed; never computed")
    pct_of: Literal["budget_initial", "budget_final"] | None = Field(None, description="which budget the printed percentage is of")
    reason: str | None = Field(None, description="the reason given for the difference, without its lead-in")
    source: Literal["narrative", "table"] = "narrative"
    evidence: Evidence


class Region(_Model):
    """Who published the document: the division (GB/T 2260) whose department it is. A 直辖市's
    own departments are of province level, its districts of county level; a central
    department has no division (adcode null)."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = Field(None, description="the 6-digit GB/T 2260 code of the publishing division")
    admin_level: Literal["central", "province", "city", "county"] | None = None


class Summary(_Model):
    """The flat record of key figures (the summary contract); unknown is null."""

    department: str | None = None
    fiscal_year: int | None = None
    doc_kind: Literal["budget", "final_accounts"] | None = None
    scope: Literal["department", "unit"] | None = None
    revenue_total: Money | None = None
    expenditure_total: Money | None = None
    fiscal_appropriation_total: Money | None = None
    general_public_budget: Money | None = None
    government_fund_budget: Money | None = None
    state_capital_budget: Money | None = None
    carryover_prior_year: Money | None = None
    other_revenue: Money | None = None
    total_change_amount: Money | None = None
    total_change_pct: Money | None = None
    total_change_reason: str | None = None
    basic_expenditure: Money | None = None
    project_expenditure: Money | None = None
    reserve_expenditure: Money | None = None
    personnel_expenditure: Money | None = None
    public_expenditure: Money | None = None
    three_public_total: Money | None = None
    three_public_outbound: Money | None = None
    three_public_vehicle: Money | None = None
    three_public_vehicle_purchase: Money | None = None
    three_public_vehicle_operation: Money | None = None
    three_public_reception: Money | None = None
    meeting_expenses: Money | None = None
    training_expenses: Money | None = None
    operating_costs: Money | None = None
    procurement_total: Money | None = None
    procurement_goods: Money | None = None
    procurement_works: Money | None = None
    procurement_services: Money | None = None
    vehicles_total: int | None = None
    performance_projects_count: int | None = None
    performance_projects_amount: Money | None = None
    staffing_authorized: int | None = None
    staff_actual: int | None = None
    function_classes: dict[str, Money] | None = None


SUMMARY_KEYS: tuple[str, ...] = tuple(Summary.model_fields)
for _key, _entry in entries().items():  # each key's meaning, terms, unit and scope, from the data dictionary
    Summary.model_fields[_key].description = _entry.description
Summary.model_rebuild(force=True)


class Statement(_Model):
    """One place where the document states a summary key's figure."""

    value: Money | int | None
    page: int | None = None
    text: str = Field(description="the sentence's words up to the figure, or the table's title | row | column")
    source: Literal["narrative", "table"] = "narrative"
    scope: Scope = Field(default_factory=Scope)
    of_key: bool = Field(description="every word of its label is accounted for by the vocabulary of funds, units, periods and "
                                     "parts, and they are the key's own: only such a statement supports or contradicts the key")
    start: int = Field(description="offset of the figure's evidence in the normalized text")


class Support(_Model):
    """How the document corroborates one summary key (see the README, `support`)."""

    status: Literal["verified", "single", "disputed", "unestablished", "derived"] = Field(
        description="verified: two statements of the key's own scope at different places agree within printed rounding, or an "
                    "identity of the document's figures holds (收入总计 = 支出总计, a total = its parts); single: stated once in "
                    "its own scope; disputed: two statements of its own scope disagree; unestablished: the value's only "
                    "statements have words the scope vocabulary does not account for; derived: computed from its parts")
    identity: str | None = Field(None, description="the identity that verifies it, where one does (three_public_total = …)")
    statements: list[Statement] = Field(default_factory=list)


class BudgetDocument(_Model):
    schema_version: str = SCHEMA_VERSION
    extractor_version: str | None = None
    source: Source
    status: Literal["ok", "partial", "error"] = "ok"
    error: ErrorInfo | None = None
    department: str | None = None
    department_key: str | None = Field(None, description="the department's name made comparable across years and kinds of document")
    region: Region = Field(default_factory=Region)
    fiscal_year: int | None = None
    summary: Summary = Field(default_factory=Summary)
    sections: list[Section] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    support: dict[str, Support] = Field(default_factory=dict, description="each summary key's statements and how they corroborate it")
    execution: list[ExecutionEntry] = Field(default_factory=list, description="budget against actual (final accounts; empty for budgets)")
    ocr_pages: list[OcrPage] = Field(default_factory=list, description="pages read by OCR (no usable text layer, or --ocr)")
    warnings: list[str] = Field(default_factory=list)

    def to_json(self, **kwargs: Any) -> str:
        return self.model_dump_json(indent=1, **kwargs)


def json_schema() -> dict[str, Any]:
    return BudgetDocument.model_json_schema()
