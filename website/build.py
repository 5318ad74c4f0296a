"""Build the course website, both editions, from the notebooks as stored (`make site`).

    python website/build.py [OUT]          # default: _build/html

writes the English edition to OUT (index.html at its root) and the Chinese one to OUT/zh,
each a Sphinx build of its own (myst-nb renders the stored outputs, nothing is executed;
sphinx-book-theme; each edition its own search index). Every notebook in notebooks/ and
notebooks/zh/ at build time is a page: a new lesson needs no change here.

Offline: the two JavaScript files that draw the saved widgets (require.js and
@jupyter-widgets/html-manager) are fetched once from the npm registry, checked against
the integrity hashes below, kept in _build/npm/ and copied into the site; the pages load
nothing from outside the site. The student workspace (the exercises, as
`echo_lesson.workspace.student_editions` writes them) is zipped per language into the
site's _static/.

Links that depend on where the course is published come from the environment (or the
defaults in website/conf.py), and are left out when unset:
    ECHO_LESSON_REPO_URL   the course's public git repository (Binder needs a GitHub one;
                           default: this clone's `origin` remote, if any)
    ECHO_LESSON_HUB_URL    a JupyterHub with nbgitpuller: each page gets an "open on the
                           hub" link that pulls the student branch there
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "website"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "_build"
NPM_CACHE = BUILD / "npm"
REGISTRY = os.environ.get("npm_config_registry", "https://registry.npmjs.org").rstrip("/")

# language: (its notebooks, where its pages go under OUT, Sphinx's language)
EDITIONS = {"en": (NOTEBOOKS, "", "en"), "zh": (NOTEBOOKS / "zh", "zh", "zh_CN")}
ZIP_NAME = "echo-lesson-exercises-{lang}.zip"

# npm package -> (version, the registry's integrity hash, files kept: tarball path -> where
# under _static/npm/). html-manager 1.0.x is the one ipywidgets 8 embeds with; its
# embed-amd.js bundles @jupyter-widgets/base, controls and output (every widget the
# lessons save) and loads its icon fonts from beside itself.
NPM_PACKAGES = {
    "requirejs": ("2.3.8", "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17"
                  "c+Jd5otXKGNehIonFlyQXSowL6Mw==", {"require.js": "requirejs/require.js"}),
    "@jupyter-widgets/html-manager": (
        "1.0.15", "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SA"
                  "BeNz1yp47bCrJ3CQA==", {"dist/": "html-manager/"}),
}
KEEP_FROM_DIST = (".js", ".woff2", ".woff", ".ttf", ".eot", ".svg", ".txt")
SKIP_FROM_DIST = ("embed.js", "libembed-amd.js")  # the non-AMD bundle and a duplicate


def log(message: str) -> None:
    print(f"[site] {message}", flush=True)


def npm_tarball(name: str, version: str, integrity: str) -> bytes:
    """The package's tarball from the npm registry (once; then from _build/npm/), checked."""
    algorithm, expected = integrity.split("-", 1)
    cached = NPM_CACHE / f"{name.replace('/', '+')}-{version}.tgz"
    if cached.exists():
        data = cached.read_bytes()
    else:
        url = f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
        log(f"fetching {url}")
        with urllib.request.urlopen(url, timeout=60) as reply:
            data = reply.read()
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        cached.unlink(missing_ok=True)
        raise RuntimeError(f"{name}@{version}: the tarball does not match its integrity hash")
    if not cached.exists():
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(cached)  # atomic: a build running beside this one reads all or none
    return data


def vendor(static: Path) -> None:
    """require.js and the widget manager into static/npm/ (the site's _static/npm/)."""
    target = static / "npm"
    shutil.rmtree(target, ignore_errors=True)
    for name, (version, integrity, keep) in NPM_PACKAGES.items():
        with tarfile.open(fileobj=io.BytesIO(npm_tarball(name, version, integrity))) as tar:
            for member in tar.getmembers():
                path = member.name.removeprefix("package/")
                for source, dest in keep.items():
                    if source.endswith("/"):
                        if not path.startswith(source) or "/" in path[len(source):]:
                            continue
                        file = path[len(source):]
                        if not file.endswith(KEEP_FROM_DIST) or file in SKIP_FROM_DIST:
                            continue
                        out = target / dest / file
                    elif path == source:
                        out = target / dest
                    else:
                        continue
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(tar.extractfile(member).read())


def workspace_zips(static: dict[str, Path], repo_url: str) -> None:
    """The student workspace of each language, zipped: echo-lesson/ with the exercises, laid
    out as `make lab`'s workspace is. The Chinese one holds zh/ and, beside it, the English
    lessons its "English edition" links lead to (../NAME.ipynb); its README says to start
    in zh/."""
    sys.path.insert(0, str(ROOT))
    from echo_lesson.workspace import student_editions
    import nbformat

    editions = student_editions(NOTEBOOKS)
    for lang, folder in static.items():
        readme = (SITE / lang / "workspace-README.md").read_text(encoding="utf-8")
        readme = readme.replace("{repo_url}", repo_url or "(the course's repository)")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            def add(name: str, text: str) -> None:
                info = zipfile.ZipInfo(f"echo-lesson/{name}", date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
            add("README.md", readme)
            for name, notebook in sorted(editions.items()):
                if lang == "zh" or "/" not in name:
                    add(name, nbformat.writes(notebook) + "\n")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ZIP_NAME.format(lang=lang)).write_bytes(buffer.getvalue())


