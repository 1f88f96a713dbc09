"""The refusal sweep: every page and every API operation, opened by town A's officer (every
permission, fully signed in) and by a member of town A with the real ids of town B's rows,
shows none of town B's data (and the member none of another member's) and writes nothing
that is not the visitor's own. Town B's own officer and member, opening the same routes with
the same ids, reach their data on many of them, so the sweep is not vacuous.

The routes come from the URL resolver and the API's OpenAPI schema, so a route added later is
swept without editing this file. Its path parameters are filled by name from PARAM_KINDS
(which kinds of row a parameter names) and KINDS (where a visitor's foreign row of that kind
is); a route whose parameter has no entry fails the sweep with a message naming it. The
admin has its own sweep (test_admin_sweep.py) and is left out here."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import product
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Permission, User
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from django.utils.regex_helper import normalize
from openpyxl import load_workbook

from gonghui.accounts.models import SignedInSession
from gonghui.accounts.scopes import scope_for
from gonghui.accounts.tests.test_url_sweep import url_patterns
from gonghui.api import api
from gonghui.core.access import Role
from gonghui.core.audit import audit_record
from gonghui.core.figures import registry as figures
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.models import AuditEntry, Job, Notification
from gonghui.core.notifications import notify
from gonghui.enrolment.models import Application
from gonghui.enrolment.services import application_submit
from gonghui.members.exports import member_export_submit
from gonghui.members.models import ImportJob, ImportStatus, Membership, Person
from gonghui.members.selectors import MemberFilter
from gonghui.members.services import transfer_start
from gonghui.mutual_aid.member_claims import claim_file
from gonghui.mutual_aid.models import (
    BatchStatus,
    Claim,
    Enrolment,
    PaymentBatch,
    SchemeYear,
    SettlementBatch,
    SettlementRecordIssue,
)
from gonghui.mutual_aid.payments import payment_batch_create
from gonghui.mutual_aid.tests.claim_helpers import bill as claim_bill
from gonghui.mutual_aid.tests.claim_helpers import enrol
from gonghui.mutual_aid.tests.claim_helpers import photo as claim_photo
from gonghui.mutual_aid.tests.helpers import make_scheme
from gonghui.mutual_aid.tests.payment_helpers import approved_claim, give_account
from gonghui.mutual_aid.tests.payment_helpers import enrol as enrol_for_payment
from gonghui.organisations.models import Officer, OfficerRole, Organisation, OrganisationKind
from gonghui.privacy.models import Consent, ConsentCategory
from gonghui.privacy.services import consent_text_current
from gonghui.testing import Federation, make_member, make_user, new_id_number, new_mobile

# --- the foreign rows ----------------------------------------------------------------------


@dataclass
class Side:
    """Rows a visitor must not see: their ids by kind, and the strings that betray them."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    markers: set[str] = field(default_factory=set)

    def add(self, kind: str, *rows: models.Model) -> None:
        self.ids.setdefault(kind, []).extend(row.pk for row in rows)

    def person(self, person: Person) -> None:
        self.add("person", person)
        self.markers |= {person.name, person.id_number, mask_id_number(person.id_number)}
        self.markers |= {person.mobile, mask_mobile(person.mobile)}

    def merged(self, other: Side) -> Side:
        ids = {kind: self.ids.get(kind, []) + other.ids.get(kind, []) for kind in {*self.ids, *other.ids}}
        return Side(ids=ids, markers=self.markers | other.markers)


@dataclass
class World:
    fed: Federation
    town_b: Side  # what town A's officer and member must not see
    fellow: Side  # town A's rows of another member (and of its officers), hidden from the member
    member_b_user: User


def build_world(fed: Federation) -> World:
    world = World(fed=fed, town_b=town_b_rows(fed), fellow=fellow_rows(fed), member_b_user=member_b_user(fed))
    # A claim 李娜 filed with an invoice photo (mutual_aid.member_claims).
    world.town_b.add("claim", member_claim(fed, fed.member_b1, world.member_b_user, invoice="33048126050100000001"))
    return world


