"""The official French lists of régions and départements (INSEE, Code officiel géographique 2023).

Shipped as CSV files in `data/`: 18 régions and 101 départements (including 2A/2B and the five
départements d'outre-mer), each département with the code of its région.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region_code: str


def _read_rows(file_name: str) -> list[dict[str, str]]:
    with (DATA_DIR / file_name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache
def regions() -> dict[str, Region]:
    """The 18 régions by INSEE code, in file order."""
    return {row["code"]: Region(row["code"], row["name"]) for row in _read_rows("regions.csv")}


@lru_cache
def departements() -> dict[str, Departement]:
    """The 101 départements by code ('01'..'95', '2A', '2B', '971'..'976'), in file order."""
    return {
        row["code"]: Departement(row["code"], row["name"], row["region_code"])
        for row in _read_rows("departements.csv")
    }


def normalise_departement_code(value: str) -> str:
    """'1' -> '01', '2a' -> '2A', ' 75 ' -> '75' (cleaned only: unknown codes are kept)."""
    code = value.strip().upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return code


def normalise_region_code(value: str) -> str:
    """'1' -> '01', ' 11 ' -> '11'."""
    code = value.strip()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    return code


def region_name(code: str | None) -> str | None:
    region = regions().get(code or "")
    return region.name if region else None


def departement_name(code: str | None) -> str | None:
    departement = departements().get(code or "")
    return departement.name if departement else None
