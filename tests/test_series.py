"""The corpus side on real documents: who published each, one department's budgets over
consecutive years put in a series and checked against each other, one budget counted once."""

from __future__ import annotations

import copy

import pytest

from budgetextract.runs.series import corpus_findings, same_budgets, series_rows
from conftest import extracted, needs_real, real_files


@pytest.fixture(scope="module")
def records() -> list[tuple[str, dict]]:
    return [(p.name, extracted(str(p)).model_dump(mode="json")) for p in real_files()]


@needs_real
def test_each_document_names_its_publisher(records):
    for _, r in records:
        name, region = r["department"] or "", r["region"]
        if name.startswith(("江苏省", "广东省")):
            assert region["admin_level"] == "province" and region["adcode"] in ("320000", "440000")
        if name.startswith(("北京市", "重庆市", "中共重庆市")):
            assert (region["province"], region["admin_level"], region["city"]) in (("北京市", "province", "北京市"), ("重庆市", "province", "重庆市"))
        if "市" in name[:4] and "区" in name[3:7] and name.startswith("上海市"):
            assert region["admin_level"] == "county" and region["adcode"].startswith("31") and region["county"] and region["city"] == "上海市"
        if name.startswith(("深圳市", "广州市", "西安市", "烟台市")):
            assert region["admin_level"] == "city" and region["adcode"].endswith("00") and not region["adcode"].endswith("0000")


@needs_real
def test_a_departments_budgets_over_consecutive_years_form_a_series(records):
    series = series_rows(records, {})
    by = {(row["department_key"], row["fiscal_year"]): row for row in series if row["doc_kind"] == "budget"}
    chains = [(key, year) for key, year in by if (key, year - 1) in by and (key, year - 2) in by]
    assert len(chains) >= 2  # two departments with three years each
    for key, year in chains:
        assert by[(key, year)]["previous_record"] == by[(key, year - 1)]["record"]
        assert by[(key, year - 1)]["previous_record"] == by[(key, year - 2)]["record"]
    # an abbreviated title (省检察院) joins the full name's series
    assert any(key.startswith("江苏省") and "检察院" in key for key, _ in chains)


@needs_real
def test_a_budgets_prior_year_total_is_checked_against_the_previous_budget(records):
    series = series_rows(records, {})
    assert corpus_findings(records, series) == []  # the published series agree
    row = next(r for r in series if r["doc_kind"] == "budget" and r["previous_record"]
               and any(f["field"] == "changes.total.amount" for f in dict(records)[r["record"]]["facts"]))
    altered = [(path, copy.deepcopy(r)) for path, r in records]
    record = dict(altered)[row["record"]]
    change = next(f for f in record["facts"] if f["field"] == "changes.total.amount")
    change["value"] += 10  # the change misprinted by 10万元
    (found,) = corpus_findings(altered, series)
    assert (found["record"], found["other_record"], found["code"]) == (row["record"], row["previous_record"], "prior_year_total_mismatch")
    assert round(found["this_value"] - found["other_value"], 2) == -10 and found["evidence"] and found["pages"]


@needs_real
def test_one_budget_published_twice_is_counted_once(records):
    path, original = next((p, r) for p, r in records if r["department_key"] and r["summary"]["expenditure_total"])
    copy_of = ("附件1：" + path, copy.deepcopy(original))
    copy_of[1]["source"]["sha256"] = "another file"
    together = [(path, original), copy_of]
    assert same_budgets(together) == {copy_of[0]: path}
    changed = copy.deepcopy(copy_of[1])
    changed["summary"]["expenditure_total"] += 1  # another budget of the same department and year
    assert same_budgets([(path, original), (copy_of[0], changed)]) == {}
    assert [row["record"] for row in series_rows(together, same_budgets(together))] == [path]


def _as_of(record: dict, key: str, year: int) -> dict:
    """A copy of a real record under another department key and year (the corpus holds no
    final account beside its own budget, nor two consecutive final accounts)."""
    other = copy.deepcopy(record)
    other["department_key"], other["summary"]["fiscal_year"] = key, year
    return other


