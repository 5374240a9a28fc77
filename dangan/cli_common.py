"""What the `dangan` sub-commands share: settings, consoles and turning errors into exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from dangan.errors import DanganError, exit_code
from dangan.settings import Settings

err = Console(stderr=True)
out = Console(highlight=False, markup=False)  # names and numbers are data, never markup


def load_settings() -> Settings:
    """The settings, with DANGAN_HOME created readable by the service account only."""
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return settings


def fail(error: DanganError) -> typer.Exit:
    """Print an error for people (Chinese first) and give the exit code its kind calls for."""
    err.print(f"[red]错误 error:[/red] {error.reason_zh} / {error.reason_en}")
    if error.detail:
        err.print(f"  {error.detail}", markup=False)
    return typer.Exit(exit_code(error))


_P = ParamSpec("_P")
_R = TypeVar("_R")


def reports_errors(command: Callable[_P, _R]) -> Callable[_P, _R]:
    """A command whose `DanganError` is told to people through `fail`, not shown as a traceback.

    Put it under the Typer decorator: `functools.wraps` keeps the signature and help Typer reads.
    """

    @functools.wraps(command)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return command(*args, **kwargs)
        except DanganError as error:
            raise fail(error) from error

    return run
