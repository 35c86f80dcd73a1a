"""Rate stage: the unit's rulebook turns scores and facts into Ratings, each with its reasons.

    from pipeline.rating import rate, as_json, as_text
    result = rate(unit)              # period "nam" (year) or "Q1", "Q2", "Q3"
    result.subjects                  # Rating objects in review order
    result.by_id("lp-cq-001").reasons
    as_json(result, unit)            # the stable xep-loai.json shape
    print(as_text(result, unit))     # a Vietnamese table for the terminal

Everything a regulation fixes lives in forms/regimes/<regime>.yaml and forms/criteria/*.yaml;
this package implements the mechanisms (see engine.py for the order of work).
"""
from __future__ import annotations

from ..model import Unit
from ..problems import Problem, Where, error, ordered
from . import conditions, rulebook
from . import criteria as criteria_mod
from .engine import Engine
from .report import as_json, as_text
from .result import GroupSummary, Rating, Result
from .subjects import collect

PERIODS = ("nam", "Q1", "Q2", "Q3")


def form_entry(rules: dict, role: str) -> dict:
    """A role's entry of the rulebook's `forms` map: codes (review, quarterly, scoring) and what the
    annual form prints – label (the code as printed), title, category."""
    entry = (rules.get("forms") or {}).get(role) or {}
    return entry if isinstance(entry, dict) else {}


def form_for(rules: dict, role: str, which: str = "review") -> str | None:
    """The form code a role uses under a rulebook, e.g. form_for(rules, "lanh-dao") → "02A" in 2025."""
    return form_entry(rules, role).get(which)


def check_rules(rules: dict) -> list[Problem]:
    """Mistakes in an office-edited rulebook or criteria framework, as problems at the file."""
    where = Where(f"forms/regimes/{rules.get('id', '')}.yaml")
    out = [error(where, "", m) for m in conditions.check_rulebook(rules)]
    fid = rules.get("criteria")
    if fid:
        try:
            fw = criteria_mod.load(fid)
            out += [error(Where(f"forms/criteria/{fid}.yaml"), "", m) for m in criteria_mod.check(fw)]
        except criteria_mod.UnknownFramework:
            out.append(error(where, "criteria", f"không có khung tiêu chí «{fid}» trong forms/criteria/"))
        except (ValueError, KeyError, TypeError) as exc:
            out.append(error(Where(f"forms/criteria/{fid}.yaml"), "", f"khung tiêu chí không đọc được: {exc}"))
    sid = (rules.get("scoring") or {}).get("criteria")
    if sid:                 # the points framework of the scoring sheets (Mẫu 09/HDĐG)
        try:
            sfw = criteria_mod.load(str(sid))
            out += [error(Where(f"forms/criteria/{sid}.yaml"), "", m) for m in criteria_mod.check(sfw)]
            if sfw.scale != "points":
                out.append(error(where, "scoring.criteria", f"khung «{sid}» của phiếu chấm điểm phải chấm điểm (scale: points)"))
        except criteria_mod.UnknownFramework:
            out.append(error(where, "scoring.criteria", f"không có khung tiêu chí «{sid}» trong forms/criteria/"))
        except (ValueError, KeyError, TypeError) as exc:
            out.append(error(Where(f"forms/criteria/{sid}.yaml"), "", f"khung tiêu chí không đọc được: {exc}"))
    if rules.get("method") == "points" and not rules.get("bands"):
        out.append(error(where, "bands", "chế độ chấm điểm cần khung điểm (bands)"))
    return out


def rate(unit: Unit, period: str = "nam") -> Result:
    """Rate every subject of the unit for the period ("nam", "Q1", "Q2", "Q3")."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    info = unit.info
    try:
        rules = rulebook.load(info.regime)
    except rulebook.UnknownRegime:
        return Result(unit.slug, info.year, period, info.regime, problems=[error(
            info.where("che_do"), "che_do", f"chế độ đánh giá «{info.regime}» không có; không xếp loại được")])
    problems = check_rules(rules)
    quarterly = rules.get("quarterly") or {}
    qperiods = list(quarterly.get("periods") or [])
    if period != "nam" and period not in qperiods:
        problems.append(error(info.where("che_do"), "che_do",
                              f"chế độ {info.regime} không đánh giá, xếp loại theo quý ({period})"))
    quarters: dict[str, dict[str, str]] = {}
    subjects = collect(unit, rules)     # the same for every period's engine
    if period == "nam" and qperiods:
        records = {"dang-bo": unit.info, **{r.id: r for r in (*unit.members, *unit.cells, *unit.collectives)}}
        for q in qperiods:
            qres = Engine(unit, rules, q, subjects=subjects).run()
            problems += qres.problems
            for r in qres.subjects:
                rec = records.get(r.id)
                if r.level is not None and rec is not None and rec.reviews.get(q) is not None:
                    quarters.setdefault(r.id, {})[q] = r.level
    result = Engine(unit, rules, period, quarters, subjects=subjects).run()
    result.problems = ordered(problems + result.problems)
    return result


__all__ = ["rate", "as_json", "as_text", "form_for", "form_entry", "Result", "Rating", "GroupSummary", "check_rules", "PERIODS"]