def town_b_rows(fed: Federation) -> Side:
    side = Side(markers={"许村", "HN-XC", "town_b", fed.employer_b1.uscc})
    union_b2 = add_union(fed.town_b, code="HN-XC-002", name="许村经编工会")
    side.add("organisation", fed.town_b, fed.union_b1, union_b2)
    side.add("employer", fed.employer_b1)
    side.add("membership", fed.member_b1)
    side.person(fed.member_b1.person)
    mover = make_member(union=fed.union_b1, name="赵磊", employer=fed.employer_b1)
    side.person(mover.person)
    side.add("membership", mover)
    side.add("transfer", pending_transfer(mover, to_union=union_b2, officer=fed.town_b_staff))
    side.add("import_job", rejected_import(fed.union_b1, filename="许村家纺花名册.xlsx", name="赵磊"))
    applicant = application(union=fed.union_b1, name="孙丽", employer="许村家纺有限公司")
    side.add("application", applicant)
    side.markers |= {applicant.name, applicant.id_number, applicant.mobile, mask_id_number(applicant.id_number)}
    side.add("notification", inbox_message(fed.town_b_staff, "李娜的转接待确认"))
    side.add("consent", consent(fed.member_b1.person))
    side.add("officer", officer(fed.union_b1, name="钱秀英"))
    side.markers.add("钱秀英")
    side.add("user", fed.town_b_staff)
    side.add("job", member_export(fed.town_b_staff))
    batch = settlement_batch(fed, filename="许村家纺医保结算2026-05.csv")
    side.add("settlement_batch", batch)
    side.markers.add(batch.filename)
    side.add("payment_batch", payment_batch_paying(fed, fed.member_b1))
    audit_record(actor=fed.town_b_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=fed.member_b1.person)
    return side


def fellow_rows(fed: Federation) -> Side:
    """Another member of the same union as the member persona, with the rows around them."""
    side = Side(markers={"皮革城花名册"})
    fellow = make_member(union=fed.union_a1, name="陈静", employer=fed.employer_a1, sex="F")
    side.person(fellow.person)
    side.add("membership", fellow)
    side.add("transfer", pending_transfer(fellow, to_union=fed.union_a2, officer=fed.town_a_staff))
    side.add("import_job", rejected_import(fed.union_a1, filename="皮革城花名册.xlsx", name="陈静"))
    applicant = application(union=fed.union_a1, name="周敏", employer="海宁中国皮革城股份有限公司")
    side.add("application", applicant)
    side.markers |= {applicant.name, applicant.id_number, applicant.mobile, mask_id_number(applicant.id_number)}
    # A message to one of town A's officers: not the member's to read.
    side.add("notification", inbox_message(fed.union_a1_officer, "陈静的转接待确认"))
    side.add("consent", consent(fellow.person))
    side.add("officer", officer(fed.union_a1, name="吴桂兰"))
    side.markers.add("吴桂兰")
    side.add("user", fed.union_a1_officer)
    side.add("job", member_export(fed.union_a1_officer))
    side.add("payment_batch", payment_batch(fed, fed.town_a))
    audit_record(actor=fed.town_a_staff, action=AuditEntry.Action.VIEW_SENSITIVE, subject=fellow.person)
    fellow_user = make_user("chen_jing", role=Role.MEMBER, person=fellow.person)
    side.add("claim", member_claim(fed, fellow, fellow_user, invoice="33048126050100000002"))
    return side


def add_union(town: Organisation, *, code: str, name: str) -> Organisation:
    town.refresh_from_db()
    kind = OrganisationKind.ENTERPRISE_UNION
    return Organisation.objects.add_child(town, instance=Organisation(code=code, name=name, kind=kind))


def pending_transfer(membership: Membership, *, to_union: Organisation, officer: User) -> Any:
    return transfer_start(scope=scope_for(officer), membership=membership, to_union=to_union, on=date(2025, 3, 1))


def rejected_import(union: Organisation, *, filename: str, name: str) -> ImportJob:
    error = {"row": 2, "column": "身份证号", "message": f"{name}：身份证号校验位错误"}
    return ImportJob.objects.create(
        union=union, filename=filename, status=ImportStatus.REJECTED, error_count=1, errors=[error], total_rows=1
    )


