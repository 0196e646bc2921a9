"""Imports every table module so that Base.metadata knows all tables (used by Alembic)."""

import importlib
import pkgutil

import api

for _module in pkgutil.walk_packages(api.__path__, "api."):
    if _module.name.endswith(".tables"):
        importlib.import_module(_module.name)
