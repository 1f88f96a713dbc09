"""What every app's demo data shares: one seeded random stream and clock, the federation's
planned sizes, and the registry through which each app adds its own five-year history.

The demo app (gonghui/demo) builds the federation city by city. For each city, inside one
transaction, it calls every registered contribution's `each_city(ctx)` in order: the
organisations app plans and saves the tree and employers (order 10), the members app
writes people, memberships, transfers and their history (20), the organisations app then
appoints officers from those members (30). A programme adds its own history the same way,
from its own demo.py, registered in its contributions.py:

    demo.registry.register(demo.DemoContribution(
        key="mutual_aid",
        each_city=build_enrolments_and_claims,  # reads ctx.city, writes with bulk_create
        counts=(demo.DemoCount("claims", "互助补助", lambda: Claim.objects.count(), order=40),),
        order=40,
    ))

Everything is drawn from ctx.rng, in the same order every run, so the same seed and date
give the same data. A contribution must draw from it only (never from `random` itself), and
adding one after the others leaves theirs unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from gonghui.core import demo_data as data
from gonghui.core.registry import Registry

REVIEW_START = date(2021, 1, 1)
REVIEW_END = date(2025, 12, 31)
EARLIEST_AS_OF = date(2021, 7, 1)  # the history needs some of the review period to fill
BATCH = 2000  # rows per bulk_create

Log = Callable[[str], None]


@dataclass(frozen=True)
class Targets:
    towns: int
    unions: int
    employers: int
    members: int


HAINING_TARGETS = Targets(towns=12, unions=1686, employers=3713, members=248_500)


def targets_for(scale: float) -> Targets:
    if scale <= 0:
        raise ValueError("scale must be positive")
    return Targets(
        towns=max(2, round(HAINING_TARGETS.towns * scale)),
        unions=max(4, round(HAINING_TARGETS.unions * scale)),
        employers=max(6, round(HAINING_TARGETS.employers * scale)),
        members=max(20, round(HAINING_TARGETS.members * scale)),
    )


def cities_for(scale: float) -> list[tuple[data.CitySpec, Targets]]:
    """Haining alone below scale 2; from there round(scale) county-level cities of a province."""
    if scale < 2:
        return [(data.HAINING, targets_for(scale))]
    n = round(scale)
    return [(_city_spec(i), targets_for(scale / n)) for i in range(n)]


def _city_spec(index: int) -> data.CitySpec:
    base = data.PROVINCE_CITIES[index % len(data.PROVINCE_CITIES)]
    rounds = index // len(data.PROVINCE_CITIES)
    if rounds == 0:
        return base
    # More cities than the table holds: a made-up twin, still registered under the real name.
    return data.CitySpec(f"{base.name}（{rounds + 1}）", f"{base.code}{rounds + 1}", (base.name, *base.old_names))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# --- places ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _county_codes() -> dict[tuple[str, str], list[str]]:
    """(province code, county name) -> region codes, from python-stdnum's own table, which
    gives each code's years of use (names carry [from-to] year ranges)."""
    table = Path(ric.__file__).with_name("loc.dat").read_text(encoding="utf-8")
    codes: dict[tuple[str, str], list[str]] = {}
    province = ""
    for line in table.splitlines():
        if line[:2].isdigit():
            province = line[:2]
        elif line.startswith("  ") and line[2:6].isdigit() and 'county="' in line:
            for part in line.split('county="', 1)[1].rstrip('"').split(","):
                name = part.split("]", 1)[-1]
                codes.setdefault((province, name), []).append(province + line[2:6])
    return codes


@cache
def region_code(names: tuple[tuple[str, str], ...], year: int) -> str:
    """A region code for a place under any of `names` that was in use in `year`, the year a
    number was issued (issue_year): people keep their number when the county is renamed or
    renumbered, so those issued before carry its old code, whatever their birth year's
    table says. Falls back to the province."""
    for key in names:
        for code in _county_codes().get(key, []):
            if ric.is_valid(_sample_id_number(code, year)):
                return code
    return names[0][0] + "0000"


FIRST_ISSUE = 1985  # the first identity numbers (15 digits)
BIRTH_NUMBERS = 1999  # GB 11643-1999: from then every resident, children too, has a number
_FIRST_ISSUE_YEARS = [y for y, _ in data.FIRST_ISSUE_YEARS]
_FIRST_ISSUE_CUM = _cumulative([w for _, w in data.FIRST_ISSUE_YEARS])


