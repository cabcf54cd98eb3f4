"""Budget against actual in final accounts (决算): one entry for every place the document
sets a budget figure (年初预算 / 全年预算) against its actual (支出决算), with the printed
completion percentage and the reason given for the difference.

A statement is a clause (between 。 and ；). Its item is the subject before its first
figure word (一般公共预算财政拨款支出年初预算为…), or, where the clause has none, the
numbered item line it belongs to (1、一般公共服务支出（类）…（项）。 / 全年预算为…). A reason
is the one given in the same clause, or in the clause right after it when that clause
states no figures of its own; a reason standing after a sentence that set out a total
and its parts (其中：…) belongs to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import regex

from .. import vocab
from ..schema import ExecutionEntry, Table
from ..tables.cells import table_evidence, total_row
from .context import Context

_CLAUSE_END = regex.compile(r"[。;]")
_CODE = regex.compile(r"[(（]?(?P<code>\d{3}(?:\d{2}){0,2})[)）]?")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, regex.Pattern]:
    data = vocab.load("execution")
    # the line patterns match at a line's start inside the text
    return {k: regex.compile(v, regex.MULTILINE if k in ("item_heading", "paragraph_label") else 0)
            for k, v in data.items() if not k.startswith("_")}


@dataclass
class _Clause:
    start: int
    end: int
    sentence: int  # index of the sentence (between 。) the clause belongs to


def _clauses(text: str, start: int, end: int) -> list[_Clause]:
    """Clauses, each with its sentence; a sentence opening with 其中 (the parts of a total
    just stated) counts as the total's sentence."""
    out, sentence, at = [], 0, start
    for m in _CLAUSE_END.finditer(text, start, end):
        out.append(_Clause(at, m.start(), sentence))
        sentence += m.group() == "。" and not text.startswith("其中", m.end())
        at = m.end()
    if at < end:
        out.append(_Clause(at, end, sentence))
    return out


def _money_after(ctx: Context, pos: int, limit: int):
    money = ctx.first_after("MONEY", pos)
    if money is None or money.start_char >= limit or ctx.norm.folded[pos : money.start_char].strip():
        return None
    return money


def _item(ctx: Context, clause: _Clause, first_word: int) -> str | None:
    p = _patterns()
    text = ctx.norm.text
    # the subject stands on the figure's own line, after the clause's start
    subject_start = max(clause.start, text.rfind("\n", 0, first_word) + 1)
    if text.rfind("\n", 0, first_word) > clause.start and first_word - subject_start < 2:
        subject_start = max(clause.start, text.rfind("\n", 0, subject_start - 1) + 1)  # a word broken at the line's end
    subject = regex.sub(r"\s+", "", text[subject_start:first_word]).strip("，,、：:")
    subject = p["subject_noise"].sub("", subject)
    if subject and regex.search(r"\p{Han}", subject) and not regex.search(r"\d", subject):
        return subject
    # the numbered item line this clause stands under (the line itself, or the one before)
    line_start = text.rfind("\n", 0, clause.start) + 1
    own_line = line_start
    for _ in range(2):
        m = p["item_heading"].match(text, line_start)
        if m:
            return regex.sub(r"\s+", "", m.group("item"))
        if line_start == 0:
            break
        line_start = text.rfind("\n", 0, line_start - 1) + 1
    # else the label that opens the clause's paragraph (部门整体支出绩效自评综述：…)
    m = p["paragraph_label"].match(ctx.norm.folded, own_line)
    return regex.sub(r"\s+", "", m.group("label")) if m else None


def _reason(ctx: Context, start: int, end: int) -> str | None:
    m = _patterns()["reason"].search(ctx.norm.folded, start, end)
    if m is None:
        return None
    reason = regex.sub(r"\s+", "", ctx.norm.text[m.end() : end]).strip("，,：:；;。")
    return reason or None


