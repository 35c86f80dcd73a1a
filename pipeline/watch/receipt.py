"""What the watcher tells the office: KET-QUA.txt after a build, LOI.txt + LOI.html after a failure."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from .. import problems as P
from .. import fs


@dataclass
class Run:
    """One build of one unit, as the receipt describes it."""

    unit: str
    batches: list[str]                 # da-xu-ly/<batch>/ folders whose files this build used
    received: list[str]                # dropped files (relative to their batch)
    changed: list[str]                 # files of the work copy they replaced or added
    work: Path
    started: dt.datetime
    seconds: float = 0.0
    ok: bool = False
    problems: list[P.Problem] = field(default_factory=list)
    result: object = None              # the BuildResult, when the build ran
    output: Path | None = None         # where the unit's documents are (or would be)
    replaced: list = field(default_factory=list)  # drops.replacements(): files two drops supplied
    blocked: str | None = None         # the output could not be written (not a data problem)


def _when(t: dt.datetime) -> str:
    return t.strftime("%d/%m/%Y %H:%M:%S")


def _secs(s: float) -> str:
    return f"{s:.1f}".replace(".", ",")


def _inputs(run: Run) -> list[str]:
    lines = []
    where = ", ".join(f"da-xu-ly/{b}/" for b in run.batches) or "—"
    lines.append(f"Tệp đã nhận ({len(run.received)}; cất tại {where}):")
    lines += [f"  {r}" for r in run.received] or ["  (không có tệp mới – dựng lại việc còn dở)"]
    if run.replaced:
        lines += ["", "Hai tệp thả vào cùng cho một tệp dữ liệu – dùng tệp thả sau (theo thời điểm sửa tệp, "
                      "rồi theo tên), tệp thả trước bị thay:"]
        for target, used, old in run.replaced:
            before = ", ".join(f"«{o.source}» ({_stamp(o.mtime)})" for o in reversed(old))
            lines.append(f"  {target}: dùng «{used.source}» ({_stamp(used.mtime)}), thay cho {before}")
    return lines


def _stamp(mtime: float) -> str:
    return _when(dt.datetime.fromtimestamp(mtime))


def receipt_text(run: Run) -> str:
    res = run.result
    unit = res.unit
    outs = sorted(res.outputs, key=lambda o: o.path)
    pages = sum(o.pages or 0 for o in outs)
    warnings = [p for p in P.ordered(run.problems) if not p.is_error]
    lines = [f"KẾT QUẢ DỰNG TÀI LIỆU – {unit.info.name} ({run.unit})",
             f"Thời điểm: {_when(run.started)} · Thời gian dựng: {_secs(run.seconds)} giây",
             ""]
    lines += _inputs(run)
    lines += ["",
              f"Dữ liệu đã dùng: {len(run_files(run.work))} tệp trong {run.work}",
              f"Đơn vị: {len(unit.cells)} chi bộ, {len(unit.members)} đảng viên, {len(unit.collectives)} tập thể",
              "",
              f"Tài liệu đã dựng ({len(outs) + 1} tệp, {pages} trang PDF) tại {res.folder}:"]
    lines += _grouped(outs)
    lines.append("  manifest.json")
    lines += ["", f"Cảnh báo: {len(warnings)}"]
    lines += [f"  {p}" for p in warnings]
    return "\n".join(lines) + "\n"


def _grouped(outs) -> list[str]:
    """One line per document (or per folder of per-subject documents): DOCX/PDF counts and pages."""
    groups: dict[str, list] = {}
    for o in outs:
        head, _, rest = o.path.partition("/")
        stem, dot, ext = o.path.rpartition(".")
        name = f"{head}/" if rest else (stem if ext in ("docx", "pdf") and dot else o.path)
        groups.setdefault(name, []).append(o)
    lines = []
    for name, group in groups.items():
        kinds = {}
        for o in group:
            kinds[o.format.upper()] = kinds.get(o.format.upper(), 0) + 1
        pages = sum(o.pages or 0 for o in group)
        if len(group) == 1 and not name.endswith("/") and not pages:
            lines.append(f"  {name}")
            continue
        what = " + ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        lines.append(f"  {name}: {what}" + (f", {pages} trang PDF" if pages else ""))
    return lines


def run_files(work: Path) -> list[str]:
    if not work.is_dir():
        return []
    return sorted(p.relative_to(work).as_posix() for p in work.rglob("*")
                  if p.is_file() and not any(s.startswith(".") for s in p.relative_to(work).parts))


def error_text(run: Run) -> str:
    problems = P.ordered(run.problems)
    n_err = sum(p.is_error for p in problems)
    lines = [f"LỖI – CHƯA DỰNG ĐƯỢC TÀI LIỆU – {run.unit}",
             f"Thời điểm: {_when(run.started)}",
             ""]
    lines += _inputs(run)
    lines += ["",
              f"Tài liệu dựng lần trước (nếu có) vẫn giữ nguyên tại {run.output}." if run.output else
              "Tài liệu dựng lần trước (nếu có) vẫn giữ nguyên.",
              "Dữ liệu không có lỗi; máy không ghi được kết quả – báo cho người quản lý máy, rồi thả lại "
              "một tệp bất kỳ để dựng lại." if run.blocked else
              "Cách sửa: sửa các tệp dưới đây rồi thả lại vào thư mục này (chỉ cần thả tệp đã sửa).",
              "",
              f"Lỗi: {n_err} · Cảnh báo: {len(problems) - n_err}",
              ""]
    lines += [str(p) for p in problems]
    return "\n".join(lines) + "\n"


_HTML = Environment(autoescape=True).from_string("""\
<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Lỗi dữ liệu – {{ run.unit }}</title>
<style>
body { font-family: "Liberation Serif", "Times New Roman", serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.4em; color: #a00; } table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; } .loi { color: #a00; font-weight: bold; } .canh-bao { color: #a60; }
code { font-size: 1em; }
</style></head>
<body>
<h1>Chưa dựng được tài liệu – {{ run.unit }}</h1>
<p>Thời điểm: {{ when }}. Có <b>{{ n_err }}</b> lỗi và {{ n_warn }} cảnh báo.
Tài liệu dựng lần trước (nếu có) vẫn giữ nguyên{% if run.output %} tại <code>{{ run.output }}</code>{% endif %}.</p>
{% if run.blocked %}<p>Dữ liệu không có lỗi; máy không ghi được kết quả – báo cho người quản lý máy, rồi thả lại một tệp bất kỳ để dựng lại.</p>
{% else %}<p>Cách sửa: sửa các tệp dưới đây rồi thả lại vào thư mục của đơn vị (chỉ cần thả tệp đã sửa).</p>{% endif %}
<table>
<tr><th>Mức</th><th>Tệp:dòng</th><th>Mục</th><th>Nội dung</th></tr>
{% for p in problems %}<tr><td class="{{ p.severity }}">{{ label[p.severity] }}</td><td><code>{{ p.where }}</code></td>
<td>{{ p.field }}</td><td>{{ p.message }}</td></tr>
{% endfor %}</table>
<p>Tệp đã nhận ({{ run.received|length }}), cất tại {% for b in run.batches %}<code>da-xu-ly/{{ b }}/</code> {% endfor %}:</p>
<ul>{% for r in run.received %}<li><code>{{ r }}</code></li>{% endfor %}</ul>
{% if run.replaced %}<p>Hai tệp thả vào cùng cho một tệp dữ liệu – dùng tệp thả sau:</p>
<ul>{% for target, used, old in run.replaced %}<li><code>{{ target }}</code>: dùng <code>{{ used.source }}</code>
({{ stamp(used.mtime) }}), thay cho {% for o in old|reverse %}<code>{{ o.source }}</code> ({{ stamp(o.mtime) }}){% if not loop.last %}, {% endif %}{% endfor %}</li>
{% endfor %}</ul>{% endif %}
</body></html>
""")


def error_html(run: Run) -> str:
    problems = P.ordered(run.problems)
    n_err = sum(p.is_error for p in problems)
    return _HTML.render(run=run, problems=problems, n_err=n_err, n_warn=len(problems) - n_err,
                        when=_when(run.started), label=P.LABEL, stamp=_stamp)


def write(run: Run, unit_dir: Path) -> Path:
    """Write the receipt or the error report atomically; returns the file written.

    After a success the stale LOI.* (written by us) go; after a failure KET-QUA.txt stays, since
    the documents it describes are still the ones in output/.
    """
    if run.ok:
        path = unit_dir / "KET-QUA.txt"
        fs.write_text(path, receipt_text(run))
        for stale in ("LOI.html", "LOI.txt"):  # LOI.txt last: while it exists, its HTML twin does too
            (unit_dir / stale).unlink(missing_ok=True)
        return path
    fs.write_text(unit_dir / "LOI.html", error_html(run))
    path = unit_dir / "LOI.txt"
    fs.write_text(path, error_text(run))
    return path
