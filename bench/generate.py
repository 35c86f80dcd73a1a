"""Realistic synthetic units for benchmarks (seeded, reproducible).

    python bench/generate.py OUT_DIR --members 1500 --cells 60 [--seed 1] [--slug xa-tong-hop]

Names with real Vietnamese diacritics (Kinh and Hmông/Dao/Tày family and given names), chi bộ
sizes 10–40, leaders ~10 %, exempt ~2 %, a few disciplined, quarterly and year-end scores,
leadership collectives, the plan of the sample unit, and small scanned attachments.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý", "Giàng", "Vàng", "Lù", "Thào", "Sùng", "Mùa", "Hầu", "Triệu", "Bàn", "Lò", "Lã"]
MIDDLE = {"nam": ["Văn", "Đức", "Hữu", "Quang", "Minh", "Xuân", "Ngọc", "Thế", "Seo", "A", "Công", "Bá"],
          "nu": ["Thị", "Thu", "Thị Thu", "Ngọc", "Thị Hồng", "Phương", "Thị Thanh", "Mỹ", "Diệu"]}
GIVEN = {"nam": ["Hùng", "Thắng", "Dũng", "Tuấn", "Hưởng", "Lợi", "Cường", "Khải", "Ân", "Đông", "Vĩnh", "Páo",
                 "Chử", "Sử", "Dìn", "Lử", "Nghĩa", "Sơn", "Hải", "Kiên", "Mạnh", "Tường", "Quý", "Ẩn"],
         "nu": ["Hà", "Quỳnh", "Thủy", "Phượng", "Ánh", "Hằng", "Huyền", "Nguyệt", "Yến", "Ngân", "Trang",
                "Diễm", "Lụa", "Mỷ", "Sua", "Dợ", "Chá", "Mẩy", "Xuyến", "Ỷ"]}
CELL_KINDS = ["thon"] * 6 + ["co-quan", "truong-hoc", "tram-y-te", "doanh-nghiep"]
VILLAGES = ["Lùng", "Sán", "Pả", "Lao", "Sín", "Cốc", "Na", "Tả", "Phìn", "Há", "Sừ", "Mào", "Xín", "Tẩn",
            "Khấu", "Ngải", "Thàng", "Chư", "Chải", "Hồ", "Ván", "Phố", "Mần", "Chồ"]


def _date(r: random.Random, y0: int, y1: int) -> str:
    return f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/{r.randint(y0, y1)}"


def _review(r: random.Random, quarters: bool) -> dict:
    x = r.random()
    g, k = ((r.choice([27, 28, 29]), r.choice([63, 64, 66])) if x < .12 else
            (r.choice([20, 22]), r.choice([36, 40])) if x < .2 else
            (r.choice([24, 25, 26, 27]), r.choice([52, 55, 58, 60])))
    ev = {"tu_cham": {"chung": g, "ket_qua": k}}
    if x < .12:
        ev["vuot"] = r.choice([30, 40])
    out = {"nam": ev}
    if quarters:
        for q in ("quy_1", "quy_2", "quy_3"):
            out[q] = {"tu_cham": {"chung": r.choice([24, 26, 27]), "ket_qua": r.choice([54, 57, 60])}}
    return out


def generate(out: Path, members: int, cells: int, seed: int = 1, slug: str = "xa-tong-hop") -> Path:
    r = random.Random(seed)
    unit = out / slug
    if unit.exists():
        shutil.rmtree(unit)
    (unit / "chi-bo").mkdir(parents=True)
    # sizes 10–40 that add up to `members`
    sizes = [10] * cells
    for _ in range(members - 10 * cells):
        i = r.randrange(cells)
        while sizes[i] >= 40:
            i = (i + 1) % cells
        sizes[i] += 1
    leaders, all_ids = [], []
    for c in range(cells):
        kind = r.choice(CELL_KINDS)
        name = (f"Chi bộ thôn {r.choice(VILLAGES)} {r.choice(VILLAGES)} {c + 1}" if kind == "thon"
                else f"Chi bộ {dict(zip(CELL_KINDS[6:], ['Cơ quan', 'Trường học', 'Trạm Y tế', 'Doanh nghiệp']))[kind]} số {c + 1}")
        cid = f"cb-{c + 1:03d}"
        ms = []
        for i in range(sizes[c]):
            sex = r.choice(["nam", "nu"])
            mid = f"dv-{c + 1:03d}-{i + 1:02d}"
            born = r.randint(1950, 2003)
            m = {"id": mid, "ho_ten": f"{r.choice(FAMILIES)} {r.choice(MIDDLE[sex])} {r.choice(GIVEN[sex])}",
                 "gioi_tinh": sex, "ngay_sinh": _date(r, born, born),
                 "ngay_vao_dang": _date(r, min(2024, born + 18), min(2024, born + 40))}
            roll = r.random()
            if i == 0 or roll < .07:
                m.update(vai_tro="lanh-dao", chuc_vu_dang="Bí thư Chi bộ" if i == 0 else "Chi ủy viên",
                         nhom="bi-thu-chi-bo" if i == 0 else "lanh-dao-khac")
                leaders.append(mid)
            elif kind == "thon" and roll < .6:
                m["vai_tro"] = "ngoai-he-thong"
            if r.random() < .02 and i > 0:   # exempt: newly admitted, excused or suspended
                choice = r.choice(["new", "mien-sinh-hoat", "dinh-chi"])
                if choice == "new":
                    m["ngay_vao_dang"] = _date(r, 2025, 2025).replace("/2025", "/2025")[:3] + "09/2025"
                else:
                    m["trang_thai"] = choice
            else:
                m["danh_gia"] = _review(r, m.get("vai_tro") == "lanh-dao")
            if r.random() < .005:
                m["ky_luat"] = [{"hinh_thuc": "khiển trách", "ngay": "15/05/2025", "ly_do": "Vi phạm quy chế làm việc"}]
            ms.append(m)
            all_ids.append(mid)
        cell = {"id": cid, "ten": name, "loai": kind, "bi_thu": ms[0]["id"],
                "chi_uy": [m["id"] for m in ms[:3]] if len(ms) >= 9 else [], "danh_gia": _review(r, True)}
        text = yaml.safe_dump({"chi_bo": cell, "dang_vien": ms}, allow_unicode=True, sort_keys=False, width=200)
        (unit / "chi-bo" / f"{c + 1:03d}.yaml").write_text(f"# {name}\n" + text, "utf-8")
    head = leaders[0]
    cols = [{"id": "btv-dang-uy", "ten": "Ban Thường vụ Đảng ủy", "loai": "btv", "nguoi_dung_dau": head,
             "thanh_vien": leaders[:5], "thu_tu": 1, "danh_gia": _review(r, True)},
            {"id": "ld-ubnd", "ten": "Lãnh đạo Ủy ban nhân dân", "loai": "ubnd", "nguoi_dung_dau": leaders[1],
             "thanh_vien": leaders[1:4], "thu_tu": 2, "danh_gia": _review(r, True)}]
    (unit / "tap-the.yaml").write_text(yaml.safe_dump({"tap_the": cols}, allow_unicode=True, sort_keys=False), "utf-8")
    info = yaml.safe_load((ROOT / "data" / "xa-lung-phinh" / "don-vi.yaml").read_text("utf-8"))
    info["don_vi"].update(ten=f"Đảng bộ xã Tổng Hợp {seed}", cap_uy=f"Đảng ủy xã Tổng Hợp {seed}",
                          dia_danh="Tổng Hợp", bi_thu=head)
    (unit / "don-vi.yaml").write_text(yaml.safe_dump(info, allow_unicode=True, sort_keys=False), "utf-8")
    shutil.copy(ROOT / "data" / "xa-lung-phinh" / "ke-hoach.yaml", unit / "ke-hoach.yaml")
    return unit


def main() -> None:
    ap = argparse.ArgumentParser(description="Sinh đơn vị tổng hợp để đo hiệu năng / generate a synthetic unit")
    ap.add_argument("out", type=Path)
    ap.add_argument("--members", type=int, default=1500)
    ap.add_argument("--cells", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slug", default="xa-tong-hop")
    a = ap.parse_args()
    print(generate(a.out, a.members, a.cells, a.seed, a.slug))


if __name__ == "__main__":
    main()
