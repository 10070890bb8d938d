"""What the demo prints last: runnable commands to go on with, whatever way ``provml`` was started.

After the README's install (``python3.11 -m venv .venv && .venv/bin/pip install ...``) the
``provml`` executable is ``.venv/bin/provml``, not on ``PATH``: a bare ``provml`` would not run.
The commands printed use ``provml`` only when that name on ``PATH`` is the running executable;
otherwise the path of the running one (relative to the working folder when it is inside it), or
``python -m services.cli`` when no ``provml`` executable exists beside the interpreter.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = ["next_steps", "provml_command"]


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, else absolute; quoted."""
    absolute = path.absolute()
    try:
        text = str(absolute.relative_to(Path.cwd()))
        text = text if os.sep in text else f".{os.sep}{text}"
    except ValueError:
        text = str(absolute)
    return shlex.quote(text)


def provml_command(argv0: str | None = None, executable: str | None = None) -> str:
    """The shell words that run ``provml`` as it was started (``provml``, ``.venv/bin/provml``,
    ``/opt/py/bin/python -m services.cli``)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    script: Path | None = None
    if Path(argv0).name in {"provml", "provml.exe"}:
        script = Path(argv0)
    else:
        beside = Path(executable).parent / ("provml.exe" if os.name == "nt" else "provml")
        script = beside if beside.is_file() else None
    if script is None:
        return f"{_shown(Path(executable))} -m services.cli"
    on_path = shutil.which("provml")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "provml"
    return _shown(script)


def next_steps(best_run: str, store: str, seconds: float, console: Any) -> None:
    """Print the time the demo took and three commands to explore what it wrote."""
    provml = provml_command()
    quoted = shlex.quote(store)
    lines = [
        f"Done in {seconds:.1f} s. Next:",
        f"  {provml} serve --store {quoted}    # the web UI at http://127.0.0.1:7080/",
        f"  {provml} demo --serve                  # or: the demo, its manager and UI kept up",
        f"  {provml} ask training-curve --store {quoted} --param run={best_run}"
        " --param measure=val_loss",
        f"  {provml} ask --list",
    ]
    console.print("\n" + "\n".join(lines), markup=False, highlight=False, soft_wrap=True)