def _statement(ctx: Context, clause: _Clause, previous: _Clause | None) -> tuple[ExecutionEntry, int] | None:
    """The entry a clause states, and where its figures end (a reason may follow). A
    clause that only sets the actual against the budget (；完成年初预算100%，决算数大于预算数
    55.93万元) speaks of the figure the clause before it in its sentence states."""
    p = _patterns()
    folded = ctx.norm.folded
    subject_clause = clause
    found: dict[str, tuple[Decimal, int, int]] = {}
    for key in ("initial", "final", "actual"):
        for m in p[key].finditer(folded, clause.start, clause.end):
            money = _money_after(ctx, m.end(), clause.end)
            if money is not None and key not in found:
                # 支出决算为: the 支出 ends a total's name (一般公共预算财政拨款支出), not an
                # expense's (公务接待费支出决算为 → 公务接待费)
                lead = regex.match(r"支\n?出", folded, pos=m.start()) \
                    if key == "actual" and not folded[max(0, m.start() - 3) : m.start()].rstrip().endswith("费") else None
                found[key] = (money._.value, lead.end() if lead else m.start(), money.end_char)
    versus = p["versus"].search(folded, clause.start, clause.end)
    completion = p["completion"].search(folded, clause.start, clause.end)
    if "actual" not in found and (versus is None or found) and (found or completion is not None):
        # “三公”经费支出2.05万元，年初预算为2.95万元 / 支出1741.75万元，决算数为年初预算的103.32%:
        # the actual is the spending figure right before the budget or the percentage
        after = min([v[1] for v in found.values()] + ([completion.start()] if completion is not None else []))
        actual = ctx.last_before("MONEY", after)
        if actual is not None and actual.start_char >= clause.start \
                and p["actual_before"].search(folded, clause.start, actual.start_char):
            found["actual"] = (actual._.value, actual.start_char, actual.end_char)
    if versus is not None and not {"initial", "final"} & found.keys():
        change = _money_after(ctx, versus.end(), clause.end)
        if "actual" in found:  # 支出决算数为1741.75万元，比年初预算增加55.93万元
            actual_value, actual_start = found["actual"][:2]
        else:
            # X支出1668.14万元，比年初预算数增加1668.14万元: the actual stands before the comparison
            actual = ctx.last_before("MONEY", versus.start())
            if (actual is None or actual.start_char < clause.start) and previous is not None \
                    and regex.match(r"\s*(?:完成|决算)", folded[clause.start : clause.end]):
                actual, subject_clause = ctx.first_after("MONEY", previous.start), previous
            ok = actual is not None and actual.start_char >= subject_clause.start
            actual_value, actual_start = (actual._.value, actual.start_char) if ok else (None, None)
        if actual_value is not None and change is not None:
            found["actual"] = (actual_value, actual_start, change.end_char)
            sign = 1 if versus.group("word") in ("增加", "大于", "高于") else -1
            key = "final" if versus.group("of") and versus.group("of") != "年初" else "initial"
            found.setdefault(key, (actual_value - sign * change._.value, versus.start(), change.end_char))
    if "actual" not in found or len(found) < 2 and versus is None and completion is None:
        return None  # an actual alone is not set against a budget
    pct, pct_of, end = None, None, max(v[2] for v in found.values())
    if completion is not None:
        percent = ctx.first_after("PERCENT", completion.end())
        if percent is not None and percent.start_char < clause.end:
            named = completion.group("of")
            # 完成预算的 P%: of the one budget stated, the 年初 one where both are
            of = ("budget_final" if named != "年初" else "budget_initial") if named else \
                ("budget_final" if "final" in found and "initial" not in found else "budget_initial")
            pct, pct_of, end = percent._.value, of, max(end, percent.end_char)
            if completion.group("base") and of.removeprefix("budget_") not in found:
                found[of.removeprefix("budget_")] = (Decimal(completion.group("base").replace(",", "")), completion.start(), percent.end_char)
    first_word = min(v[1] for v in found.values())
    if versus is not None and "actual" in found:
        first_word = min(first_word, found["actual"][1])
    item = _item(ctx, subject_clause, first_word)
    if item is None:
        return None
    code = _CODE.search(item)
    entry = ExecutionEntry(
        item=item, code=code.group("code") if code else None,
        budget_initial=found["initial"][0] if "initial" in found else None,
        budget_final=found["final"][0] if "final" in found else None,
        actual=found["actual"][0], pct=pct, pct_of=pct_of,
        evidence=ctx.evidence(first_word, end),
    )
    return entry, end


