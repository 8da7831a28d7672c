"""The tests mirror the package: every public module of recommender/ has its test file at
tests/recommender/<package>/test_<module>.py, and nothing here imports the Discord side
(bot code is tested under tests/bot)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "recommender"
TESTS = ROOT / "tests" / "recommender"

# Public modules without a mirrored test file, each with the reason.
ALLOWED_UNMIRRORED = {
    "recommender/storage/migrations": "Alembic's env.py and revision scripts: tests/recommender/storage/test_db.py "
    "runs them (upgrade from blank, idempotent, the result matches the models) on both backends",
}
# Test files that mirror no module, each with the reason.
ALLOWED_UNMATCHED = {
    "tests/recommender/test_layout.py": "this guard: it tests the layout of the tests themselves",
    "tests/recommender/storage/test_migrations.py": "the Alembic revisions (storage/migrations, allowlisted above) as a chain",
    "tests/recommender/ingest/test_fuzz.py": "every importer and feed parser at once, fuzzed (the property is in tests/support/fuzzing.py)",
}
FORBIDDEN = {"bot", "discord"}


def public_modules() -> list[Path]:
    """recommender/**/*.py without packages' __init__ and private (_name) modules."""
    return sorted(
        path for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py" and not any(part.startswith("_") for part in path.relative_to(PACKAGE).parts)
    )


def mirror(module: Path) -> Path:
    rel = module.relative_to(PACKAGE)
    return TESTS / rel.parent / f"test_{rel.name}"


def allowed(path: Path, allowlist: dict[str, str]) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return any(rel == entry or rel.startswith(entry + "/") for entry in allowlist)


def imported_packages(path: Path) -> set[str]:
    """Top-level names of everything a file imports (absolute imports only; relative ones stay in tests)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_walk_sees_the_package() -> None:
    # A guard that looks at nothing passes for nothing: it must see the modules it checks.
    found = {m.relative_to(PACKAGE).as_posix() for m in public_modules()}
    assert {"service.py", "ranking/index.py", "stores/index.py", "storage/db.py"} <= found
    assert not any(name.endswith("__init__.py") for name in found)
    assert mirror(PACKAGE / "ranking" / "index.py") == TESTS / "ranking" / "test_index.py"
    assert mirror(PACKAGE / "config.py") == TESTS / "test_config.py"


def test_every_public_module_has_its_mirrored_test_file() -> None:
    missing = [
        f"{m.relative_to(ROOT)} -> {mirror(m).relative_to(ROOT)}"
        for m in public_modules()
        if not allowed(m, ALLOWED_UNMIRRORED) and not mirror(m).is_file()
    ]
    assert not missing, "public modules without a mirrored test file (write one, or allowlist it with a reason):\n" + "\n".join(missing)


def test_the_allowlists_name_what_exists() -> None:
    stale = [entry for entry in [*ALLOWED_UNMIRRORED, *ALLOWED_UNMATCHED] if not (ROOT / entry).exists()]
    assert not stale, f"allowlist entries for paths that are gone: {stale}"
    assert all(reason.strip() for reason in [*ALLOWED_UNMIRRORED.values(), *ALLOWED_UNMATCHED.values()])


def test_every_test_file_mirrors_a_module() -> None:
    expected = {mirror(m) for m in public_modules()}
    strays = [
        str(path.relative_to(ROOT))
        for path in sorted(TESTS.rglob("test_*.py"))
        if path not in expected and not allowed(path, ALLOWED_UNMATCHED)
    ]
    assert not strays, "test files that mirror no module (move each test to its module's file):\n" + "\n".join(strays)


def test_nothing_under_tests_recommender_imports_the_discord_side() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN)
        for path in sorted(TESTS.rglob("*.py"))
        if imported_packages(path) & FORBIDDEN
    }
    assert not offenders, f"bot code is tested under tests/bot, not here: {offenders}"


def test_the_import_check_sees_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import discord.ext\nfrom bot.cli import app\nfrom . import sibling\nimport numpy as np\n")
    assert imported_packages(probe) == {"discord", "bot", "numpy"}


def test_every_test_of_the_real_model_is_marked_semantic() -> None:
    # CI runs the semantic extra's tests by marker (`pytest -m semantic`); one left unmarked never runs there.
    unmarked = [
        str(path.relative_to(ROOT))
        for folder in (TESTS, ROOT / "tests" / "bot" / "cli")
        for path in sorted(folder.rglob("test_*.py"))
        if "needs_extra" in path.read_text(encoding="utf-8")
        and "pytestmark = pytest.mark.semantic" not in path.read_text(encoding="utf-8")
    ]
    assert not unmarked, f"tests of the semantic extra without `pytestmark = pytest.mark.semantic`: {unmarked}"
