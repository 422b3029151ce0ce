"""What one actor can do: levers, their effects under every model, flips and replies.

See docs/advise.md. :func:`advise` weighs every lever; :func:`generate_levers` lists
them; :func:`flip_concessions` finds the least concession that makes a blocker accept.
"""

from summitry.advise.advice import Advice, Effect, Response, advise
from summitry.advise.flip import Flip, flip_concessions
from summitry.advise.levers import KINDS, Lever, LeverOptions, apply_lever, generate_levers

__all__ = [
    "KINDS",
    "Advice",
    "Effect",
    "Flip",
    "Lever",
    "LeverOptions",
    "Response",
    "advise",
    "apply_lever",
    "flip_concessions",
    "generate_levers",
]
