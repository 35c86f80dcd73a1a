"""The rating engine: every subject's level in one pass, in dependency order.

Work items (nodes) and what they wait for:
  P(s)  pre-quota level of s: own score/criteria, conditions, forced cases, ballots, quarters,
        head ≤ unit. A chi bộ waits for its members (M or P), the Đảng bộ for its chi bộ and the
        same-level bodies (F), a person for the units they head (F).
  M(s)  for a person who heads a chi bộ or the Đảng bộ: their level *as a member*, i.e. without the
        party organisations they head – the organisation's member statistics use it. (Capping a
        head to the organisation's level never changes the organisation's 80/50/20 shares, so this
        cuts the chi bộ ↔ secretary loop without changing any result.)
  Q(g)  the HTXSNV quota of comparison group g: waits for P of every member of g.
  F(s)  the proposal after the quota, then the decision and the checks on it: waits for Q(group).
A cycle (e.g. a comparison group holding both a collective and its head) is reported as an
error naming the subjects; the nodes on it are then computed with the missing inputs unknown.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ..model import CRITERION_NAMES, Unit, plain
from ..problems import Problem, Where, error, warning
from . import ballots as ballots_mod
from . import eligibility, heads, levels, quota
from . import criteria as criteria_mod
from . import forced as forced_mod
from .metrics import METRICS, counted_forms, score_of
from .order import review_order
from .result import GroupSummary, Rating, Result
from .subjects import Subject, collect
from .text import LEVELS, RANK, ROMAN_Q, above, below, fill, period_name, say, show

PERIOD_KEY = {"nam": "nam", "Q1": "quy_1", "Q2": "quy_2", "Q3": "quy_3"}
KIND_LABEL = {"dang-vien": "đảng viên", "can-bo": "cán bộ", "tap-the": "tập thể", "to-chuc-dang": "tổ chức đảng"}


@dataclass
class Pre:
    level: str | None
    rated: bool
    reasons: list[str] = field(default_factory=list)
    score: float | None = None
    merit: tuple = ()
    merit_text: tuple = ()
    notes: list = field(default_factory=list)     # short notes for the lists' Ghi chú


class View:
    """What measures and rules see: the engine, with or without the organisations a person heads."""

    def __init__(self, engine: "Engine", member_mode: bool):
        self.e, self.member_mode = engine, member_mode
        self.rules, self.period, self.subjects = engine.rules, engine.period, engine.subjects
        self.date_range = engine.date_range
        self.cond_cache = engine.cond_cache

    def criteria_set(self, role):
        return self.e.criteria_set(role)

    def level(self, sid):
        return self.e.level(sid)

    def member_level(self, sid):
        return self.e.member_level(sid)

    def led_units(self, s: Subject) -> tuple[str, ...]:
        units = tuple(u for u in s.leads if u in self.subjects)
        if self.member_mode:
            units = tuple(u for u in units if self.subjects[u].kind == "tap-the")
        return units


class Engine:
    def __init__(self, unit: Unit, rules: dict, period: str, quarters: dict | None = None,
                 subjects: list[Subject] | None = None):
        """subjects: collect(unit, rules), when the caller already has it (rate() runs one
        engine per period over the same subjects)."""
        self.unit, self.rules, self.period = unit, rules, period
        self.year = unit.info.year
        self.date = eligibility.rating_date(unit.info, rules, period)
        self.date_range = eligibility.period_range(self.year, period)
        self.quarters = quarters or {}
        self.cond_cache: dict = {}      # conditions.applicable, for this run's rulebook and period
        self.problems: list[Problem] = []
        self.subjects: dict[str, Subject] = {}
        for s in (collect(unit, rules) if subjects is None else subjects):
            if s.id in self.subjects:
                other = self.subjects[s.id]
                self.problems.append(error(s.where("id"), "id",
                                           f"mã «{s.id}» dùng cho cả {KIND_LABEL[other.kind]} «{other.name}» và "
                                           f"{KIND_LABEL[s.kind]} «{s.name}»; mỗi đối tượng xếp loại cần một mã riêng"))
                continue
            self.subjects[s.id] = s
        self.groups: dict[str, list[str]] = {}
        for sid in sorted(self.subjects):
            self.groups.setdefault(self.subjects[sid].group, []).append(sid)
        unit_ev = unit.info.reviews.get(period)
        self.outstanding = bool(unit_ev and unit_ev.outstanding_unit)
        try:
            self.framework = criteria_mod.framework(rules)
        except (criteria_mod.UnknownFramework, ValueError, KeyError, TypeError):
            self.framework = None
        self.pre: dict[str, Pre] = {}
        self.mem: dict[str, Pre] = {}
        self.plans: dict[str, quota.Plan] = {}
        self.ratings: dict[str, Rating] = {}
        self.views = {False: View(self, False), True: View(self, True)}
        self._no_review: str | None = None

    # ------------------------------------------------------------ what other subjects see

    def criteria_set(self, role: str):
        return self.framework.for_role(role) if self.framework else None

    def _decided(self, s: Subject) -> str | None:
        ev = s.review(self.period)
        return ev.decided_level if ev is not None else None

    def level(self, sid: str) -> str | None:
        r = self.ratings.get(sid)
        return r.level if r else None

    def member_level(self, sid: str) -> str | None:
        s = self.subjects.get(sid)
        pre = self.mem.get(sid) or self.pre.get(sid)
        if s is None or pre is None:
            return None
        if pre.level == "KXL":
            return "KXL"
        return self._decided(s) or pre.level

    # ------------------------------------------------------------ the graph

    def _graph(self) -> dict[tuple, list[tuple]]:
        subs = self.subjects
        self.heads_orgs = {sid for sid, s in subs.items() if s.is_person and any(subs[u].is_org for u in s.leads if u in subs)}
        deps: dict[tuple, list[tuple]] = {}
        for sid, s in subs.items():
            if s.is_unit:
                d = [("F", c) for c in s.members if c in subs] + [("F", k) for k in s.peers if k in subs]
            elif s.is_org:
                d = [("M" if m in self.heads_orgs else "P", m) for m in s.members if m in subs]
            elif s.is_person:
                d = [("F", u) for u in s.leads if u in subs]
            else:
                d = []
            deps[("P", sid)] = d
            if sid in self.heads_orgs:
                deps[("M", sid)] = [("F", u) for u in s.leads if u in subs and subs[u].kind == "tap-the"]
            deps[("F", sid)] = [("Q", s.group)]
        for g, ids in self.groups.items():
            deps[("Q", g)] = [("P", i) for i in ids]
        return deps

    def _node_name(self, node: tuple) -> str:
        kind, key = node
        if kind == "Q":
            return f"hạn mức nhóm «{key}»"
        s = self.subjects[key]
        return f"{s.name}" + (" (với tư cách đảng viên)" if kind == "M" else "")

    def _order(self, deps: dict) -> list[tuple]:
        users: dict[tuple, list[tuple]] = {}
        indeg = dict.fromkeys(deps, 0)
        for n, ds in deps.items():
            for d in ds:
                if d in deps:
                    users.setdefault(d, []).append(n)
                    indeg[n] += 1
        ready = [n for n, k in indeg.items() if k == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            n = heapq.heappop(ready)
            out.append(n)
            for u in users.get(n, ()):
                indeg[u] -= 1
                if indeg[u] == 0:
                    heapq.heappush(ready, u)
        placed = set(out)
        rest = sorted(n for n in deps if n not in placed)
        if rest:
            self._report_cycle(deps, set(rest))
            phase = {"P": 0, "M": 0, "Q": 1, "F": 2}
            out += sorted(rest, key=lambda n: (phase[n[0]], n))
        return out

    def _report_cycle(self, deps: dict, rest: set):
        start = min(rest)
        path, seen = [start], {start: 0}
        node = start
        while True:
            nxt = min(d for d in deps[node] if d in rest)
            if nxt in seen:
                cycle = path[seen[nxt]:] + [nxt]
                break
            seen[nxt] = len(path)
            path.append(nxt)
            node = nxt
        names = " → ".join(self._node_name(n) for n in cycle)
        first = next((self.subjects[n[1]] for n in cycle if n[0] != "Q"), None)
        where = first.where("nhom") if first else Where()
        self.problems.append(error(where, "nhom", f"vòng phụ thuộc khi xếp loại: {names}; kiểm tra nhóm so sánh "
                                                  "(một nhóm không nên gồm cả tập thể và người đứng đầu của nó)"))

    # ------------------------------------------------------------ work items

    def _merit(self, s: Subject, ev, score, view) -> tuple[tuple, tuple]:
        """What the quota compares, best high: the score (criteria regimes: the count of Xuất sắc
        criteria), then the rulebook's tie-breakers (quota.tie_breakers: metrics, in order) – and
        each in words, for the reasons."""
        if self.rules.get("method") == "points":
            values, words = [-1.0 if score is None else score], ["không có điểm" if score is None else f"điểm {show(score)}"]
        else:
            n = sum(1 for v in (ev.criteria.values() if ev is not None else ()) if v == "xuat-sac")
            values, words = [float(n)], [f"{n} tiêu chí {CRITERION_NAMES['xuat-sac']}"]
        for tb in (self.rules.get("quota") or {}).get("tie_breakers") or []:
            got = METRICS[tb["metric"]](s, ev, view) if ev is not None else None
            v = float(got.value) if got is not None and not isinstance(got.value, bool) else 0.0
            values.append(-v if tb.get("lower_is_better") else v)
            words.append(fill(tb["text"], value=show(v)))
        return tuple(values), tuple(words)

    def _pre(self, s: Subject, member_mode: bool) -> Pre:
        rules, view = self.rules, self.views[member_mode]
        ev = s.review(self.period)
        el = eligibility.check(s, rules, self.date)
        if not el.rated:
            return Pre("KXL", False, list(el.reasons), score_of(ev)[0], notes=[el.note] if el.note else [])
        reasons = list(el.reasons)
        if ev is None:
            if self._no_review is None:   # the same sentence for everyone of the period
                self._no_review = say(rules, "no_review", period=period_name(rules, self.period, self.year))
            reasons.append(self._no_review)
            return Pre(None, False, reasons, notes=[say(rules, "note_no_review")])
        tally = ballots_mod.tally(ev.ballots, rules) if ev.ballots is not None else None
        ballot_level = tally.level if tally else None
        level, rs, score = levels.start(s, ev, view, ballot_level)
        reasons += rs
        if level is None:
            return Pre(None, False, reasons)
        if rules.get("method") != "points" and ev.criteria:
            # the criteria's own level first, then each condition that lowered it
            level, rs = levels.criteria_level(s, ev, view)
            reasons.append(say(rules, "criteria", counts=levels.criteria_summary(ev), level=level))
            reasons += rs
        level, rs = levels.apply_conditions(level, s, ev, view)
        reasons += rs
        hit, rs, notes = forced_mod.forced(s, ev, view)
        reasons += rs
        if hit:
            level = "KHTNV"
        if tally is not None and tally.level:
            reasons.append(ballots_mod.reason(tally, rules))
            if above(tally.level, level):
                reasons.append(say(rules, "ballot_cap", ballot=tally.level, level=level))
            elif above(level, tally.level):
                level = tally.level
                reasons.append(say(rules, "ballot_lower", level=level))
        qs = self.quarters.get(s.id) or {}
        if self.period == "nam" and qs:
            reasons.append(say(rules, "quarters", levels="; ".join(f"{ROMAN_Q.get(q, q)}: {lv}" for q, lv in sorted(qs.items()))))
            block = (rules.get("quarterly") or {}).get("khtnv_blocks")
            bad = [q for q in sorted(qs) if qs[q] == "KHTNV"]
            if block in RANK and bad and RANK[level] >= RANK[block] and block != LEVELS[-1]:
                nxt = below(block)
                reasons.append(say(rules, "quarter_block", quarter=ROMAN_Q.get(bad[0], bad[0]), level=block, next=nxt))
                notes.append(say(rules, "note_quarter"))
                level = nxt
        if s.is_person:
            capped, rs = heads.cap(s, level, view, view.led_units(s))
            if capped != level:
                led = [view.subjects[u] for u in view.led_units(s) if u in view.subjects]
                notes.append(say(rules, "note_head_cap", unit=next((u.name for u in led if view.level(u.id) == capped),
                                                                      led[0].name if led else "")))
            level = capped
            reasons += rs
        merit, merit_text = self._merit(s, ev, score, view)
        return Pre(level, True, reasons, score, merit, merit_text, notes)

    def _quota(self, g: str):
        entries = []
        for sid in self.groups[g]:
            pre = self.pre.get(sid) or Pre(None, False)
            entries.append((self.subjects[sid], pre.level, pre.merit, pre.merit_text))
        self.plans[g] = quota.plan(g, entries, self.rules, self.outstanding)

    def _where(self, s: Subject, field: str) -> Where:
        ev = s.review(self.period)
        if ev is not None:
            w = ev.where(field)
            if w.file:
                return w
        w = s.where("danh_gia")
        return w if w.file else s.where()

    def _final(self, s: Subject):
        rules = self.rules
        pre = self.pre.get(s.id) or Pre(None, False)
        plan = self.plans.get(s.group)
        reasons = list(pre.reasons)
        proposed = pre.level
        notes = list(pre.notes)
        if plan and s.id in plan.cut and proposed == "HTXSNV":
            proposed = "HTTNV"
            reasons.append(plan.cut[s.id])
            notes.append(say(rules, "note_quota"))
        elif plan and s.id in plan.kept and proposed == "HTXSNV":
            reasons.append(plan.kept[s.id])
        ev = s.review(self.period)
        pk = PERIOD_KEY[self.period]
        decided = ev.decided_level if ev is not None else None
        final = decided
        if proposed == "KXL":
            final = "KXL"
            if decided and decided != "KXL":
                self.problems.append(error(self._where(s, "xep_loai"), f"danh_gia.{pk}.xep_loai",
                                           f"«{s.name}» thuộc diện không xếp loại ({'; '.join(pre.reasons)}) "
                                           f"nhưng có mức quyết định {decided}"))
        elif decided:
            if proposed in RANK and above(decided, proposed):
                if ev.decision_reason:
                    reasons.append(say(rules, "decided_above", level=decided, proposed=proposed, reason=ev.decision_reason))
                else:
                    reasons.append(say(rules, "decided", level=decided))
                    self.problems.append(error(self._where(s, "xep_loai"), f"danh_gia.{pk}.xep_loai",
                                               f"mức quyết định {decided} của «{s.name}» cao hơn mức quy định cho phép "
                                               f"{proposed}; cần ghi lý do của cấp có thẩm quyền (ly_do_quyet_dinh)"))
            else:
                reasons.append(say(rules, "decided", level=decided))
        self_level = levels.self_level(rules, ev)
        if self_level in RANK and proposed in RANK and above(self_level, proposed):
            reasons.append(say(rules, "self_above", self_level=self_level, proposed=proposed))
            self.problems.append(warning(self._where(s, "tu_xep_loai" if ev.self_level else "tu_cham"),
                                         f"danh_gia.{pk}.tu_xep_loai",
                                         f"«{s.name}» tự xếp loại {self_level} cao hơn mức đề xuất theo quy định {proposed}"))
        if ev is not None and ev.ballots is not None:
            t = ballots_mod.tally(ev.ballots, rules)
            if t.tie and not t.tie_decided:
                upper, lower = t.tie
                given = ev.ballots.tie_decision
                what = (f"mức ghi «{given}» không nằm giữa {upper} và {lower}" if given
                        else "chưa ghi mức người đứng đầu quyết định")
                self.problems.append(error(self._where(s, "phieu"), f"danh_gia.{pk}.phieu.quyet_dinh_khi_ngang_phieu",
                                           f"phiếu biểu quyết về «{s.name}» ngang nhau (50% từ {upper} trở lên, 50% thấp "
                                           f"hơn); {what} (quyet_dinh_khi_ngang_phieu: {upper} hoặc {lower})"))
        review = (rules.get("forms") or {}).get(s.role) or {}
        self.ratings[s.id] = Rating(
            id=s.id, kind=s.kind, role=s.role, name=s.name, group=s.group, score=pre.score,
            self_level=self_level, proposed_level=proposed, final_level=final,
            rated=(final or proposed) in RANK, reasons=reasons,
            form_code=review.get("review") if isinstance(review, dict) else None,
            self_score=ev.self_score.value() if ev is not None and ev.self_score is not None else None,
            vetted_score=ev.vetted_score.value() if ev is not None and ev.vetted_score is not None else None,
            quarters=dict(sorted((self.quarters.get(s.id) or {}).items())),
            leads=s.leads, head=s.head, note="; ".join(dict.fromkeys(notes)))

    # ------------------------------------------------------------ checks on the data

    def _checks(self):
        rules, pk = self.rules, PERIOD_KEY[self.period]
        forms = counted_forms(rules)
        for sid in sorted(self.subjects):
            s = self.subjects[sid]
            ev = s.review(self.period)
            if self.period == "nam" and ev is None and not (self.pre.get(sid) and self.pre[sid].level == "KXL"):
                self.problems.append(warning(s.where(), "danh_gia.nam",
                                             f"chưa có kết quả đánh giá năm của «{s.name}»; «{s.name}» chưa được xếp loại"))
            if ev is not None and ev.outstanding_unit and not s.is_unit:
                self.problems.append(warning(self._where(s, "don_vi_tieu_bieu"), f"danh_gia.{pk}.don_vi_tieu_bieu",
                                             f"«đơn vị tiêu biểu» chỉ có tác dụng khi ghi ở đơn vị (don_vi); bỏ qua ở «{s.name}»"))
            if ev is not None and ev.criteria and self.rules.get("method") != "points":
                cs = self.criteria_set(s.role)
                if cs is not None:
                    known = cs.by_id()
                    unknown = sorted(set(ev.criteria) - set(known))
                    if unknown:
                        self.problems.append(warning(self._where(s, "tieu_chi"), f"danh_gia.{pk}.tieu_chi",
                                                     f"tiêu chí {', '.join(unknown)} của «{s.name}» không có trong khung "
                                                     f"tiêu chí {self.framework.id} (có: {', '.join(known)}); coi là tiêu chí chung"))
                    missing = [c for c in known if c not in ev.criteria]
                    if missing:
                        self.problems.append(warning(self._where(s, "tieu_chi"), f"danh_gia.{pk}.tieu_chi",
                                                     f"«{s.name}» chưa có mức đạt của tiêu chí: {', '.join(missing)}"))
            if s.is_person and self.period == "nam":
                for d in s.record.discipline:
                    if plain(d.form) not in forms:
                        self.problems.append(warning(s.where("ky_luat"), "ky_luat.hinh_thuc",
                                                     f"hình thức kỷ luật «{d.form}» của «{s.name}» không thuộc danh sách "
                                                     f"tính là bị kỷ luật ({', '.join((rules.get('discipline') or {}).get('counted_forms') or [])}); không tính"))

    def _groups(self) -> list[GroupSummary]:
        out = []
        for g, ids in sorted(self.groups.items()):
            levels_ = [self.ratings[i].level if i in self.ratings else None for i in ids]
            counts = {lv: sum(1 for x in levels_ if x == lv) for lv in LEVELS}
            counts["KXL"] = sum(1 for x in levels_ if x not in RANK)
            al = quota.allowance(self.rules, levels_, self.outstanding)
            used = counts["HTXSNV"]
            out.append(GroupSummary(g, counts, al.base, al.percent, al.allowed, used, al.small_group, tuple(ids)))
            if used > al.allowed:
                over = [self.subjects[i] for i in ids if self.ratings[i].final_level == "HTXSNV"
                        and self.ratings[i].proposed_level != "HTXSNV"]
                where = self._where(over[0], "xep_loai") if over else Where()
                self.problems.append(error(where, f"danh_gia.{PERIOD_KEY[self.period]}.xep_loai",
                                           f"nhóm «{g}» có {used} HTXSNV, vượt hạn mức {al.allowed} "
                                           f"(không quá {show(al.percent)}% {say(self.rules, 'base_name_' + al.base)}; "
                                           f"nhóm có {al.pool} đối tượng {say(self.rules, 'pool_name_' + al.base)})"))
        return out

    # ------------------------------------------------------------ run

    def run(self) -> Result:
        deps = self._graph()
        for node in self._order(deps):
            kind, key = node
            if kind == "P":
                self.pre[key] = self._pre(self.subjects[key], member_mode=False)
            elif kind == "M":
                self.mem[key] = self._pre(self.subjects[key], member_mode=True)
            elif kind == "Q":
                self._quota(key)
            else:
                self._final(self.subjects[key])
        self._checks()
        order = review_order(self.subjects, self.rules)
        return Result(unit=self.unit.slug, year=self.year, period=self.period, regime=self.rules.get("id", ""),
                      subjects=[self.ratings[i] for i in order if i in self.ratings],
                      groups=self._groups(), problems=self.problems)
