"""The load tester and the bench: they run, report every field, and their numbers agree.

No test here asserts a speed (that is the benchmark's job); they check that what is
reported is consistent: every round trip is a message echoed byte for byte, the bytes are
round trips times the size, and errors are counted when a server gets the echo wrong.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import echo_lesson as el
from echo_lesson.limits import granted_backlog
from echo_lesson.load import LoadResult, hold_connections, percentile, run_load
from echo_lesson.servers.base import system_backlog

ROOT = Path(__file__).resolve().parent.parent


def assert_consistent(result: LoadResult, concurrency: int, size: int) -> None:
    assert result.concurrency == concurrency and result.size == size
    assert result.round_trips > 0 and result.seconds > 0
    assert result.round_trips == result.messages_echoed
    assert result.bytes_echoed == result.round_trips * result.size
    assert result.errors == 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert result.round_trips_per_s == pytest.approx(result.round_trips / result.seconds)
    assert result.bytes_per_s == pytest.approx(result.round_trips_per_s * size)


@pytest.mark.parametrize("kind", ["selectors", "asyncio", "pool", "threaded"])
def test_load_in_this_process(kind):
    with el.start_server(kind, name=f"load-{kind}") as server:
        result = run_load(server, concurrency=3, size=700, duration=0.3, warmup=0.1,
                          progress=None)
    assert_consistent(result, 3, 700)
    assert result.processes == 0 and result.target == kind
    assert kind in str(result) and "round trips/s" in str(result)


def test_load_in_two_processes():
    seen = []
    with el.start_server("selectors", name="load-processes") as server:
        result = run_load(server, concurrency=5, size=100, duration=0.3, warmup=0.1,
                          processes=2, progress=lambda done, total: seen.append(done))
    assert_consistent(result, 5, 100)
    assert result.processes == 2
    assert seen and seen[-1] == pytest.approx(0.4), "progress was never reported to the end"


def corrupting_echo(conn, addr):
    """Echoes every byte but the first of each piece, which it changes: a buggy server."""
    while data := conn.recv(4096):
        conn.sendall(bytes([data[0] ^ 0xFF]) + data[1:])


def closing_echo(conn, addr):
    """Echoes one piece, then hangs up."""
    conn.sendall(conn.recv(4096))


@pytest.mark.parametrize("handler", [corrupting_echo, closing_echo])
def test_a_wrong_echo_is_an_error_not_a_round_trip(handler):
    with el.start_server("threaded", handler=handler) as server:
        result = run_load(server, concurrency=2, size=10, duration=0.3, warmup=0.0,
                          progress=None)
    assert result.errors >= 2 if handler is closing_echo else result.errors > 0
    assert result.round_trips == result.messages_echoed == 0


def test_bad_arguments_say_so():
    with pytest.raises(ValueError, match="concurrency"):
        run_load(("127.0.0.1", 9), concurrency=0)


def test_percentile():
    assert percentile([], 0.5) == 0.0
    assert percentile(list(range(1, 101)), 0.5) == 50
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert percentile([3.0], 0.99) == 3.0


@pytest.mark.parametrize("kind", ["selectors", "asyncio", "threaded"])
def test_capacity_every_connection_echoes(kind):
    with el.start_server(kind, name=f"capacity-{kind}") as server:
        held = hold_connections(server, 300, hold=0.05, progress=None)
    assert held.requested == held.connected == held.echoed == 300
    assert held.fd_limit >= 300
    assert "300 of 300" in str(held)


def test_capacity_of_a_pool_is_its_workers():
    """Idle clients hold the pool's workers: the others are connected but wait, unserved."""
    with el.start_server("pool", name="capacity-pool", workers=4) as server:
        held = hold_connections(server, 20, hold=0.05, timeout=1.0, progress=None)
    assert held.connected == 20 and held.echoed == 4


def test_bench_command_prints_the_table_and_saves_json_and_png(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "echo_lesson", "bench", "--kinds", "selectors,pool",
         "--peers", "asyncio-streams", "--concurrency", "1,3", "--duration", "0.2",
         "--repeat", "1", "--capacity", "40", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr
    assert "round trips/s" in out.stdout and "vs best peer" in out.stdout
    assert "listen backlog" in out.stdout
    [json_path] = tmp_path.glob("bench-*.json")
    [png_path] = tmp_path.glob("bench-*.png")
    assert png_path.read_bytes().startswith(b"\x89PNG")
    report = json.loads(json_path.read_text())
    assert {"when", "machine", "settings", "servers"} <= report.keys()
    assert report["settings"]["client_processes"] == 1
    assert [r["server"] for r in report["servers"]] == ["selectors", "pool", "asyncio-streams"]
    fields = set(LoadResult.__dataclass_fields__) | {"round_trips_per_s", "bytes_per_s",
                                                     "ratio_to_best_peer"}
    for row in report["servers"]:
        assert set(row["median"]) == {"1", "3"}
        for c, m in row["median"].items():
            assert fields <= m.keys()
            assert m["concurrency"] == int(c) and m["errors"] == 0
            assert m["round_trips"] > 0 and m["round_trips"] == m["messages_echoed"]
            assert m["bytes_echoed"] == m["round_trips"] * m["size"]
            assert m["p99_ms"] >= m["p50_ms"] > 0 and m["ratio_to_best_peer"] > 0
        cap = row["capacity"]
        assert cap["requested"] == 40
        # the backlog the server really got (None: the system's own, as on Windows)
        assert cap["backlog"] is None or cap["backlog"] > 0
        if sys.platform.startswith("linux"):
            assert cap["backlog"] == granted_backlog(100 if row["peer"] else system_backlog())
        assert cap["echoed"] == (40 if row["server"] != "pool" else min(40, 64))
    peer = report["servers"][-1]
    assert peer["peer"] and all(m["ratio_to_best_peer"] == 1.0 for m in peer["median"].values())


@pytest.mark.parametrize("capacity, panels", [(0, 2), (5, 3)])
def test_bench_plot_shows_the_capacity_panel_only_when_it_was_measured(capacity, panels):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from echo_lesson.bench import plot_bench, run_bench

    report = run_bench(kinds=["selectors"], peers=[], concurrency=[1], duration=0.1, repeat=1,
                       capacity=capacity, pin=False, warmup=0.05, progress=None)
    fig = plot_bench(report)
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert len(titles) == panels
        assert ("connections opened at once" in titles) == bool(capacity)
        assert all(ax.has_data() for ax in fig.axes)  # no empty panel
        if capacity:  # the held connections are a bar of their own, labelled
            labels = fig.axes[2].get_legend_handles_labels()[1]
            assert labels[0] == "held and echoing", labels
    finally:
        plt.close(fig)
