"""The repair page tests reuse the documents' tiny salon and the page helpers."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent / "documents", HERE.parent / "pages", HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
