"""Every fenced code block of README.md and docs/*.md is exercised, by its language tag.

A block in a language this file does not know fails the suite, so no block slips in untested.

- ``python``: run in a subprocess (``PYTHONPATH`` = repository root, cwd = the workspace below);
  it must exit 0, and whatever it captured must reach the manager (nothing left in the spool).
- ``bash`` / ``sh`` / ``console``: one command per line (``\\`` continues a line, ``#`` comments).
  ``provml ...`` lines run in bash with ``provml`` meaning ``python -m services.cli`` (``ask``,
  ``sparql``, ``domain`` and ``export`` without ``PROVML_MANAGER``: the docs show them on the
  default store unless they name ``--manager``), and must
  exit 0 (an answer must have rows, and match the Markdown table right after the block, if
  any: columns, first rows, "… and N more rows"); ``provml serve`` and ``oxigraph serve`` lines
  start the server on a free port, check that it serves its store, then stop it. ``curl`` lines
  are sent with httpx (a 2xx answer; rows for a question).
  ``python benchmarks/X.py ...`` lines are checked, not run (minutes each): the script answers
  ``--help`` and lists every option the line uses. The README's install commands
  (``python3.11 -m venv ...``) are run by CI itself: the test command must be exactly what
  ``.ci/run`` extracts, and the demo command is covered by the end-to-end demo test. Any other line
  fails.
- ``sparql``: a question header (``# name: Q``) must be the header of
  ``queryengine/questions/Q.rq``; other queries are run on the workspace store.
- ``json``: parsed; a capture batch (``records``) is validated by ``services.ingest.parse_batch``
  and posted to the manager, which must accept every record; a question answer must have its
  rows' keys among its columns.
- ``toml``: parsed; an entry-point group must be one the code reads.
- ``turtle`` / ``trig``: parsed with pyoxigraph.
- ``text``: output samples and diagrams, not executed.

Fixed addresses in the docs are rewritten to the test's servers: ``127.0.0.1:7080`` (the manager)
to a real ``provml serve --store memory:``, ``127.0.0.1:7878`` and ``127.0.0.1:7879`` (an
``oxigraph serve``) to the session's Oxigraph server, ``oxigraph:/ABSOLUTE`` store paths of serve
lines to paths inside the workspace. The workspace (cwd of every block) holds what the commands
name: ``provml-data`` (the capture of ``tests/queryengine`` with the example domain graph: runs
``r1``, ``r2``, ``r3``..., and its version-graph example; and DLProv's reference run, ingested
from its wire messages), ``samples.ttl``, ``query.rq``, ``capture.jsonl`` (a file transport's
output) and ``provml-spool`` (a spool with a pending segment).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from services.ingest import Ingestor, parse_batch
from services.store import open_store
from tests.dlprov import replay as replay_dlprov
from tests.queryengine.capture import load_capture
from tests.queryengine.versions_capture import load_versions
from tests.servers import free_port, oxigraph_binary, stop_process, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = {"python", "bash", "sh", "console", "sparql", "json", "toml", "turtle", "trig", "text"}
MANAGER_ADDRESS = "127.0.0.1:7080"
OXIGRAPH_ADDRESSES = ("127.0.0.1:7878", "127.0.0.1:7879")
DOMAIN_GRAPH = "urn:provml-docs-test:domain"
TIMEOUT = 120

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    text: str
    table: tuple[list[list[str]], int] | None = None  # the Markdown table after it, more rows

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} ({self.lang or 'no language'})"


def blocks_of(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, in order."""
    blocks, lang, start, body = [], None, 0, []
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines, 1):
        if lang is None:
            match = re.match(r"^\s*```(\S*)\s*$", line)
            if match:
                lang, start, body = match.group(1), number, []
        elif line.strip() == "```":
            table = _table_after(lines[number:])
            blocks.append(Block(path, start, lang, "\n".join(body) + "\n", table))
            lang = None
        else:
            body.append(line)
    assert lang is None, f"{path}:{start}: unclosed code block"
    return blocks


def _table_after(lines: list[str]) -> tuple[list[list[str]], int] | None:
    """The rows of a Markdown table right after a block, and the "… and N more rows" count."""
    rest = iter(line.strip() for line in lines)
    line = next(rest, "")
    if not line:
        line = next(rest, "")
    if not line.startswith("|"):
        return None
    rows = []
    while line.startswith("|"):
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
        line = next(rest, "")
    if not line:
        line = next(rest, "")
    more = re.match(r"… and (\d+) more rows", line)
    return rows, int(more.group(1)) if more else 0