def application(*, union: Organisation, name: str, employer: str) -> Application:
    number, mobile = new_id_number(sex="F"), new_mobile()
    return application_submit(
        union_code=union.code,
        name=name,
        id_number=number,
        mobile=mobile,
        employer_name=employer,
        consented=True,
        client_ip=None,
    )


def inbox_message(user: User, title: str) -> Notification:
    return notify(users=[user], kind="members.transfer_pending", title=title, body=title, link="/members/transfers/")[0]


def consent(person: Person) -> Consent:
    text = consent_text_current(category=ConsentCategory.HEALTH)
    return Consent.objects.create(person=person, category=ConsentCategory.HEALTH, text=text, given_at=timezone.now())


def officer(union: Organisation, *, name: str) -> Officer:
    return Officer.objects.create(organisation=union, role=OfficerRole.CHAIR, name=name, phone=new_mobile())


def member_export(user: User) -> Job:
    """A finished export of the user's whole member list: its file names their members."""
    return member_export_submit(scope=scope_for(user), filters=MemberFilter())


def settlement_batch(fed: Federation, *, filename: str) -> SettlementBatch:
    """Town B's adjudicated settlement file, with a record it could not match."""
    scheme = SchemeYear.objects.filter(federation=fed.city, year=2026).first() or make_scheme(fed)
    batch = SettlementBatch.objects.create(
        scheme_year=scheme,
        organisation=fed.town_b,
        scope_path=fed.town_b.path,
        uploaded_by=fed.town_b_staff,
        filename=filename,
        status=BatchStatus.DONE,
        record_count=1,
        issue_count=1,
    )
    SettlementRecordIssue.objects.create(
        batch=batch,
        row=2,
        settlement_number="ZY202605180021",
        name="孙丽",
        reason=9,
        message="%(name)s 未参加本年度互助保障（或不在本辖区参保）",
        params={"name": "孙丽", "number": "ZY202605180021", "on": "2026-05-18"},
    )
    return batch


def member_claim(fed: Federation, membership: Membership, user: User, *, invoice: str) -> Claim:
    """A claim the member filed, with a photo, for 2026's scheme (made once)."""
    scheme = SchemeYear.objects.filter(federation=fed.city, year=2026).first() or make_scheme(fed)
    if not Enrolment.objects.filter(person=membership.person, scheme_year=scheme).exists():
        enrol(membership, scheme)
    return claim_file(scope=scope_for(user), bill=claim_bill(invoice_number=invoice), photos=[claim_photo()])


def payment_batch(fed: Federation, town: Organisation) -> PaymentBatch:
    """A town's mutual-aid payment batch, empty."""
    return PaymentBatch.objects.create(federation=fed.city, organisation=town, scope_path=town.path)


def payment_batch_paying(fed: Federation, membership: Membership) -> PaymentBatch:
    """A town's mutual-aid payment batch paying the member's approved claim (its page names them)."""
    scheme = SchemeYear.objects.filter(federation=fed.city, year=2026).first() or make_scheme(fed)
    enrolment = Enrolment.objects.filter(person=membership.person, scheme_year=scheme).first()
    approved_claim(enrolment or enrol_for_payment(scheme, membership), "3200.00")
    give_account(membership, "6228480328012345678")
    town = Organisation.objects.get_parent(membership.union)
    return payment_batch_create(scope=scope_for(make_user(f"pay_{town.code}", role=Role.TOWN, organisation=town)))


def member_b_user(fed: Federation) -> User:
    return make_user("member_b1", role=Role.MEMBER, person=fed.member_b1.person)


# --- filling path parameters ---------------------------------------------------------------

