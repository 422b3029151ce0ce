"""``python -m summitry``: the same as the ``summitry`` command."""

from summitry.cli import app

app(prog_name="summitry")
