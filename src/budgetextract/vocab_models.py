"""The shape of each file in patterns/, as typed models: a file is checked against its model
when it is loaded, so a misspelt key, a list where a pattern belongs or a pattern that does not
compile is an error naming the file and the place, not a wrong reading later.

Comments (keys starting with _) may stand anywhere. A `Pattern` is a string the `regex`
module compiles.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import regex
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator


def _compiles(pattern: str) -> str:
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"the pattern {pattern[:80]!r} does not compile: {exc}") from exc
    return pattern


Pattern = Annotated[str, AfterValidator(_compiles)]
Comment = str | list[str]


class _Model(BaseModel):
    """Known keys typed; a key starting with _ is a comment; any other key is an error."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="after")
    def _only_comments_beside(self) -> _Model:
        unknown = [k for k in (self.model_extra or {}) if not k.startswith("_")]
        if unknown:
            raise ValueError(f"unknown keys {unknown}")
        return self


class FieldPhrasing(_Model):
    field: str
    path: str
    type: Literal["money", "count"] = "money"
    anchors: list[Pattern]
    narrower_anchors: list[Pattern] = []
    zero: list[Pattern] = []
    sections: list[str] | None = None
    units: list[str] | None = None
    count_before: Pattern | None = None
    scoped_sections: list[str] = []
    scoped_clause: bool = False
    of_the_budget: bool = False


class TotalChange(_Model):
    anchors: list[Pattern]
    comparison: Pattern
    percent_lead: Pattern
    enumeration: Pattern
    against_budget: Pattern
    list_end: Pattern


class Fields(_Model):
    default_gap: Pattern
    max_gap: int
    excluded_sections: list[str]
    fields: list[FieldPhrasing]
    total_change: TotalChange
    carryover_in_fund_figures: Pattern
    narrowing_clause: Pattern
    other_fund: Pattern
    change_before: Pattern
    actual_after_budget: Pattern
    bare_zero: Pattern


class Tables(_Model):
    kinds: list[tuple[str, Pattern]]
    title: Pattern
    unit: Pattern
    total_row: Pattern
    code_header: Pattern
    columns: dict[str, Pattern]
    named_rows: dict[str, Any]
    text_total_columns: dict[str, Any]
    table_first: dict[str, Any]
    line_number_header: Pattern
    cross_checks: dict[str, Any]
    balance: dict[str, Any]
    required: dict[str, Any]
    stated_totals: dict[str, Any]
    text_label_columns: Pattern
    carryover_heading: Pattern

    @model_validator(mode="after")
    def _named_rows(self) -> Tables:
        for field, spec in self.named_rows.items():
            if field.startswith("_"):
                continue
            if not (isinstance(spec, list) and 2 <= len(spec) <= 3):
                raise ValueError(f"named_rows.{field}: [table kind or kinds, row pattern, side?] expected")
            _compiles(spec[1])
            if len(spec) == 3 and spec[2] not in ("收入", "支出"):
                raise ValueError(f"named_rows.{field}: the side is 收入 or 支出, not {spec[2]!r}")
        return self


class Meta(_Model):
    department: list[Pattern]
    department_head: list[Pattern]
    department_explicit: list[Pattern]
    department_reject: Pattern
    department_qualifier: Pattern
    department_name_end: Pattern
    fiscal_year: Pattern
    fiscal_year_fallback: Pattern
    title_year: Pattern
    final_accounts: Pattern
    unit_scope: Pattern
    name_lead: Pattern
    other_kind: Pattern
    title_chars: int


class Scope(_Model):
    unit_title: Pattern
    class_item: Pattern
    part_clause: Pattern
    funds: list[tuple[Pattern, str]]
    periods: list[tuple[Pattern, str]]
    fund_sections: dict[str, str]
    unit_subject: Pattern
    not_a_unit: Pattern
    part_prefix: Pattern
    part_phrase: Pattern
    part_kinds: Pattern
    not_included: Pattern
    short_endings: dict[str, str]
    budget_basis: Pattern
    fund_budget_names: Pattern


class Support(_Model):
    neutral: Pattern
    table_neutral: Pattern
    funds: dict[str, Pattern]
    periods: dict[str, Pattern]
    key_scope: dict[str, dict[str, Any]]
    identities: list[tuple[str, list[str]]]
    parents: dict[str, list[str]]
    counts: list[str]
    narrower: dict[str, Pattern]


class Sections(_Model):
    kinds: list[tuple[str, Pattern]]
    unnumbered_heading: Pattern


class Series(_Model):
    budget_items: dict[str, Pattern]
    opening_row: Pattern
    closing_row: Pattern


class FunctionClass(_Model):
    code: str
    name: str
    former: list[str] = []


class FunctionClasses(_Model):
    classes: list[FunctionClass]


class Checks(_Model):
    checks: dict[str, tuple[str, Literal["error", "warning", "info"], str]]


class DictionaryEntry(_Model):
    terms: list[str]
    meaning: str
    unit: str | None
    scope: str


class Dictionary(_Model):
    keys: dict[str, DictionaryEntry]


class Execution(_Model):
    actual: Pattern
    initial: Pattern
    final: Pattern
    versus: Pattern
    completion: Pattern
    reason: Pattern
    subject_noise: Pattern
    item_heading: Pattern
    paragraph_label: Pattern
    actual_before: Pattern


class Ocr(_Model):
    corrections: dict[str, str]


class Regions(_Model):
    prefixes: Pattern
    aliases: dict[str, str]
    central: Pattern
    central_head: Pattern
    name_parts: Pattern
    name_forms: list[tuple[Pattern, str]]


class Wording(_Model):
    placeholder: Pattern
    no_figure: Pattern
    doubled: Pattern
    unitless_change: Pattern
    direction: dict[str, int]
    comparison: dict[str, int]
    prior_stated: Pattern
    execution_comparison: Pattern
    steady_with_change: Pattern
    comparison_year: Pattern
    title: Pattern
    date: Pattern
    name_line: Pattern
    organisation: Pattern
    period_end: Pattern
    unitless_pct: Pattern
    empty_statement: Pattern


class Entity(_Model):
    label: Literal["MONEY", "PERCENT", "COUNT", "CHANGE", "REASON"]
    pattern: Pattern
    comment: str | None = None


MODELS: dict[str, type[BaseModel]] = {
    "fields": Fields, "tables": Tables, "meta": Meta, "scope": Scope, "support": Support, "sections": Sections,
    "series": Series, "function_classes": FunctionClasses, "checks": Checks, "dictionary": Dictionary,
    "execution": Execution, "ocr": Ocr, "regions": Regions, "wording": Wording, "entities": Entity,
}
"""Each patterns/ file's model (entities.jsonl: each line's)."""
