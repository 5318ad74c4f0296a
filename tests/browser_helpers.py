"""Run JupyterLab and headless Debian chromium for the browser tests of the widgets.

JupyterLab comes from this venv, listens on 127.0.0.1 on a free port without a token,
in a temporary root folder; chromium is Debian's /usr/bin/chromium, driven by Playwright
(never a downloaded browser). Both are started once per test module and stopped cleanly.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, sources: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, str(path))
    return path


@contextlib.contextmanager
def jupyterlab(root: Path, timeout: float = 40.0):
    """Start JupyterLab serving `root`; yield its base URL; stop it and its kernels."""
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"), PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=",
               "--ServerApp.password=", f"--ServerApp.root_dir={root}",
               "--LabApp.news_url=None", "--LabApp.collaborative=False",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.disable_check_xsrf=True",
               "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp: run commands
    labconfig = root / ".jupyter-config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)  # minimal start: no news question
    (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": {
        "@jupyterlab/apputils-extension:announcements": True}}))
    log = open(root / "jupyterlab.log", "wb")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)  # its own group: kernels included
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {root / 'jupyterlab.log'}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer on {url} in {timeout} s")
                time.sleep(0.2)  # polling an HTTP server that is starting: no event to wait on
        yield url
    finally:
        stop_process_group(process)
        log.close()


def stop_process_group(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM the group we started (JupyterLab shuts its kernels down), then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any kernel left in the group
    process.wait(timeout)


@contextlib.contextmanager
def chromium(env: dict[str, str] | None = None):
    """Headless Debian chromium through Playwright: yield a browser.

    `env`: chromium's environment instead of ours (e.g. a FONTCONFIG_FILE that hides fonts).
    """
    from playwright.sync_api import sync_playwright
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium "
                           "(apt-get install chromium) or run pytest -m 'not browser'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS, env=env)
        try:
            yield browser
        finally:
            browser.close()


def start_kernel_for(url: str, notebook: str, timeout: float = 30.0) -> None:
    """Start the notebook's kernel session through the REST API before the page opens it:
    JupyterLab then attaches to it instead of asking which kernel to start."""
    body = json.dumps({"path": notebook, "name": notebook, "type": "notebook",
                       "kernel": {"name": "python3"}}).encode()
    request = urllib.request.Request(f"{url}/api/sessions", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        assert reply.status == 201, reply.status


RUN_ALL = """async (ms) => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    const run = (async () => {
        await panel.context.ready;
        await panel.sessionContext.ready;  // waits while a kernel dialog is open
        await app.commands.execute('notebook:run-all-cells');
    })();
    const late = new Promise((_, fail) => setTimeout(() => fail(new Error('Run All timed out')), ms));
    await Promise.race([run, late]);
}"""


ALL_CODE_CELLS_RAN = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type === 'code' && !(cell.executionCount > 0)) return false;
    }
    return cells.length > 0;
}"""  # for notebooks that end with a markdown cell (a real lesson); outputs cleared first


def run_all_cells(page, timeout_ms: int = 30_000, done: str | None = None) -> None:
    """Run All, then wait for the last cell's prompt number; retry once on a cold server.

    Run All goes through JupyterLab's own command (window.jupyterapp, exposed by the
    server flag), once the notebook's kernel session is ready: clicking the Run menu of a
    page still starting up was seen to do nothing. `done`: a JavaScript predicate to wait
    for instead of the last cell's prompt (e.g. ALL_CODE_CELLS_RAN).
    """
    page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.sessionContext",
                           timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout_ms)
    last_prompt = ".jp-Notebook .jp-Cell:last-child .jp-InputArea-prompt"
    for attempt in (1, 2):
        dismiss_dialogs(page)
        try:
            page.evaluate(RUN_ALL, timeout_ms)
            if done:
                page.wait_for_function(done, timeout=timeout_ms)
            else:
                page.wait_for_function(
                    "sel => /\\[\\d+\\]/.test(document.querySelector(sel)?.textContent || '')",
                    arg=last_prompt, timeout=timeout_ms)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=timeout_ms)
            return
        except Exception:
            if attempt == 2:
                raise


def dismiss_dialogs(page) -> list[str]:
    """Accept any dialog JupyterLab opened, saying which. On a loaded machine it may ask
    which kernel to start before it has read the notebook's kernelspec; the default
    (accept) choice is the notebook's Python 3 kernel."""
    seen = []
    dialogs = page.locator(".jp-Dialog")
    while dialogs.count():
        seen.append(dialogs.first.inner_text())
        print("dismissing a JupyterLab dialog:", seen[-1].replace("\n", " | "))
        dialogs.first.locator("button.jp-mod-accept").click()
        dialogs.first.wait_for(state="detached", timeout=5000)
    return seen


def save_failure(page, root: Path, name: str) -> None:
    """Keep a screenshot of the page and JupyterLab's log in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"))
    with contextlib.suppress(OSError):
        shutil.copy(root / "jupyterlab.log", ARTIFACTS / f"failed-{name}-jupyterlab.log")


def shot(locator, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    locator.screenshot(path=str(path))
    return path
