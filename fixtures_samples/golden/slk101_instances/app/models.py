from dataclasses import dataclass
from typing import NamedTuple


class Config:
    def __init__(self):
        self.debug = False


@dataclass(frozen=True)
class Frozen:
    debug: bool = False


class Point(NamedTuple):
    x: int = 0


class Slotted:
    __slots__ = ("debug",)

    def __init__(self):
        self.debug = False