# Which kinds of row a path parameter names, by the parameter's name (a kind is a key of
# Side.ids: town_b_rows() and fellow_rows() make the rows). Values that are not rows (a
# figure's name, a consent category, a file format) are listed as they are in VALUES.
PARAM_KINDS: dict[str, tuple[str, ...]] = {
    "person_id": ("person",),
    "membership_id": ("membership",),
    "org_id": ("organisation",),
    "organisation_id": ("organisation",),
    "union_id": ("organisation",),
    "employer_id": ("employer",),
    "transfer_id": ("transfer",),
    "job_id": ("job",),
    "import_id": ("import_job",),
    "application_id": ("application",),
    "notification_id": ("notification",),
    "consent_id": ("consent",),
    "officer_id": ("officer",),
    "user_id": ("user",),
    "batch_id": ("settlement_batch",),
    "claim_id": ("claim",),
}
# Where a parameter's name alone does not say (a page's `pk`), the part of the site does: the
# entry with the longest prefix of the route's path wins over PARAM_KINDS.
KINDS_BY_PREFIX: dict[tuple[str, str], tuple[str, ...]] = {
    ("pk", "/members/transfers/"): ("transfer",),
    ("pk", "/members/import/"): ("import_job",),
    ("pk", "/members/"): ("person",),
    ("pk", "/organisations/"): ("organisation",),
    ("pk", "/join/applications/"): ("application",),
    ("pk", "/notifications/"): ("notification",),
    ("pk", "/jobs/"): ("job",),
    ("pk", "/mutual-aid/payments/"): ("payment_batch",),
    ("job_id", "/api/v1/imports/"): ("import_job",),
}
VALUES: dict[str, Callable[[], list[str]]] = {
    "name": lambda: [figure.name for figure in figures.all()],
    "category": lambda: list(ConsentCategory.values),
    "fmt": lambda: ["xlsx", "csv"],
    # A mutual-aid scheme is its city's, named by year and rule version (city staff only).
    "year": lambda: ["2026"],
    "version": lambda: ["1"],
    "photo": lambda: ["1"],  # a claim's first invoice photo
}
# Query parameters of the API that take a row's id; the others are optional filters.
QUERY_KINDS: dict[str, str] = {
    "union": "organisation",
    "organisation": "organisation",
    "parent": "organisation",
    "employer": "employer",
    "person_id": "person",
}


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # the path with "{param}" where a parameter goes
    params: tuple[str, ...]
    methods: tuple[str, ...]
    query: tuple[str, ...] = ()  # the API's id-taking query parameters
    json_body: bool = False


@dataclass(frozen=True)
class Call:
    route: Route
    method: str
    path: str
    kinds: frozenset[str]  # the kinds of row whose ids are in the path
    json_body: bool


class UnfilledParameter(AssertionError):
    pass


def page_routes() -> Iterator[Route]:
    for regex, name in url_patterns(get_resolver()):
        if name.startswith(("admin:", "api:")) or regex.startswith("admin/"):
            continue  # the admin has its own sweep; the API is read from its schema below
        for template, params in normalize(regex):
            yield Route(name, "/" + template.replace("%(", "{").replace(")s", "}"), tuple(params), ("get", "post"))


def api_routes() -> Iterator[Route]:
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            params = tuple(p["name"] for p in parameters if p["in"] == "path")
            query = tuple(p["name"] for p in parameters if p["in"] == "query" and p["name"] in QUERY_KINDS)
            body = "requestBody" in operation
            yield Route(f"api:{operation['operationId']}", path, params, (method,), query, body)


def every_route() -> list[Route]:
    return [*page_routes(), *api_routes()]


def candidates(param: str, route: Route, side: Side) -> list[tuple[str, frozenset[str]]]:
    if param in VALUES:
        return [(value, frozenset()) for value in VALUES[param]()]
    kinds = param_kinds(param, route)
    if not kinds:
        raise UnfilledParameter(
            f"{route.name} ({route.template}) takes a parameter {param!r} the refusal sweep cannot fill: add it to"
            " PARAM_KINDS (the kinds of row it names; a page's pk: its path to KINDS_BY_PREFIX) or to VALUES"
            " in gonghui/core/tests/test_refusal_sweep.py, and make such a row for town B in town_b_rows()"
        )
    if missing := [kind for kind in kinds if not side.ids.get(kind)]:
        raise UnfilledParameter(
            f"{route.name} ({route.template}) takes a {param!r} of kind {missing}, but the refusal sweep has no"
            " such row: make one for town B in town_b_rows() (and for another member in fellow_rows())"
        )
    return [(str(pk), frozenset({kind})) for kind in kinds for pk in side.ids[kind]]


def param_kinds(param: str, route: Route) -> tuple[str, ...]:
    prefixes = [prefix for name, prefix in KINDS_BY_PREFIX if name == param and route.template.startswith(prefix)]
    if prefixes:
        return KINDS_BY_PREFIX[(param, max(prefixes, key=len))]
    return PARAM_KINDS.get(param, ())


