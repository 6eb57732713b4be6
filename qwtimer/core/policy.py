"""The support policy as versioned data (R12), loaded from TOML and validated.

A malformed file is rejected with a message that names the file and the field. Nothing here
reads the clock: the caller says which day it is to pick the version in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from qwtimer.core.errors import PolicyError
from qwtimer.core.timer import SegmentKind

INCREMENTS = (1, 6, 30, 60)
ROUNDING_MODES = ("up", "nearest")
SETTLEMENTS = ("blocks", "per_minute")
GRANT_PRODUCTS = ("desktop", "web")


@dataclass(frozen=True)
class Policy:
    """One version of the support policy. Units: seconds, minutes as named, integer cents."""

    version: str
    effective: date
    included_minutes: int
    grant_products: tuple[str, ...]
    increment_seconds: int
    rounding_mode: str
    grace_seconds: int
    billable_kinds: frozenset[SegmentKind]
    rate_cents_per_minute: int
    block_minutes: int
    block_price_cents: int
    settlement: str
    card_required: bool
    expiry_warning_days: int
    max_call_minutes: int  # a longer call is billed only once confirmed (a typo, a timer left on)
    confirm_blocks_over: int  # a charge of more blocks than this is confirmed first

    @property
    def block_seconds(self) -> int:
        return self.block_minutes * 60

    @property
    def max_call_seconds(self) -> int:
        return self.max_call_minutes * 60

    def describe(self) -> dict[str, Any]:
        """A plain mapping for display and ``--json``."""
        return {
            "version": self.version,
            "effective": self.effective.isoformat(),
            "included_minutes": self.included_minutes,
            "grant_products": list(self.grant_products),
            "increment_seconds": self.increment_seconds,
            "rounding_mode": self.rounding_mode,
            "grace_seconds": self.grace_seconds,
            "billable_kinds": sorted(k.value for k in self.billable_kinds),
            "rate_cents_per_minute": self.rate_cents_per_minute,
            "block_minutes": self.block_minutes,
            "block_price_cents": self.block_price_cents,
            "settlement": self.settlement,
            "card_required": self.card_required,
            "expiry_warning_days": self.expiry_warning_days,
            "max_call_minutes": self.max_call_minutes,
            "confirm_blocks_over": self.confirm_blocks_over,
        }


class _Reader:
    """Pulls typed fields out of the parsed TOML, naming the field in every error."""

    def __init__(self, source: str, data: Mapping[str, Any]) -> None:
        self.source = source
        self.data = data

    def fail(self, field: str, problem: str) -> PolicyError:
        return PolicyError(f"policy {self.source}: field '{field}' {problem}; fix the file")

    def get(self, field: str) -> Any:
        node: Any = self.data
        for part in field.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(field, "is missing")
            node = node[part]
        return node

    def integer(self, field: str, low: int, high: int) -> int:
        value = self.get(field)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be a whole number, not {value!r}")
        if not low <= value <= high:
            raise self.fail(field, f"must be between {low} and {high}, not {value}")
        return value

    def choice(self, field: str, choices: Iterable[Any]) -> Any:
        value = self.get(field)
        options = tuple(choices)
        if value not in options:
            shown = ", ".join(str(c) for c in options)
            raise self.fail(field, f"must be one of {shown}, not {value!r}")
        return value

    def text(self, field: str) -> str:
        value = self.get(field)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty string")
        return value

    def day(self, field: str) -> date:
        value = self.get(field)
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise self.fail(field, f"must be a date like 2026-11-01, not {value!r}") from None
        if not isinstance(value, date):
            raise self.fail(field, f"must be a date like 2026-11-01, not {value!r}")
        return value

    def flag(self, field: str) -> bool:
        value = self.get(field)
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, not {value!r}")
        return value

    def names(self, field: str, allowed: Iterable[str]) -> tuple[str, ...]:
        value = self.get(field)
        options = tuple(allowed)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(field, "must be a list of names")
        for v in value:
            if v not in options:
                raise self.fail(field, f"has {v!r}; allowed: {', '.join(options)}")
        if len(set(value)) != len(value):
            raise self.fail(field, "lists a name twice")
        return tuple(value)


def parse_policy(data: Mapping[str, Any], source: str = "<data>") -> Policy:
    """Validate parsed TOML into a Policy; raises PolicyError naming the field."""
    r = _Reader(source, data)
    kinds = r.names("billable.kinds", [k.value for k in SegmentKind])
    if SegmentKind.HOLD.value in kinds:
        raise r.fail("billable.kinds", "lists 'hold': passive hold is never billable (R4)")
    policy = Policy(
        version=r.text("version"),
        effective=r.day("effective"),
        included_minutes=r.integer("bank.included_minutes", 0, 100_000),
        grant_products=r.names("bank.grant_products", GRANT_PRODUCTS),
        increment_seconds=r.choice("rounding.increment_seconds", INCREMENTS),
        rounding_mode=r.choice("rounding.mode", ROUNDING_MODES),
        grace_seconds=r.integer("rounding.grace_seconds", 0, 3600),
        billable_kinds=frozenset(SegmentKind(k) for k in kinds),
        rate_cents_per_minute=r.integer("pay_per_minute.rate_cents_per_minute", 0, 1_000_000),
        block_minutes=r.integer("pay_per_minute.block_minutes", 1, 100_000),
        block_price_cents=r.integer("pay_per_minute.block_price_cents", 0, 100_000_000),
        settlement=r.choice("pay_per_minute.settlement", SETTLEMENTS),
        card_required=r.flag("pay_per_minute.card_required"),
        expiry_warning_days=r.integer("eligibility.expiry_warning_days", 0, 3650),
        max_call_minutes=r.integer("limits.max_call_minutes", 1, 7 * 24 * 60),
        confirm_blocks_over=r.integer("limits.confirm_blocks_over", 0, 1000),
    )
    if policy.grace_seconds >= policy.increment_seconds and policy.increment_seconds > 1:
        raise r.fail("rounding.grace_seconds", "must be shorter than the increment")
    return policy


def load_policy(path: Path) -> Policy:
    """Read and validate one policy file."""
    import tomllib  # only where policies are read: a process that never reads one skips it

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PolicyError(f"policy file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy {path.name} is not valid TOML ({exc}); fix the file") from None
    return parse_policy(data, path.name)


class PolicyBook:
    """Every known policy version; picks the one in force on a day (R12)."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self._by_version: dict[str, Policy] = {}
        for p in policies:
            if p.version in self._by_version:
                raise PolicyError(f"policy version {p.version} is defined twice")
            self._by_version[p.version] = p
        if not self._by_version:
            raise PolicyError("no policy file found; install qwtimer/resources/policies/*.toml")

    @classmethod
    def from_dir(cls, folder: Path) -> PolicyBook:
        return cls(load_policy(p) for p in sorted(folder.glob("*.toml")))

    def in_force(self, day: date) -> Policy:
        """The latest policy effective on or before ``day`` (the earliest if none is yet)."""
        ordered = sorted(self._by_version.values(), key=lambda p: p.effective)
        current = ordered[0]
        for p in ordered:
            if p.effective <= day:
                current = p
        return current

    def version(self, version: str) -> Policy:
        """The policy a past call was billed under; never substitutes another (R12)."""
        try:
            return self._by_version[version]
        except KeyError:
            raise PolicyError(
                f"policy version {version} is not installed; restore its file to "
                "qwtimer/resources/policies before re-billing calls made under it"
            ) from None

    def all(self) -> list[Policy]:
        return sorted(self._by_version.values(), key=lambda p: p.effective)