ALL_BLOCKS = [block for path in DOC_FILES for block in blocks_of(path)]


def test_every_block_has_a_language_the_docs_test_exercises() -> None:
    unknown = [str(b) for b in ALL_BLOCKS if b.lang not in LANGUAGES]
    assert not unknown, f"code blocks no test exercises (tag them, or teach tests/docs): {unknown}"
    assert len(ALL_BLOCKS) > 40  # the collector sees the docs


# -- the environment the blocks run in ------------------------------------------------------------


@dataclass
class Env:
    workspace: Path
    manager: str
    oxigraph: str
    spool: Path

    def vars(self, *, manager: bool = True) -> dict[str, str]:
        """The environment of a block; ``manager=False`` leaves ``PROVML_MANAGER`` out."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PROVML_MANAGER": self.manager,
            "PROVML_SPOOL_DIR": str(self.spool),
        }
        if not manager:
            del env["PROVML_MANAGER"]
        return env

    def rewrite(self, text: str) -> str:
        text = text.replace(MANAGER_ADDRESS, self.manager.removeprefix("http://"))
        for address in OXIGRAPH_ADDRESSES:
            text = text.replace(address, self.oxigraph.removeprefix("http://"))
        return text


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory, oxigraph_server: str) -> Iterator[Env]:
    workspace = tmp_path_factory.mktemp("docs-workspace")
    with open_store(f"oxigraph:{workspace / 'provml-data'}") as store:
        load_versions(load_capture(store))
        replay_dlprov(Ingestor(store))  # DLProv's reference run, for docs/dlprov.md
    shutil.copy(ROOT / "queryengine" / "domain" / "samples.ttl", workspace / "samples.ttl")
    (workspace / "query.rq").write_text("SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }\n")
    _file_capture(workspace / "capture.jsonl")
    pending = workspace / "provml-spool" / "pending"
    pending.mkdir(parents=True)
    shutil.copy(workspace / "capture.jsonl", pending / "00000000000000000001-1-000001.jsonl")
    port = free_port()
    log = workspace.parent / "docs-manager.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "services.cli",
                "serve",
                "--store",
                "memory:",
                "--port",
                str(port),
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=workspace,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{url}/health/ready", process, log=log)
        yield Env(workspace, url, oxigraph_server, workspace.parent / "docs-spool")
    finally:
        stop_process(process)


def _file_capture(path: Path) -> None:
    import provlake as pl

    client = pl.Client(f"file:{path}", capture_environment=False)
    run = client.start_run("replayed", run_id="docs-replay")
    with run, run.stage("training", kind="training", hyperparameters={"lr": 0.1}) as train:
        train.log_metric("loss", 0.5, epoch=0)
    client.close(10)
    assert path.read_text().count('"records"') >= 1


# Documented commands run in bash with these meanings.
PRELUDE = (
    f'provml() {{ "{sys.executable}" -m services.cli "$@"; }}\n'
    f'oxigraph() {{ "{oxigraph_binary()}" "$@"; }}\n'
)


# Commands that read a store: the docs show them on the default store unless they name a manager.
READERS = {"ask", "sparql", "domain", "export"}


def _run_shell(command: str, env: Env, **kwargs: object) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    reader = "provml" in words and words[words.index("provml") + 1] in READERS
    return subprocess.run(
        ["bash", "-c", PRELUDE + command],
        cwd=env.workspace,
        env=env.vars(manager=not reader),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        **kwargs,
    )


# -- one test per documentation file: its blocks in order -----------------------------------------


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_of(path: Path, env: Env) -> None:
    if path.name == "questions.md":
        _load_remote_domain_graph(env.oxigraph)
    for block in blocks_of(path):
        EXERCISE[block.lang](block, env)


def exercise_python(block: Block, env: Env) -> None:
    env.spool = env.workspace.parent / f"spool-{block.path.stem}-{block.line}"
    script = env.workspace / f"block-{block.path.stem}-{block.line}.py"
    script.write_text(env.rewrite(block.text))
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=env.workspace,
        env=env.vars(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{block} failed:\n{done.stdout}\n{done.stderr}"
    left = sorted(str(p) for p in env.spool.rglob("*") if p.is_file())
    assert not left, f"{block}: records did not reach the manager: {left}\n{done.stderr}"


def exercise_shell(block: Block, env: Env) -> None:
    for command in _commands(block.text):
        words = shlex.split(command)
        if "python3.11" in words and "venv" in words:
            _check_install_command(block, command)
        elif words[:2] == ["python", "benchmarks/" + Path(words[1]).name]:
            _check_benchmark_command(block, words)
        elif "provml" in words and words[words.index("provml") + 1] == "serve":
            _run_serve(block, command, env)
        elif words[:2] == ["oxigraph", "serve"]:
            _run_oxigraph_serve(block, command, env)
        elif words[0] == "curl":
            _run_curl(block, env.rewrite(command), words=shlex.split(env.rewrite(command)))
        elif "provml" in words:
            done = _run_shell(env.rewrite(command), env)
            assert done.returncode == 0, f"{block}: {command}\n{done.stdout}\n{done.stderr}"
            assert done.stdout.strip(), f"{block}: {command} printed nothing"
            if words[words.index("provml") + 1] == "ask" and "--list" not in words:
                assert "(0 rows)" not in done.stdout, f"{block}: {command} found nothing"
                if block.table is not None:
                    _check_answer(block, command, env)
        else:
            pytest.fail(f"{block}: no rule exercises this line: {command}")


# How the docs abbreviate values in answer tables.
PREFIXES = {
    "http://provml.localhost/id/": "id:",
    "https://example.org/cores#": "core:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        for iri, prefix in PREFIXES.items():
            if value.startswith(iri):
                return prefix + value.removeprefix(iri)
    return str(value)


def _same(documented: str, actual: str) -> bool:
    if documented.startswith("(") and documented.endswith(")"):  # a value that changes: (now − x)
        return actual != ""
    return documented == actual


def _check_answer(block: Block, command: str, env: Env) -> None:
    """The table after a ``provml ask`` block is its answer: header, first rows and row count."""
    table, more = block.table
    done = _run_shell(env.rewrite(command) + " --format json", env)
    assert done.returncode == 0, f"{block}: {command}\n{done.stderr}"
    answer = json.loads(done.stdout)
    header, _, *rows = table
    assert list(answer[0]) == header if answer else header == [], f"{block}: columns"
    assert len(answer) == len(rows) + more, f"{block}: {len(answer)} rows, the docs say otherwise"
    for documented, row in zip(rows, answer, strict=False):
        actual = [_cell(row[c]) for c in header]
        assert all(map(_same, documented, actual)), f"{block}: {documented} != {actual}"


def _commands(text: str) -> list[str]:
    commands, pending = [], ""
    for line in text.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = re.sub(r"\s+# .*$", "", pending + line).strip()  # an end-of-line comment
        pending = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def _check_install_command(block: Block, command: str) -> None:
    """The README's commands; CI runs the test command, the demo test covers the demo."""
    readme = (ROOT / "README.md").read_text()
    script = (ROOT / ".ci" / "run").read_text()
    extract = script[: script.index('echo "+ $cmd"')] + 'printf %s "$cmd"\n'
    ci_command = subprocess.run(
        ["bash", "-c", extract, str(ROOT / ".ci" / "run")],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    ).stdout
    demo = re.search(r"Install and run the demo:\n\n```bash\n(.+)\n```", readme).group(1)
    assert ci_command.endswith("python -m pytest -q"), ci_command
    assert command in (ci_command, demo), f"{block}: not one of the README commands: {command}"
    if command == demo:
        assert demo.endswith(".venv/bin/provml demo")
        assert (ROOT / "tests" / "demo" / "test_demo.py").exists()


