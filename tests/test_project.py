"""Project files that must agree with each other."""
import re
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _name_and_spec(requirement: str) -> tuple[str, str]:
    requirement = requirement.split(";")[0]  # an environment marker is pip's business
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(map(_name_and_spec, project["dependencies"]))
    for extra in project["optional-dependencies"].values():
        wanted.update(map(_name_and_spec, extra))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_name_and_spec(d) for d in env["dependencies"]
                 if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert conda == wanted
    pip_part = [d for d in env["dependencies"] if isinstance(d, dict)][0]["pip"]
    assert "-e ." in pip_part  # the package itself, so Binder can import it


def test_python_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.10,<3.14"
    assert "python>=3.10,<3.14" in env["dependencies"]


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_the_chinese_readme_has_every_section_of_the_english_one():
    """Section by section, in the same order and at the same level (plus its own 中文版)."""
    def headings(name):
        return [line.split(" ", 1)[0] for line in (ROOT / name).read_text(encoding="utf-8")
                .splitlines() if line.startswith("##")]
    chinese = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    assert "## 中文版" in chinese
    assert headings("README.zh.md") == ["##"] + headings("README.md")
    # and the same commands: every command line in an English code block is in the Chinese
    commands = {line.split("#")[0].strip() for line in
                re.findall(r"^python -m echo_lesson .*$|^make \w+.*$",
                           (ROOT / "README.md").read_text(), re.M)}
    chinese = chinese.replace(" --lang zh", "")  # the Chinese README may show that variant
    assert commands and all(c in chinese for c in commands), \
        [c for c in commands if c not in chinese]
