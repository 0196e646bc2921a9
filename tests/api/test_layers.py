"""The layers of CONTRIBUTING (Style), read from the source: route modules (those that make an
APIRouter) do not query, they call the service layer; the organiser side of the salon domain and
its storage are one module per aggregate behind a package that only re-exports; no module of
api/ or scheduler/ reaches into another module's private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "api"
QUERY_METHODS = {"scalar", "scalars", "execute", "query", "get", "add", "delete", "merge"}
SQLALCHEMY_ALLOWED = {("sqlalchemy.orm", "Session")}  # the session's type, for annotations
MAX_MODULE_LINES = 500


def sources(*packages: Path) -> Iterator[tuple[Path, ast.Module]]:
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def route_modules() -> list[tuple[Path, ast.Module]]:
    return [(path, tree) for path, tree in sources(API) if "APIRouter(" in ast.unparse(tree)]


def module_path(dotted: str) -> Path | None:
    """The file of an api/scheduler module, else None (a package's __init__ for a package)."""
    base = ROOT.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def storage_or_query(module: str, name: str) -> bool:
    """Whether `from module import name` brings a storage module or a query construct."""
    if module.split(".")[-1] == "storage" or name == "storage":
        return True
    return module.split(".")[0] == "sqlalchemy" and (module, name) not in SQLALCHEMY_ALLOWED


def query_problems(tree: ast.Module) -> list[str]:
    """What makes a module query: a storage module imported, SQLAlchemy's query constructs
    imported, a call such as `session.scalars(...)`."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [
                f"import {a.name}"
                for a in node.names
                if a.name.split(".")[-1] == "storage" or a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            problems += [
                f"from {node.module} import {alias.name}"
                for alias in node.names
                if storage_or_query(node.module, alias.name)
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "session"
            and node.func.attr in QUERY_METHODS
        ):
            problems.append(f"line {node.lineno}: session.{node.func.attr}(...)")
    return problems


def test_route_modules_call_the_service_layer_only() -> None:
    modules = route_modules()
    assert len(modules) >= 8  # salons, catalogue (API and pages), repairs (same), pages...
    found = {
        path.relative_to(ROOT).as_posix(): problems
        for path, tree in modules
        if (problems := query_problems(tree))
    }
    assert found == {}


@pytest.mark.parametrize(
    "package", ["salons/service", "salons/storage", "catalogue/service", "catalogue/search"]
)
def test_split_packages_only_re_export(package: str) -> None:
    """api/salons/service/, api/salons/storage/, api/catalogue/service/ and api/catalogue/search/:
    the __init__ names what callers use, the code lives in the modules of its aggregates or roles
    (not a dumping ground again), each a readable size."""
    folder = API / package
    dotted = "api." + package.replace("/", ".")
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    exported: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            assert module == "__future__" or module.startswith(f"{dotted}."), module
            imported |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Assign):
            assert [ast.unparse(t) for t in node.targets] == ["__all__"]
            exported = ast.literal_eval(node.value)
        else:  # the docstring only
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            assert docstring, ast.unparse(node)
    assert set(exported) == imported - {"annotations"}
    too_long = {
        path.name: lines
        for path in folder.glob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def private_uses(path: Path, tree: ast.Module) -> list[str]:
    """Private names (`_x`) of other api/scheduler modules this module imports or reads."""
    problems = []
    modules: set[str] = set()  # local names bound to another module of ours
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in ("api", "scheduler"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    problems.append(f"from {node.module} import {alias.name}")
                elif module_path(f"{node.module}.{alias.name}") is not None:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("api", "scheduler") and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            problems.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return problems


def test_no_module_reaches_into_another_modules_private_names() -> None:
    found = {
        path.relative_to(ROOT).as_posix(): problems
        for path, tree in sources(API, ROOT / "scheduler")
        if (problems := private_uses(path, tree))
    }
    assert found == {}
