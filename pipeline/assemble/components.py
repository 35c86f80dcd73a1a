"""Which component of which dossier comes from where.

The component lists, the copies and who has an own dossier are data: forms/dossiers/<regime>.yaml
(a province file `extends:` one). This module reads them and, for one build, decides the
dossiers and the content of each row: the rendered documents (Outputs, by `document` kind and
`subject`) and the attachments of data/<unit>/dinh-kem/.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .. import forms
from ..rating.subjects import UNIT_ID
from ..vn import roman

UNIT = "don-vi"                 # the unit's own dossier: folder ho-so/don-vi/, attachments don-vi__…
UNIT_SUBJECT = UNIT_ID          # the rating engine's id of the unit itself
LAYOUT = {"mark_size_pt": 8, "mark_color": "#555555", "mark_top_mm": 5, "mark_right_mm": 10,
          "cover_block_top_mm": 175, "number_size_pt": 9, "number_top_mm": 9.5, "number_right_mm": 10}


class NoSpec(Exception):
    pass


@dataclass(frozen=True)
class Component:
    number: int
    title: str
    required: bool
    roles: frozenset | None          # None: every dossier
    documents: tuple[str, ...]       # the subject's own generated documents (everyone's in the unit's)
    unit_documents: tuple[str, ...]  # unit-wide generated documents, in the unit dossier only
    shared_documents: tuple[str, ...]  # unit-wide lists: whole in the unit's dossier, a subject's extract in its own
    others: bool                     # generated PDFs placed nowhere else
    extracts: tuple[str, ...] = ()   # lists whose extract (the first holding the subject) goes in a subject's dossier


@dataclass(frozen=True)
class Copy:
    number: int
    destination: str                 # on the cover
    mark: str                        # the text of the mark on every page


@dataclass(frozen=True)
class Spec:
    regime: str
    period: str
    title: str
    heading: str                     # "NĂM 2025", "QUÝ II NĂM 2025"
    copies: tuple[Copy, ...]
    own_dossier: frozenset           # roles (groups expanded) that get their own dossier
    labels: dict
    components: tuple[Component, ...]
    layout: dict = field(default_factory=lambda: dict(LAYOUT))   # mark and cover block placement

    def component(self, number: int) -> Component | None:
        return next((c for c in self.components if c.number == number), None)

    def label(self, kind: str) -> str:
        return self.labels.get(kind, kind)


def spec_file(regime: str) -> str | None:
    """forms/dossiers/<regime>.yaml, else the one of the nearest rulebook it `extends:`."""
    return next((r for r in forms.parents("regimes", regime) if forms.exists("dossiers", r)), None)


def load(regime: str, period: str, year: int, profile_sets: dict) -> Spec:
    name = spec_file(regime)
    if name is None:
        raise NoSpec(regime)
    data = forms.load("dossiers", name)
    which = "nam" if period == "nam" else "quy"
    p = (data.get("periods") or {}).get(which)
    if not p:
        raise NoSpec(f"{regime}/{which}")

    def roles(items) -> frozenset | None:
        if items is None:
            return None
        out = set()
        for r in items:
            out |= set(profile_sets.get(r, [r]))
        return frozenset(out)

    comps = []
    for number, c in sorted((p.get("components") or {}).items(), key=lambda kv: int(kv[0])):
        if c is None:           # a province file may switch a component off with `5: null`
            continue
        comps.append(Component(int(number), str(c["title"]).strip(), bool(c.get("required", False)),
                               roles(c.get("for")), tuple(c.get("documents") or ()),
                               tuple(c.get("unit_documents") or ()), tuple(c.get("shared_documents") or ()),
                               bool(c.get("others", False)), tuple(c.get("extracts") or ())))
    copies = tuple(Copy(int(n), c["destination"], c["mark"])
                   for n, c in sorted((data.get("copies") or {}).items(), key=lambda kv: int(kv[0])))
    total = len(copies)
    copies = tuple(Copy(c.number, c.destination,
                        data.get("mark", "Bộ {copy}/{copies} – {text}").format(copy=c.number, copies=total,
                                                                             text=c.mark))
                   for c in copies)
    quarter = roman(int(period[1])) if period != "nam" else ""
    return Spec(name, period, data.get("title", "HỒ SƠ"), p.get("heading", "").format(year=year, quarter=quarter),
                copies, roles(data.get("own_dossier") or []) or frozenset(),
                {k: str(v) for k, v in (data.get("documents") or {}).items() if v is not None},
                tuple(comps), {**LAYOUT, **(data.get("layout") or {})})


# ----------------------------------------------------------------- what goes where

@dataclass(frozen=True)
class Piece:
    """One PDF in a dossier: a rendered document or an attachment."""

    source: str          # "generated" | "attachment"
    label: str           # "Mẫu 02A – Bản kiểm điểm cá nhân", or the attachment's file name
    subject: str | None  # None: the unit
    data: bytes
    pages: int
    path: str            # output path, or the attachment's path in the data folder
    kind: str = ""       # a generated piece's document kind (mau-02b …)
    signed: str = ""     # an attachment that stands in for generated documents: their labels


@dataclass
class Group:
    """The pieces of one subject inside a row of the unit dossier."""

    subject: str | None
    label: str
    pieces: list[Piece]


@dataclass
class Row:
    component: Component
    groups: list[Group] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)   # "file: reason" of refused attachments
    applies: bool = True

    @property
    def pieces(self) -> list[Piece]:
        return [p for g in self.groups for p in g.pieces]

    @property
    def status(self) -> str:
        if self.pieces:
            return "co"
        return "thieu" if self.component.required and self.applies else "khong-co"


@dataclass
class Dossier:
    subject: str | None      # None: the unit dossier
    folder: str              # "don-vi" or the subject id
    role: str
    name: str                # "Đồng chí Giàng Seo Páo", "Ban Thường vụ Đảng ủy xã", the unit's name
    detail: str              # post, or "" ; shown under the name
    rows: list[Row]

    @property
    def missing(self) -> list[Row]:
        return [r for r in self.rows if r.status == "thieu"]


def subject_names(job) -> dict[str, tuple[str, str]]:
    """id → (name as on a cover, detail line)."""
    unit = job.unit
    out = {}
    for r in job.ratings.subjects:
        if r.kind in ("dang-vien", "can-bo"):
            m = unit.member(r.id)
            posts = [p for p in ((m.party_post if m and m.party_post != "Đảng viên" else None),
                                 m.gov_post if m else None) if p]
            out[r.id] = (f"Đồng chí {r.name}", ", ".join(posts))
        else:
            out[r.id] = (r.name, "")
    out[UNIT_SUBJECT] = (unit.info.name, "")
    return out


def _is_unit(subject: str | None) -> bool:
    return subject in (None, UNIT_SUBJECT, UNIT)


def _signed_first(items: list[Piece], comp: Component, subject: str | None) -> list[Piece]:
    """Signed papers first: when the office scanned a subject's signed copy of a document the
    pipeline also generates for this component (`<id>__1.pdf`: the signed self-review), the
    scan takes the generated document's place – that one is only the print-out for signing."""
    own = [p for p in items if p.source == "generated" and subject is not None and p.subject == subject
           and p.kind in comp.documents]
    scans = [p for p in items if p.source == "attachment"]
    if not own or not scans:
        return items
    label = "; ".join(dict.fromkeys(p.label for p in own))
    return [dataclasses.replace(p, signed=label) if p.source == "attachment" else p
            for p in items if p not in own]