def _check_benchmark_command(block: Block, words: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / words[1]), "--help"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{block}: {words[1]} --help\n{done.stderr}"
    options = set(re.findall(r"(--[a-z][a-z0-9-]*)", done.stdout))
    used = {w.split("=")[0] for w in words[2:] if w.startswith("--")}
    assert used <= options, f"{block}: {words[1]} has no option {sorted(used - options)}"


def _run_serve(block: Block, command: str, env: Env) -> None:
    """A manager on a free port: its store must be ready; it prints its URL first."""
    port = free_port()
    command = re.sub(r"--port \d+", "", env.rewrite(command)).strip() + f" --port {port}"
    command = re.sub(r"oxigraph:/+", "oxigraph:", command)  # absolute store paths → workspace
    for path in re.findall(r"oxigraph:(\S+)", command):
        (env.workspace / path).parent.mkdir(parents=True, exist_ok=True)  # as on a deployed host
    with _server(command, env, f"http://127.0.0.1:{port}/health/ready") as (answer, log):
        assert answer.status_code == 200, f"{block}: {command}: {answer.text}"
    assert log.read_text().startswith("provml manager on http://"), f"{block}: {command}"


def _run_curl(block: Block, command: str, words: list[str]) -> None:
    """A ``curl`` line (``-s``, ``-X``, ``-H``, ``-d`` and a URL) sent with httpx: a 2xx answer,
    and rows when it is a question's answer."""
    method, headers, data, url = "GET", {}, None, None
    args = iter(words[1:])
    for word in args:
        if word == "-X":
            method = next(args)
        elif word == "-H":
            name, _, value = next(args).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data, method = next(args), "POST" if method == "GET" else method
        elif word.startswith("http"):
            url = word
        else:
            assert word == "-s", f"{block}: the docs test does not know curl {word}"
    answer = httpx.request(method, url, headers=headers, content=data, timeout=TIMEOUT)
    assert answer.is_success, f"{block}: {command}\n{answer.status_code} {answer.text}"
    if "/api/v1/questions/" in url:
        assert answer.json()["rows"], f"{block}: {command} found nothing"