@needs_real
def test_a_final_accounts_initial_budget_is_checked_against_its_budget(records):
    path, accounts = next((p, r) for p, r in records if r["summary"]["doc_kind"] == "final_accounts" and any(
        e["budget_initial"] is not None and e["item"].startswith("“三公”经费") for e in r["execution"]))
    entry = next(e for e in accounts["execution"] if e["item"].startswith("“三公”经费"))
    budget_path, budget = next((p, r) for p, r in records if r["summary"]["doc_kind"] == "budget"
                               and r["summary"]["three_public_total"] is not None)
    budget = _as_of(budget, accounts["department_key"], accounts["summary"]["fiscal_year"])
    for key in ("three_public_outbound", "three_public_vehicle", "three_public_vehicle_purchase",
                "three_public_vehicle_operation", "three_public_reception", "operating_costs"):
        budget["summary"][key] = None  # compared one item at a time
    budget["summary"]["three_public_total"] = entry["budget_initial"]  # the budget published what the accounts say
    pair = [(path, accounts), (budget_path, budget)]
    series = series_rows(pair, {})
    assert next(r for r in series if r["record"] == path)["budget_record"] == budget_path
    assert corpus_findings(pair, series) == []
    budget["summary"]["three_public_total"] = entry["budget_initial"] + 5
    (found,) = corpus_findings(pair, series)
    assert (found["record"], found["other_record"], found["code"], found["field"]) == (
        path, budget_path, "initial_budget_mismatch", "three_public_total")
    assert round(found["other_value"] - found["this_value"], 2) == 5 and "年初预算" in found["message"]
    assert str(entry["evidence"]["page"]) in found["pages"].split(";") and entry["evidence"]["text"] in found["evidence"]


@needs_real
def test_a_final_accounts_carry_in_is_checked_against_last_years_carry_out(records):
    def row(record: dict, name: str) -> dict | None:
        return next((x for t in record["tables"] if t["kind"] == "budget_total" for x in t["rows"]
                     if x["name"] == name and any(v is not None for v in x["values"].values())), None)

    path, accounts = next((p, r) for p, r in records if r["summary"]["doc_kind"] == "final_accounts"
                          and row(r, "年初结转和结余") and row(r, "年末结转和结余"))
    opening = next(v for v in row(accounts, "年初结转和结余")["values"].values() if v is not None)
    previous = _as_of(accounts, accounts["department_key"], accounts["summary"]["fiscal_year"] - 1)
    closing = row(previous, "年末结转和结余")
    column = next(c for c, v in closing["values"].items() if v is not None)
    closing["values"][column] = opening  # last year carried out what this year carries in
    pair = [(path, accounts), ("previous " + path, previous)]
    series = series_rows(pair, {})
    assert corpus_findings(pair, series) == []
    closing["values"][column] = opening + 12.5
    (found,) = corpus_findings(pair, series)
    assert (found["record"], found["other_record"], found["code"]) == (path, "previous " + path, "carryover_mismatch")
    assert (found["this_value"], found["other_value"]) == (opening, opening + 12.5) and "年初结转和结余" in found["evidence"]


@needs_real
def test_consecutive_budgets_are_set_side_by_side_figure_by_figure(records):
    """Each pair of a department's consecutive budgets gives one row per figure both state, with
    the change the later one states beside the difference."""
    from budgetextract.runs.series import comparisons

    series = series_rows(records, {})
    rows = comparisons(records, series)
    pairs = {(r["record"], r["other_record"]) for r in rows if r["relation"] == "previous_year"}
    linked = {(row["record"], row["previous_record"]) for row in series if row["previous_record"] and row["doc_kind"] == "budget"}
    assert linked and pairs == linked
    by_path = dict(records)
    for r in rows:
        later, earlier = by_path[r["record"]]["summary"], by_path[r["other_record"]]["summary"]
        assert (r["value"], r["other_value"]) == (later[r["key"]], earlier[r["key"]])
        assert r["fiscal_year"] == r["other_fiscal_year"] + 1
    stated = [r for r in rows if r["stated_change"] is not None]
    assert stated and all(r["agrees"] == (abs(r["stated_change"] - r["difference"]) < 0.02) for r in stated)
    assert any(r["agrees"] for r in stated)