def issue_year(rng: random.Random, birth_year: int) -> int:
    """The year someone's identity number was first issued: for those already 16 in 1985, a
    year of the first round; for the next generation the year they turned 16, or a little
    later (rural registration offices were slow), and from 1999 at the latest, when numbers
    were given on the household register at any age; from then on, the year of birth."""
    if birth_year + 16 < FIRST_ISSUE:
        return rng.choices(_FIRST_ISSUE_YEARS, cum_weights=_FIRST_ISSUE_CUM)[0]
    return min(birth_year + 16 + rng.choice((0, 0, 0, 1, 1, 2, 3)), max(birth_year, BIRTH_NUMBERS))


def _sample_id_number(region: str, year: int) -> str:
    # An identity number born mid-year with sequence 1 (GB 11643: body, then check digit),
    # only to ask python-stdnum whether the region code was in use that year.
    body = f"{region}{year}0701003"
    return body + ric.calc_check_digit(body + "0")


# --- the context every contribution shares -------------------------------------------------------


@dataclass
class DemoContext:
    """The random stream, the clock and the shared number books of one demo build, and what
    the contributions have built so far (`root`, `first_town`, the current `city` plan, and
    `state` for an app's own bookkeeping across cities, under keys it prefixes with its name)."""

    seed: int
    as_of: date
    log: Log
    scale: float = 1.0
    province: bool = False  # from scale 2: a province root over several cities
    rng: random.Random = field(init=False)
    root: Any = None  # the top organisation, once saved
    first_town: Any = None  # the first city's first town (the demo sign-ins sit there)
    city_spec: Any = None  # the city being built: its demo_data.CitySpec and Targets
    city_targets: Any = None
    city_number: int = 0  # 1 for the first city
    cities: int = 1
    city: Any = None  # its plan, once made (organisations.demo.CityPlan)
    state: dict[str, Any] = field(default_factory=dict)
    people_made: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        # Offsets of the two number books every app draws from, in this order.
        self.mobiles = 0
        self.mobile_offset = self.rng.randrange(10**8)
        self.serials = 0
        self.serial_offset = self.rng.randrange(31**9)
        national = [w for _, w in data.SURNAMES]
        local = [w + data.LOCAL_SURNAME_BOOST.get(s, 0.0) for s, w in data.SURNAMES]
        extra = [s for s in data.LOCAL_SURNAME_BOOST if s not in dict(data.SURNAMES)]
        self.surnames = [s for s, _ in data.SURNAMES]
        self.national_cum = _cumulative(national)
        self.local_surnames = self.surnames + extra
        self.local_cum = _cumulative(local + [data.LOCAL_SURNAME_BOOST[s] for s in extra])
        self.homes = [h for h, _ in data.MIGRANT_HOMES]
        self.homes_cum = _cumulative([w for _, w in data.MIGRANT_HOMES])

    @property
    def stock_day(self) -> date:
        """The day the target sizes hold: the end of the review period (or as_of, if earlier).
        After it, until as_of, people keep joining, leaving and moving."""
        return min(self.as_of, REVIEW_END)

    def day(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def name(self, *, local: bool, sex: str) -> str:
        pool, cum = (self.local_surnames, self.local_cum) if local else (self.surnames, self.national_cum)
        surname = self.rng.choices(pool, cum_weights=cum)[0]
        last = self.rng.choice(data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE)
        if self.chance(0.15):
            return surname + last
        first = self.rng.choice(data.GIVEN_FIRST + (data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE))
        return surname + first + last

    def mobile(self) -> str:
        """A mobile number never handed out before in this build."""
        # Multiplying by a number prime to 10^8 walks all eight-digit endings without repeats.
        self.mobiles += 1
        ending = (self.mobiles * 61_803_399 + self.mobile_offset) % 10**8
        return f"{self.rng.choice(data.MOBILE_PREFIXES)}{ending:08d}"

    def serial(self) -> int:
        """A registration serial (nine characters of a 31-letter alphabet) never used before."""
        # Likewise for the nine-character serial, whose alphabet has 31 letters.
        self.serials += 1
        return (self.serials * 2_654_435_761 + self.serial_offset) % 31**9


# --- the registry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCount:
    """A line of seed_demo's summary: what was made, and how many."""

    key: str
    label: str
    count: Callable[[], int]
    order: int = 100


@dataclass(frozen=True)
class DemoContribution:
    key: str
    each_city: Callable[[DemoContext], None]  # called for every city, inside its transaction
    counts: tuple[DemoCount, ...] = ()
    order: int = 100


registry: Registry[DemoContribution] = Registry("demo data contributions")


def demo_counts() -> list[DemoCount]:
    """Every contribution's summary lines, in order."""
    return sorted((c for entry in registry.all() for c in entry.counts), key=lambda c: (c.order, c.key))
