"""Where things live, relative to the repository (overridable for tests and installs)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("KIEMDIEM_ROOT", Path(__file__).resolve().parent.parent))
FORMS = Path(os.environ.get("KIEMDIEM_FORMS", ROOT / "forms"))
DATA = Path(os.environ.get("KIEMDIEM_DATA", ROOT / "data"))
OUTPUT = Path(os.environ.get("KIEMDIEM_OUTPUT", ROOT / "output"))
