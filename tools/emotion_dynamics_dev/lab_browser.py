"""JupyterLab on 127.0.0.1 driven by Debian's chromium (selenium): the notebook in a real browser.

:func:`running_lab` starts JupyterLab (a free port, a token, ``--allow-root`` as root, its
settings, workspaces and kernel spec in a private folder) and stops it; :func:`chromium` starts
headless chromium with its chromedriver and a fresh profile; :class:`NotebookPage` opens a
notebook, runs every cell and reports what rendered and what failed. Used by the notebook's
browser test and by ``make screenshots`` (:mod:`emotion_dynamics_dev.screenshots`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "BROWSER_PACKAGES",
    "KERNEL_DISPLAY_NAME",
    "KERNEL_NAME",
    "Lab",
    "NotebookPage",
    "chromium",
    "missing_browser",
    "running_lab",
    "write_kernelspec",
]

#: The project's Jupyter kernel (``make lab`` installs it into .venv; the notebook names it).
KERNEL_NAME: Final = "emotion-dynamics"
KERNEL_DISPLAY_NAME: Final = "Emotion Dynamics (.venv)"
#: Executable -> the Debian package that provides it.
BROWSER_PACKAGES: Final = {"chromium": "chromium", "chromedriver": "chromium-driver"}
#: JupyterLab user settings: no news toast, every cell in the DOM (no windowing).
_LAB_SETTINGS: Final = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
_SERVER_CONFIG: Final = """\
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
"""


def missing_browser() -> list[str]:
    """The Debian packages whose executable is not on the PATH (empty: the browser can run)."""
    return [package for exe, package in BROWSER_PACKAGES.items() if shutil.which(exe) is None]


def write_kernelspec(data_dir: Path, python: str = sys.executable) -> Path:
    """Write the project's kernel spec (this Python) under ``data_dir/kernels``; its folder."""
    folder = data_dir / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }  # fmt: skip
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Lab:
    """A running JupyterLab: its base URL, token, root folder and process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path

    def tree_url(self, relative: str) -> str:
        """The URL that opens ``relative`` (below the root) in JupyterLab."""
        return f"{self.url}/lab/tree/{relative}?token={self.token}"


def _wait_ready(url: str, token: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer on {url} within {timeout_s:g} s")


@contextmanager
def running_lab(root: Path, state: Path, *, timeout_s: float = 60.0) -> Iterator[Lab]:
    """JupyterLab serving ``root`` on 127.0.0.1; its settings and kernel spec in ``state``.

    The kernel ``emotion-dynamics`` is this Python (``write_kernelspec``); nothing outside
    ``state`` is read or written (config, data, runtime, settings and workspaces folders).
    """
    for name, values in _LAB_SETTINGS.items():
        path = state / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    (state / "config").mkdir(parents=True, exist_ok=True)
    (state / "config" / "jupyter_server_config.py").write_text(_SERVER_CONFIG, encoding="utf-8")
    write_kernelspec(state / "data")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_PATH": str(state / "data"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={state / 'settings'}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if os.getuid() == 0:
        command.append("--allow-root")
    log = state / "jupyterlab.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, token, process, timeout_s)
        yield Lab(url, token, root, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def chromium(profile: Path, *, width: int = 1500, height: int = 1200) -> Iterator[Any]:
    """Headless Debian chromium under its chromedriver, a fresh profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    missing = missing_browser()
    if missing:
        raise RuntimeError(
            f"not installed: {', '.join(missing)} (apt-get install {' '.join(missing)})"
        )
    options = Options()
    options.binary_location = str(shutil.which("chromium"))
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
        "--disable-extensions", "--disable-sync", "--metrics-recording-only",
        f"--user-data-dir={profile}", f"--window-size={width},{height}",
        "--force-device-scale-factor=1", "--mute-audio",
    ):  # fmt: skip
        options.add_argument(argument)
    service = Service(executable_path=str(shutil.which("chromedriver")))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


# In-page scripts (JupyterLab exposes its application as window.jupyterapp).
# Every script's first argument is the notebook's path below the root.
_PANEL: Final = """
const app = window.jupyterapp;
let panel = null;
if (app) {
  for (const widget of app.shell.widgets('main')) {
    if (widget.context && widget.context.path === arguments[0]) { panel = widget; break; }
  }
}
"""
_KERNEL_STATUS: Final = (
    _PANEL
    + """
if (!panel || !panel.sessionContext || !panel.content || !panel.content.model) return null;
const session = panel.sessionContext.session;
return session && session.kernel ? session.kernel.status : null;
"""
)
_CELLS: Final = (
    _PANEL
    + """
const cells = panel.content.model.cells;
const out = [];
for (let i = 0; i < cells.length; i++) {
  const cell = cells.get(i);
  if (cell.type !== 'code') continue;
  const outputs = [];
  for (let j = 0; j < cell.outputs.length; j++) outputs.push(cell.outputs.get(j).toJSON());
  out.push({index: i, count: cell.executionCount, source: cell.sharedModel.getSource(),
            outputs: outputs});
}
return out;
"""
)
_RENDERED: Final = """
const q = s => document.querySelectorAll(s);
const imgs = [...q('.jp-OutputArea img')].filter(i => i.complete && i.naturalWidth > 0);
return {
  widgets: q('.jp-OutputArea .jupyter-widgets').length,
  sliders: q('.jp-OutputArea .widget-slider').length,
  images: imgs.length,
  audio: q('.jp-OutputArea audio').length,
  tables: q('.jp-OutputArea table').length,
  buttons: q('.jp-OutputArea .jupyter-button').length,
};
"""
_ERRORS: Final = """
const texts = [];
for (const node of document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
    + ' .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')) {
  texts.push(node.innerText.slice(0, 500));
}
for (const node of document.querySelectorAll('.jp-OutputArea .jupyter-widgets')) {
  if (node.innerText.includes('Error displaying widget')) texts.push(node.innerText.slice(0, 500));
}
return texts;
"""