# A frame a lesson shows from a server it started on this computer (127.0.0.1:PORT) is live
# in the notebook; on the website nothing listens there, so the page says so instead.
LOOPBACK_FRAME = re.compile(r"<iframe[^>]*src=\"https?://(127\.0\.0\.1|localhost|\[::1\])[:/]")
LIVE_ONLY = {"en": "(In the notebook, the page your own server sends appears here, live.)",
             "zh": "（在 notebook 里，这里会实时显示你自己的服务器发来的网页。）"}


def for_the_site(text: str, lang: str) -> str:
    """The notebook as the site shows it: a loopback frame's output becomes a sentence, and
    an exercise's answer (a `solution` cell) is folded under "Show the answer" (hide-input)."""
    if "<iframe" not in text and '"solution"' not in text:  # (the JSON escapes the quotes
        return text                                         # LOOPBACK_FRAME looks for)
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution" in tags and "hide-input" not in tags:
            cell["metadata"]["tags"] = [*tags, "hide-input"]
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            if LOOPBACK_FRAME.search(html):
                output["data"] = {"text/plain": LIVE_ONLY[lang]}
    return json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"


def sync(source: Path, target: Path, names: list[str], lang: str) -> None:
    """Copy `names` from source into target (as `for_the_site` shows them), writing only
    the ones that changed (Sphinx rereads a page by its file's time), and remove any other
    notebook (a lesson renamed or gone)."""
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    for name in names:
        src, dst = source / name, target / name
        text = for_the_site(src.read_text(encoding="utf-8"), lang)
        if not dst.exists() or dst.read_text(encoding="utf-8") != text:
            dst.write_text(text, encoding="utf-8")


def repo_url_default() -> str:
    """ECHO_LESSON_REPO_URL, else website/conf.py's, else this clone's `origin`, else ''."""
    if "ECHO_LESSON_REPO_URL" in os.environ:
        return os.environ["ECHO_LESSON_REPO_URL"].strip()
    configured = re.search(r'^ECHO_LESSON_REPO_URL = "(.*)"', (SITE / "conf.py").read_text(),
                           re.M)
    if configured and configured[1].strip():
        return configured[1].strip()
    done = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def fresh_caches(work: Path) -> None:
    """Forget Sphinx's caches when website/ changed: not every option that shapes a page
    tells Sphinx to reread the notebooks (myst-nb's nb_ipywidgets_js does not)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in SITE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(SITE).as_posix().encode() + b"\0" + path.read_bytes())
    stamp = work / "doctrees" / "website.sha256"
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        shutil.rmtree(work / "doctrees", ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest.hexdigest())


def build(out: Path | str = BUILD / "html", work: Path | str = BUILD,
          repo_url: str | None = None, hub_url: str | None = None) -> Path:
    """Build both editions into `out` (`out/zh` for Chinese); sources and Sphinx's caches
    go to `work` (kept between builds: a second build rereads only changed notebooks).
    `repo_url`, `hub_url`: the addresses for the launch links (default: see the top)."""
    started = time.monotonic()
    out, work = Path(out).resolve(), Path(work).resolve()
    stage = work / "site-src"
    repo_url = repo_url_default() if repo_url is None else repo_url
    static = {lang: stage / "_static" / lang for lang in EDITIONS}
    vendor(stage / "_static" / "common")
    workspace_zips(static, repo_url)
    for lang, (notebooks, _, _) in EDITIONS.items():
        names = sorted(p.name for p in notebooks.glob("*.ipynb"))
        sync(notebooks, stage / lang, names, lang)
        shutil.copy2(SITE / lang / "index.md", stage / lang / "index.md")
    fresh_caches(work)
    env = dict(os.environ, ECHO_LESSON_SITE_STAGE=str(stage), ECHO_LESSON_REPO_URL=repo_url,
               **({} if hub_url is None else {"ECHO_LESSON_HUB_URL": hub_url}),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    # Both editions at once (one process each: two cores, and Sphinx reads serially).
    jobs = {}
    for lang, (_, subfolder, _) in EDITIONS.items():
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "--keep-going",
                   "-c", str(SITE), "-d", str(work / "doctrees" / lang),
                   str(stage / lang), str(out / subfolder) if subfolder else str(out)]
        jobs[lang] = subprocess.Popen(command, env=dict(env, ECHO_LESSON_SITE_LANG=lang))
    failed = [lang for lang, job in jobs.items() if job.wait() != 0]
    if failed:
        raise RuntimeError(f"the Sphinx build of {', '.join(failed)} failed (see above)")
    log(f"built {out}/index.html and {out}/zh/index.html "
        f"in {time.monotonic() - started:.1f} s")
    return out


if __name__ == "__main__":
    build(*(sys.argv[1:2] or []))
