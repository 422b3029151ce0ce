"""The web app and REST API served by ``summitry serve`` (docs/web.md).

Needs the ``web`` extra: ``pip install "summitry[web]"``.
"""

from __future__ import annotations

from summitry.web.limits import Limits

__all__ = ["Limits", "create_app"]


def __getattr__(name: str) -> object:  # lazy: FastAPI is only needed to serve
    if name == "create_app":
        from summitry.web.api import create_app

        return create_app
    raise AttributeError(name)