class NotebookPage:
    """A notebook open in JupyterLab in ``driver``: run it, read what rendered, screenshot it."""

    def __init__(self, driver: Any, lab: Lab, relative: str) -> None:
        self.driver = driver
        self.lab = lab
        self.relative = relative

    def _script(self, script: str, *arguments: Any) -> Any:
        return self.driver.execute_script(script, self.relative, *arguments)

    def wait(self, condition: Callable[[], Any], *, timeout_s: float, what: str) -> Any:
        """Poll ``condition`` until it returns something truthy; its value."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.25)
        raise TimeoutError(f"{what}: not within {timeout_s:g} s")

    def open(self, *, timeout_s: float = 60.0) -> None:
        """Open the notebook and wait for its kernel to be idle."""
        self.driver.get(self.lab.tree_url(self.relative))
        self.wait(
            lambda: self._script(_KERNEL_STATUS) == "idle",
            timeout_s=timeout_s,
            what="notebook open with an idle kernel",
        )

    def kernel_name(self) -> str | None:
        """The name of the kernel the notebook runs on."""
        name = self._script(_PANEL + "return panel.sessionContext.session.kernel.name;")
        return None if name is None else str(name)

    def run_all(self, *, timeout_s: float = 120.0) -> list[dict[str, Any]]:
        """Run every cell; wait until all ran (or one failed) and the kernel is idle; the cells."""
        self._script(
            _PANEL + "app.shell.activateById(panel.id);"
            " return app.commands.execute('notebook:run-all-cells');"
        )

        def done() -> list[dict[str, Any]] | None:
            if self._script(_KERNEL_STATUS) != "idle":
                return None
            cells = self.cells()
            failed = any(o.get("output_type") == "error" for c in cells for o in c["outputs"])
            return cells if failed or all(c["count"] is not None for c in cells) else None

        self.wait(done, timeout_s=timeout_s, what="every cell run")
        time.sleep(1.0)  # let the widgets' views render (not a timing assertion)
        return self.cells()

    def cells(self) -> list[dict[str, Any]]:
        """Every code cell: its index, execution count and outputs (nbformat JSON)."""
        return list(self._script(_CELLS))

    def rendered(self) -> dict[str, int]:
        """Counts of what rendered in the outputs: widgets, sliders, loaded images, audio."""
        return dict(self.driver.execute_script(_RENDERED))

    def errors(self) -> list[str]:
        """Error outputs: stderr, tracebacks (DOM and model), widgets that failed to display."""
        found = [str(text) for text in self.driver.execute_script(_ERRORS)]
        for cell in self.cells():
            for output in cell["outputs"]:
                if output.get("output_type") == "error" or output.get("name") == "stderr":
                    found.append(json.dumps(output)[:500])
        return found

    def image_sources(self) -> list[str]:
        """The ``src`` of every image in the outputs, in document order."""
        return list(
            self.driver.execute_script(
                "return [...document.querySelectorAll('.jp-OutputArea img')].map(i => i.src);"
            )
        )

    def set_slider(self, description: str, value: float) -> None:
        """Type ``value`` into the readout of the first slider labelled ``description``."""
        script = """
        const [label, value] = arguments;
        for (const slider of document.querySelectorAll('.jp-OutputArea .widget-slider')) {
          const text = slider.querySelector('.widget-label');
          if (!text || text.innerText.trim() !== label) continue;
          const readout = slider.querySelector('.widget-readout');
          readout.textContent = String(value);
          readout.dispatchEvent(new KeyboardEvent('keydown', {keyCode: 13, bubbles: true}));
          return true;
        }
        return false;
        """
        if not self.driver.execute_script(script, description, value):
            raise LookupError(f"no slider labelled {description!r}")

    def hide_sidebars(self) -> None:
        """Collapse JupyterLab's left and right areas (more room for the notebook)."""
        self.driver.execute_script(
            "const s = window.jupyterapp.shell; s.collapseLeft(); s.collapseRight();"
        )

    def cell_index(self, starts_with: str) -> int:
        """The index of the first code cell whose source starts with ``starts_with``."""
        for cell in self.cells():
            if str(cell["source"]).startswith(starts_with):
                return int(cell["index"])
        raise LookupError(f"no code cell starts with {starts_with!r}")

    def scroll_to_cell(self, index: int, *, output: bool = False, end: bool = False) -> None:
        """Scroll cell ``index`` (or its output) to the top (``end``: its end to the bottom)."""
        self.driver.execute_script(
            """
            const [index, output, end] = arguments;
            const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
            const node = output ? cell.querySelector('.jp-Cell-outputWrapper') : cell;
            node.scrollIntoView({block: end ? 'end' : 'start'});
            """,
            index,
            output,
            end,
        )
        time.sleep(0.5)

    def screenshot(self, path: Path) -> Path:
        """Save the browser window as PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        return path