def calls(route: Route, side: Side) -> Iterator[Call]:
    options = [candidates(param, route, side) for param in route.params]
    for choice in product(*options):
        path = route.template
        for param, (value, _) in zip(route.params, choice, strict=True):
            path = path.replace("{" + param + "}", value)
        kinds = frozenset().union(*(kinds for _, kinds in choice))
        for method in route.methods:
            yield Call(route, method, path, kinds, route.json_body)
            if route.query and method == "get":
                query = "&".join(f"{name}={side.ids[QUERY_KINDS[name]][0]}" for name in route.query)
                yield Call(route, method, f"{path}?{query}", kinds | {QUERY_KINDS[n] for n in route.query}, False)


def send(client: Client, call: Call) -> Any:
    if call.json_body:
        return getattr(client, call.method)(call.path, {}, content_type="application/json")
    return getattr(client, call.method)(call.path)


# --- reading an answer ---------------------------------------------------------------------

SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def answer_text(response: Any) -> str:
    """Everything the answer shows a reader: its headers, and its body as text (a JSON body
    with its escapes undone, a workbook's cells)."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    if kind.startswith(SPREADSHEET) or raw.startswith(b"PK\x03\x04"):
        return headers + workbook_text(raw)
    if kind.startswith("application/json") and raw:
        return headers + json.dumps(json.loads(raw), ensure_ascii=False)
    return headers + raw.decode("utf-8", errors="replace")


def workbook_text(raw: bytes) -> str:
    book = load_workbook(io.BytesIO(raw), read_only=True)
    cells = (cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)
    return " ".join(str(cell) for cell in cells if cell is not None)


# --- what was written ----------------------------------------------------------------------

# Signing in writes sessions; a refusal is audited (the audit log is append-only and swept by
# the admin sweep); the sign-in guard counts attempts.
UNWATCHED = {Session, SignedInSession, AuditEntry, AccessAttempt, AccessLog, AccessFailureLog}


def database_rows() -> dict[tuple[str, Any], str]:
    """A digest of every row of every table (many-to-many links too), by model and key. Read
    in plain SQL: through the ORM each sealed field would be decrypted, hundreds of times a
    sweep, for a comparison the ciphertext serves as well."""
    rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model in UNWATCHED or model._meta.proxy or not model._meta.managed:
                continue
            cursor.execute(f"SELECT {quote(str(model._meta.pk.column))}, * FROM {quote(model._meta.db_table)}")
            for row in cursor.fetchall():
                rows[(model._meta.label, row[0])] = digest(row)
    return rows


def digest(row: tuple[Any, ...]) -> str:
    values = (bytes(value) if isinstance(value, memoryview) else value for value in row)
    return hashlib.blake2b(repr(tuple(values)).encode(), digest_size=16).hexdigest()


def own_row(key: tuple[str, Any], user: User) -> bool:
    """A row whose every link to a person or a user leads to the visitor (a member's own
    consent, an officer's own inbox message read): the visitor may change their own rows."""
    label, pk = key
    model = apps.get_model(label)
    row = model._base_manager.filter(pk=pk).values().first()
    if row is None:
        return False
    person_id = getattr(getattr(user, "account", None), "person_id", None)
    links = []
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey) and model_field.related_model in (Person, User):
            value = row[model_field.attname]
            if value is not None:
                links.append(value == (person_id if model_field.related_model is Person else user.pk))
    return bool(links) and all(links)


def foreign_writes(before: dict, after: dict, user: User) -> list[tuple[str, Any]]:
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return sorted((key for key in changed if not own_row(key, user)), key=str)


# --- the sweep -----------------------------------------------------------------------------

ANSWERS = {200, 201, 202, 204, 302, 400, 401, 403, 404, 405, 409}


@dataclass
class Sweep:
    leaks: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    odd: list[str] = field(default_factory=list)
    reached: dict[str, set[str]] = field(default_factory=dict)  # route name -> kinds seen in it
    sent: int = 0


