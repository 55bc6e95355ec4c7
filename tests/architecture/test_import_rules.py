"""The rooms of the house: who may import whom (docs/ARCHITECTURE.md draws them)."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(folder: Path) -> Iterator[tuple[Path, str]]:
    """(file, imported module) for every import statement below `folder`."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def violations(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in imports_of(folder)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]


def test_no_service_imports_another_service() -> None:
    services = [p for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists()]
    assert len(services) >= 2
    found = []
    for service in services:
        others = tuple(f"services.{p.name}" for p in services if p != service)
        found += violations(service, others)
    assert not found, found


def test_the_kit_imports_neither_the_region_nor_contracts_nor_services() -> None:
    found = violations(
        ROOT / "shared" / "kit",
        ("services", "shared.region", "shared.contracts", "shared.cli", "shared.registry"),
    )
    assert not found, found


def test_contracts_and_region_import_no_service_and_no_tooling() -> None:
    for room in ("contracts", "region"):
        found = violations(ROOT / "shared" / room, ("services", "shared.cli", "shared.registry"))
        assert not found, found


def test_shared_imports_no_service_code() -> None:
    assert not violations(ROOT / "shared", ("services",))


def test_the_rules_see_real_imports() -> None:
    # Guards the guard: if parsing found nothing, every rule above would pass vacuously.
    modules = {module for _, module in imports_of(ROOT / "services" / "gateway")}
    assert "shared.kit.http" in modules
    assert any(m.startswith("services.gateway") for m in modules)