def _run_oxigraph_serve(block: Block, command: str, env: Env) -> None:
    """``oxigraph serve`` on a free port: it serves the store's named graphs as the default one."""
    port = free_port()
    command = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", command)
    ask = f"http://127.0.0.1:{port}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    with _server(command, env, ask) as (answer, _):
        assert answer.status_code == 200, f"{block}: {command}: {answer.text}"
        assert answer.json()["boolean"] is True, f"{block}: {command}: the union graph is empty"


@contextmanager
def _server(command: str, env: Env, url: str) -> Iterator[tuple[httpx.Response, Path]]:
    """Run a long-running documented command until ``url`` answers; yield the answer, stop it."""
    log = env.workspace.parent / f"server-{free_port()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", PRELUDE + command],
            cwd=env.workspace,
            env=env.vars(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(url, process, log=log)
        yield httpx.get(url, headers={"Accept": "application/sparql-results+json"}), log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        stop_process(process)


def exercise_sparql(block: Block, env: Env) -> None:
    header = re.match(r"# name: (\S+)", block.text)
    if header:
        question = ROOT / "queryengine" / "questions" / f"{header.group(1)}.rq"
        assert question.read_text().startswith(block.text), f"{block}: not the header of {question}"
        return
    ox.Store().query(block.text)  # SyntaxError when it does not parse
    with open_store(f"oxigraph:{env.workspace / 'provml-data'}") as store:
        store.query(block.text)


def exercise_json(block: Block, env: Env) -> None:
    value = json.loads(block.text)
    if "records" in value:
        parse_batch(value)
        answer = httpx.post(  # as written: a batch may hold NaN tokens, which httpx's json= refuses
            f"{env.manager}/api/v1/capture",
            content=block.text.encode(),
            headers={"Content-Type": "application/json"},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, f"{block}: {answer.text}"
        assert answer.json()["accepted"] == len(value["records"])
    elif "question" in value:
        assert value["rows"], block
        assert all(set(row) <= set(value["columns"]) for row in value["rows"]), block
    else:
        pytest.fail(f"{block}: a JSON block is a capture batch or a question answer")


def exercise_toml(block: Block, env: Env) -> None:
    value = tomllib.loads(block.text)
    groups = value["project"]["entry-points"]
    sources = "".join(p.read_text() for p in (ROOT / "services").rglob("*.py"))
    sources += "".join(p.read_text() for p in (ROOT / "provlake").rglob("*.py"))
    for group in groups:
        assert f'"{group}"' in sources, f"{block}: no code reads the entry points {group}"


def exercise_rdf(block: Block, env: Env) -> None:
    fmt = ox.RdfFormat.TURTLE if block.lang == "turtle" else ox.RdfFormat.TRIG
    assert list(ox.parse(block.text, format=fmt)), block


def exercise_text(block: Block, env: Env) -> None:
    """Output samples and diagrams: nothing to run."""


EXERCISE = {
    "python": exercise_python,
    "bash": exercise_shell,
    "sh": exercise_shell,
    "console": exercise_shell,
    "sparql": exercise_sparql,
    "json": exercise_json,
    "toml": exercise_toml,
    "turtle": exercise_rdf,
    "trig": exercise_rdf,
    "text": exercise_text,
}
assert set(EXERCISE) == LANGUAGES


def _load_remote_domain_graph(oxigraph: str) -> None:
    """The example domain graph on the Oxigraph server, for the SERVICE question."""
    data = (ROOT / "queryengine" / "domain" / "samples.ttl").read_bytes()
    answer = httpx.put(
        f"{oxigraph}/store",
        params={"graph": DOMAIN_GRAPH},
        content=data,
        headers={"Content-Type": "text/turtle"},
        timeout=TIMEOUT,
    )
    assert answer.status_code in (200, 201, 204), answer.text