def signed_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def sweep(user: User, side: Side, routes: list[Route]) -> Sweep:
    """Every call of every route as `user`, a visitor to whom `side` is foreign: what it
    showed of `side`, what it wrote that is not the visitor's own, and odd answers."""
    client = signed_in(user)
    result = Sweep()
    before = database_rows()
    for route in routes:
        for call in calls(route, side):
            response = send(client, call)
            result.sent += 1
            label = f"{call.method.upper()} {call.path} ({route.name}) -> {response.status_code}"
            text = answer_text(response)
            if shown := sorted(marker for marker in side.markers if marker in text):
                result.leaks.append(f"{label}: {shown}")
            elif response.status_code not in ANSWERS:
                result.odd.append(label)
            after = database_rows()
            if written := foreign_writes(before, after, user):
                result.writes.append(f"{label}: {written}")
            before = after
            if "_auth_user_id" not in client.session:  # the sweep signed itself out
                client = signed_in(user)
                before = database_rows()  # signing in again notes the time on the user
    return result


def reach(user: User, side: Side, routes: list[Route]) -> Sweep:
    """The control: the routes on which `user`, to whom `side` belongs, is shown its rows
    (a page is read, not posted to)."""
    client = signed_in(user)
    result = Sweep()
    # What every page shows of the visitor (their name, their union) proves nothing.
    markers = side.markers - shown_anywhere(client, side.markers)
    for route in routes:
        for call in calls(route, side):
            if call.method == "post" and "get" in route.methods:
                continue
            response = send(client, call)
            result.sent += 1
            if response.status_code != 200:
                continue
            text = answer_text(response)
            if any(marker in text for marker in markers):
                result.reached.setdefault(route.name, set()).update(call.kinds)
    return result


def shown_anywhere(client: Client, markers: set[str]) -> set[str]:
    text = answer_text(client.get("/refusal-sweep/no-such-page/"))
    return {marker for marker in markers if marker in text}


def with_every_permission(user: User) -> User:
    user.user_permissions.set(Permission.objects.all())
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(fed: Federation) -> World:
    return build_world(fed)


def assert_clean(result: Sweep) -> None:
    report = [
        *(f"shows foreign data: {leak}" for leak in result.leaks),
        *(f"writes foreign rows: {write}" for write in result.writes),
        *(f"unexpected answer: {odd}" for odd in result.odd),
    ]
    assert report == [], "\n".join(report)


def test_town_a_officer_with_every_permission_finds_nothing_of_town_b(world: World) -> None:
    result = sweep(with_every_permission(world.fed.town_a_staff), world.town_b, every_route())
    assert_clean(result)
    assert result.sent > 150


def test_a_member_finds_nothing_of_town_b_nor_of_another_member(world: World) -> None:
    result = sweep(with_every_permission(world.fed.member_user), world.town_b.merged(world.fellow), every_route())
    assert_clean(result)
    assert result.sent > 150


def test_town_b_reaches_its_own_rows_on_the_same_routes(world: World) -> None:
    """The control: the ids are real and the routes answer, so the refusals above mean something."""
    routes = every_route()
    officer = reach(with_every_permission(world.fed.town_b_staff), world.town_b, routes)
    member = reach(world.member_b_user, world.town_b, routes)
    reached = {**member.reached, **officer.reached}
    assert len(reached) >= 30, sorted(reached)
    # Each kind of row a route's path takes opened at least one route with town B's id.
    kinds_in_paths = {kind for route in routes for call in calls(route, world.town_b) for kind in call.kinds}
    kinds_reached = set().union(*officer.reached.values(), *member.reached.values())
    assert kinds_in_paths - kinds_reached == set()
    pages = {"members:detail", "organisations:detail", "enrolment:detail", "members:import_job", "job_download"}
    assert pages <= set(reached)


def test_a_route_with_a_parameter_the_sweep_cannot_fill_fails_it() -> None:
    route = Route("hardship:detail", "/hardship/{case_id}/", ("case_id",), ("get",))
    with pytest.raises(UnfilledParameter, match="case_id.*PARAM_KINDS"):
        list(calls(route, Side(ids={"person": [1]})))
    route = Route("members:membership", "/members/memberships/{membership_id}/", ("membership_id",), ("get",))
    with pytest.raises(UnfilledParameter, match="'membership'.*town_b_rows"):
        list(calls(route, Side(ids={"person": [1]})))