def has_own_dossier(job, spec: Spec) -> list:
    """The ratings whose subject gets a dossier of its own, in review order."""
    collectives = {c.id: c for c in job.unit.collectives}
    return [r for r in job.ratings.subjects if r.id != UNIT_SUBJECT and r.role in spec.own_dossier
            and (r.id not in collectives or collectives[r.id].dossier)]


def extract_requests(job, spec: Spec) -> list[tuple[str, str]]:
    """(list kind, subject id) of every extract a subject's dossier may take (the lists a
    component shares or extracts, for each subject with its own dossier)."""
    kinds = list(dict.fromkeys(k for c in spec.components for k in (*c.shared_documents, *c.extracts)))
    return [(k, r.id) for r in has_own_dossier(job, spec) for k in kinds]


def plan(job, spec: Spec, pdfs: list, attachments: list, rejected: list, extracts: dict | None = None) -> list[Dossier]:
    """The dossiers of this build: one per own-dossier subject (review order), then the unit's.

    pdfs: Outputs with format pdf (document kind, subject, data, pages, path);
    attachments: assemble.attachments.Attachment of this period; rejected: their refused files;
    extracts: (list kind, subject id) → (PDF, pages) of the subject's extract of that list
    (a subject's dossier never carries a whole list: everyone else's ratings are not its papers).
    """
    extracts = extracts or {}
    names = subject_names(job)
    order = {r.id: i for i, r in enumerate(job.ratings.subjects)}
    placed_kinds = {k for c in spec.components for k in (*c.documents, *c.unit_documents, *c.shared_documents)}
    by_subject: dict = {}
    for o in pdfs:
        by_subject.setdefault(o.subject, []).append(o)

    def generated(o) -> Piece:
        return Piece("generated", spec.label(o.document), o.subject, o.data, o.pages or 0, o.path, o.document)

    def row(comp: Component, subject: str | None, role: str) -> Row:
        """The row of comp in the dossier of subject (None: the unit's, with everyone's pieces)."""
        every = subject is None
        pieces: list[Piece] = []
        for o in (pdfs if every else by_subject.get(subject, []) + by_subject.get(None, [])):
            if o.subject is None and every and (o.document in comp.shared_documents or o.document in comp.unit_documents):
                take = True
            elif o.subject is None and not every and o.document in comp.shared_documents:
                take = False            # the subject's extract instead (below)
            elif every:
                take = o.document in comp.documents or (comp.others and o.document not in placed_kinds)
            else:
                take = o.subject == subject and (o.document in comp.documents or
                                                 (comp.others and o.document not in placed_kinds))
            if take:
                pieces.append(generated(o))
        if not every:
            for k in comp.shared_documents:
                if (k, subject) in extracts:
                    data, pages = extracts[(k, subject)]
                    pieces.append(Piece("generated", f"{spec.label(k)} (trích)", subject, data, pages,
                                        f"trich/{k}/{subject}.pdf", f"trich-{k}"))
            k = next((k for k in comp.extracts if (k, subject) in extracts), None)
            if k is not None and k not in comp.shared_documents:
                data, pages = extracts[(k, subject)]
                pieces.append(Piece("generated", f"{spec.label(k)} (trích)", subject, data, pages,
                                    f"trich/{k}/{subject}.pdf", f"trich-{k}"))
        for a in attachments:
            if a.number == comp.number and (every or a.subject == subject):
                pieces.append(Piece("attachment", a.name, a.subject, a.data, a.pages, a.rel))
        r = Row(comp, applies=comp.roles is None or role in comp.roles or every)
        r.rejected = [f"{x.name}: {x.reason}" for x in rejected
                      if x.number == comp.number and (every or x.subject == subject)]
        groups: dict = {}
        for p in pieces:
            key = None if _is_unit(p.subject) else p.subject
            groups.setdefault(key, []).append(p)
        for key, items in groups.items():
            groups[key] = _signed_first(items, comp, key)
        for key in sorted(groups, key=lambda s: (s is not None, order.get(s, len(order)), s or "")):
            items = sorted(groups[key], key=lambda p: (p.source != "generated", p.path))
            label = names.get(key, (key, ""))[0] if key else names[UNIT_SUBJECT][0]
            r.groups.append(Group(key, label, items))
        return r

    out = []
    for r in has_own_dossier(job, spec):
        rows = [row(c, r.id, r.role) for c in spec.components]
        rows = [x for x in rows if x.applies or x.pieces or x.rejected]
        name, detail = names.get(r.id, (r.name, ""))
        out.append(Dossier(r.id, r.id, r.role, name, detail, rows))
    rows = [row(c, None, UNIT) for c in spec.components]
    out.append(Dossier(None, UNIT, UNIT, job.unit.info.name, "", rows))
    return out
