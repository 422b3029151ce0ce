"""``summitry serve``: start the server and give its address once it accepts connections.

Loading the web app (FastAPI, the models) and starting the server can take seconds on a
busy machine. The address is printed only when the server's socket listens, so a browser
opened on it connects at once; until then, after :data:`STARTING_AFTER` seconds, a line
says that the server is starting, and another every :data:`STILL_EVERY` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from summitry.errors import ParameterError
from summitry.web.limits import Limits

__all__ = ["STARTING_AFTER", "STILL_EVERY", "serve", "url_of"]

STARTING_AFTER = 2.0
"""Seconds of silence after which a line says the server is starting."""

STILL_EVERY = 10.0
"""Seconds between two lines saying that it is still starting."""


def url_of(host: str, port: int) -> str:
    """The address a browser opens for ``host`` and ``port`` (IPv6 in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}/"


class _Starting:
    """Say "starting" after a while, and again now and then, until :meth:`stop`."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo
        self.began = time.monotonic()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="summitry-start")
        self._thread.start()

    def _watch(self) -> None:
        if self._done.wait(STARTING_AFTER):
            return
        self.echo("starting the server (loading the web app and the models)...")
        while not self._done.wait(STILL_EVERY):
            self.echo(f"still starting ({time.monotonic() - self.began:.0f} s)...")

    def stop(self) -> None:
        """No more lines; waits for a line being written to end."""
        self._done.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


def serve(
    *,
    host: str,
    port: int,
    limits: dict[str, Any],
    allowed: Sequence[str] | None,
    store: str | Path | None,
    echo: Callable[[str], None],
) -> None:
    """Serve the web app until stopped; ``echo`` writes each line for the user.

    Parameters
    ----------
    limits
        Limits given on the command line (None where not given), over the environment's.
    allowed
        The ``--allowed-host`` names, or None.

    Raises
    ------
    ParameterError
        When the ``web`` extra is not installed, or a limit is not valid.
    """
    starting = _Starting(echo)
    try:
        try:
            import uvicorn

            from summitry.web.api import create_app
            from summitry.web.security import allowed_hosts
        except ImportError as exc:
            raise ParameterError(
                f"summitry serve needs the web extra ({exc.name} is missing): "
                'pip install "summitry[web]"'
            ) from None
        hosts = allowed_hosts(allowed, bind=host)
        app = create_app(Limits.from_env(**limits), store, allowed_hosts=hosts)
        _check_listen(host, port)

        def ready() -> None:
            starting.stop()
            echo(f"summitry on {url_of(host, port)} (API: /docs; no authentication)")
            echo(f"answers to the hosts: {', '.join(hosts)} (--allowed-host)")

        class Server(uvicorn.Server):
            async def startup(self, sockets: Any = None) -> None:
                await super().startup(sockets=sockets)
                if self.started and not self.should_exit:  # the sockets listen
                    ready()

        Server(uvicorn.Config(app, host=host, port=port, log_level="info")).run()
    finally:
        starting.stop()


def _check_listen(host: str, port: int) -> None:
    """Refuse, with one line, an address this machine cannot listen on (or a taken port).

    The server binds the same address a moment later; this check turns the failures a
    user can fix into a ParameterError instead of the server's own log lines.
    """
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError(f"--host {host!r} is not an address to listen on ({exc})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as exc:
            raise ParameterError(
                f"cannot listen on {host} port {port}: {exc.strerror or exc}"
            ) from None
