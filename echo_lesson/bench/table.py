"""format_table: the report as text for a terminal or a notebook, its headings in the
language chosen with echo_lesson.i18n and its columns lined up by terminal columns (a CJK
character takes two), so a Chinese table lines up as well as an English one."""
from __future__ import annotations

from ..i18n import ljust, translate, width


def _right(text: str, columns: int) -> str:
    """`text` right-aligned in `columns` terminal columns (a CJK character takes two)."""
    return " " * max(0, columns - width(text)) + text


def _backlog(backlog) -> str:
    """A listen backlog's length, or what to say where the system picks it and does not say
    (Windows: backlog None)."""
    return translate("set by system") if backlog is None else str(backlog)


def format_table(report: dict) -> str:
    """The comparison as text: one row per server and concurrency (headings and the
    footnote in the language chosen with echo_lesson.i18n; figures and names as they are)."""
    _ = translate
    lines = [" ".join([ljust(_("server"), 16), _right("C", 5), _right(_("round trips/s"), 14),
                       _right(_("vs best peer"), 12), _right("MB/s", 7), _right("p50 ms", 7),
                       _right("p99 ms", 7), _right(_("errors"), 6)])]
    for row in report["servers"]:
        for c, m in row["median"].items():
            ratio = m.get("ratio_to_best_peer")
            lines.append(f"{row['server'] + (' *' if row['peer'] else ''):<16} {c:>5} "
                         f"{m['round_trips_per_s']:>14,.0f} "
                         f"{(f'{ratio:.2f}x' if ratio else '-'):>12} "
                         f"{m['bytes_per_s'] / 1e6:>7.1f} {m['p50_ms']:>7.2f} "
                         f"{m['p99_ms']:>7.2f} {m['errors']:>6}")
    held = [r for r in report["servers"] if r["capacity"]]
    if held:
        lines.append("")
        lines.append(" ".join([ljust(_("server"), 16), _right(_("held and echoing"), 17),
                               _right(_("refused"), 8), _right(_("never completed"), 16),
                               _right(_("no echo in time"), 16), _right(_("connect s"), 10),
                               _right(_("listen backlog"), 15), _right(_("fd limit"), 9)]))
        for r in held:
            cap = r["capacity"]
            lines.append(" ".join([
                f"{r['server']:<16}", f"{cap['echoed']:>8,} / {cap['requested']:<6,}",
                f"{cap.get('refused', 0):>8,}", f"{cap.get('never_completed', 0):>16,}",
                f"{cap.get('no_echo', 0):>16,}", f"{cap.get('connect_seconds', 0):>10.1f}",
                _right(_backlog(cap.get("backlog")), 15), f"{cap.get('server_fd_limit', 0):>9,}"]))
            if cap.get("limited_by"):
                lines.append("  " + _("{0:,} not tried: {1}").format(cap["not_tried"],
                                                                    _(cap["limited_by"])))
    s = report["settings"]
    lines.append("")
    pinning = _("server on CPU 0, clients on the others") if s["pinned"] else _("not pinned")
    lines.append(_("* a stdlib peer. {0} B messages, {1:g} s per run, median of {2} fresh "
                   "starts; load clients in {3} process(es); {4}; {5} CPUs; fd soft limit "
                   "{6}.").format(s["size"], s["duration"], s["repeat"], s["client_processes"],
                                  pinning, report["machine"]["cpus"], s["fd_soft_limit"]))
    return "\n".join(lines)
