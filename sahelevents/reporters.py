"""One issue list, several projections: human text, JSON and GitHub Actions annotations.

Reporters return text and never decide exit codes or touch the terminal; the CLI prints what
they return. Colour is an argument, chosen by the CLI (a terminal, and ``NO_COLOR`` unset).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable

from sahelevents.issues import CATALOGUE, Issue, IssueCode, Report, Severity, lookup

FORMATS = ("text", "json", "github")

_RESET = "\033[0m"
_STYLES = {"error": "\033[1;31m", "warning": "\033[1;33m", "path": "\033[1m",
           "dim": "\033[2m", "ok": "\033[1;32m"}


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLES[style]}{text}{_RESET}" if color else text


def plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """``N errors, M warnings in K files``."""
    return (f"{plural(len(report.errors), 'error')}, "
            f"{plural(len(report.warnings), 'warning')} in "
            f"{plural(report.files_checked, 'file')}")


def _location(found: Issue) -> str:
    where = found.file
    if found.line:
        where += f":{found.line}"
        if found.column:
            where += f":{found.column}"
    return where


def render_text(report: Report, *, color: bool = False) -> str:
    """One line per issue, ``file:line:col: severity CODE [slug] path: message``, then a summary.

    The ``file:line:col:`` prefix is the form editors and terminals turn into links.
    """
    lines = []
    for found in report:
        severity = _paint(str(found.severity), str(found.severity), color)
        path = f" {_paint(found.yaml_path, 'dim', color)}:" if found.yaml_path else ""
        lines.append(f"{_paint(_location(found), 'path', color)}: {severity} {found.code} "
                     f"[{found.slug}]{path} {found.message}")
    summary = summary_line(report)
    if report.valid and not report.warnings:
        summary = _paint(summary, "ok", color)
    elif not report.valid:
        summary = _paint(summary, "error", color)
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "valid": report.valid,
        "files_checked": report.files_checked,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "issues": [found.to_dict() for found in report],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    """GitHub workflow-command escaping of the message part."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """GitHub workflow-command escaping of a property value (``file=...``, ``title=...``)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """``::error file=F,line=L,col=C,title=CODE slug::message`` lines, one per issue.

    GitHub Actions turns them into annotations on the pull request's files. Nothing else is
    written, so every line is a workflow command (the CLI prints the summary on stderr).
    """
    lines = []
    for found in report:
        command = "error" if found.severity is Severity.ERROR else "warning"
        properties = [f"file={_escape_property(found.file)}"]
        if found.line:
            properties.append(f"line={found.line}")
            if found.column:
                properties.append(f"col={found.column}")
        properties.append(f"title={_escape_property(f'{found.code} {found.slug}')}")
        message = f"{found.yaml_path}: {found.message}" if found.yaml_path else found.message
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(message)}")
    return "".join(f"{line}\n" for line in lines)


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "github":
        return render_github(report)
    if fmt == "text":
        return render_text(report, color=color)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# -- explain --------------------------------------------------------------------------------


def explain(code: str, *, color: bool = False) -> str:
    """What ``sahelevents explain CODE`` prints. Raises KeyError for an unknown code."""
    entry: IssueCode = lookup(code)
    wrap = textwrap.TextWrapper(width=88, initial_indent="  ", subsequent_indent="  ")
    header = f"{entry.code} {entry.slug}"
    severity = _paint(str(entry.severity), str(entry.severity), color)
    return "\n".join([
        _paint(header, "path", color),
        f"  {entry.title}",
        f"  stage: {entry.stage}, severity: {severity}",
        "",
        wrap.fill(entry.description),
        "",
        _paint("  How to fix:", "path", color),
        wrap.fill(entry.fix),
    ]) + "\n"


def explain_list(codes: Iterable[IssueCode] | None = None) -> str:
    """The catalogue, one code per line (``sahelevents explain --list``)."""
    entries = list(CATALOGUE.values()) if codes is None else list(codes)
    width = max((len(e.slug) for e in entries), default=0)
    return "".join(f"{e.code}  {e.slug:<{width}}  {e.severity!s:<7}  {e.stage:<10}  {e.title}\n"
                   for e in entries)