def extract_execution(ctx: Context) -> list[ExecutionEntry]:
    text = ctx.norm.folded
    clauses = _clauses(text, 0, len(text))
    stated = [_statement(ctx, c, clauses[i - 1] if i and clauses[i - 1].sentence == c.sentence else None)
              if not ctx.excluded(c.start) else None for i, c in enumerate(clauses)]
    entries: list[ExecutionEntry] = []
    for i, (clause, found) in enumerate(zip(clauses, stated)):
        if found is None:
            continue
        entry, end = found
        entry.reason = _reason(ctx, end, clause.end)
        if entry.reason is None:
            entry.reason = _reason_after(ctx, clauses, stated, i)
        entries.append(entry)
    return entries


def _reason_after(ctx: Context, clauses: list[_Clause], stated: list, i: int) -> str | None:
    """The reason in a clause after a statement that states no figures of its own: the
    next clause of its sentence when it opens with the lead-in; else the first clause
    after the sentence, for the sentence's first statement (a total before its parts)."""
    clause, reason_lead = clauses[i], _patterns()["reason"]
    nxt = i + 1
    if nxt < len(clauses) and clauses[nxt].sentence == clause.sentence:
        if stated[nxt] is None and reason_lead.match(ctx.norm.folded, clauses[nxt].start):
            return _reason(ctx, clauses[nxt].start, clauses[nxt].end)
    after = next((j for j in range(nxt, len(clauses)) if clauses[j].sentence != clause.sentence), None)
    head = next(j for j, c in enumerate(clauses) if c.sentence == clause.sentence and stated[j] is not None)
    if after is None or stated[after] is not None or head != i:
        return None
    return _reason(ctx, clauses[after].start, clauses[after].end)


def table_entries(tables: list[Table], entries: list[ExecutionEntry], ctx: Context) -> list[ExecutionEntry]:
    """Pairs only a “三公” 决算 table gives: each item with 预算数 and 决算数 columns (the
    预算数 of the national template is the 年初预算), where the narrative has no entry."""
    from ..tables.catalogue import column_role

    named = {"three_public_total": "“三公”经费", "three_public_outbound": "因公出国（境）费", "three_public_vehicle": "公务用车购置及运行费",
             "three_public_vehicle_purchase": "公务用车购置费", "three_public_vehicle_operation": "公务用车运行费",
             "three_public_reception": "公务接待费"}
    have = {item_key(e.item) for e in entries}
    out = []
    for table in (t for t in tables if t.kind == "three_public"):
        row = total_row(table)
        if row is None:
            continue
        for role, item in named.items():
            columns = [c for c in row.values if column_role(c) == role or role == "three_public_total" and c.endswith("/合计")]
            budget = next((c for c in columns if "预算" in c.split("/")[0]), None)
            actual = next((c for c in columns if "决算" in c.split("/")[0]), None)
            if not budget or not actual or row.values.get(actual) is None or item_key(item) in have:
                continue
            evidence = table_evidence(ctx.norm, table, row, actual)
            if evidence is None:
                continue
            evidence.label = f"{table.title} | {budget} · {actual}"
            out.append(ExecutionEntry(item=item, budget_initial=row.values.get(budget), actual=row.values[actual],
                                      source="table", evidence=evidence))
    return out


def item_key(item: str) -> str:
    """An item's name for comparison: without punctuation, 财政拨款, 支出 and a closing 费(用)."""
    return regex.sub(r"费用?$", "", regex.sub(r"[\s“”\"'（）()、]|财政拨款|支出", "", item))
