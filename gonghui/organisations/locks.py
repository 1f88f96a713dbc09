"""Row locks on organisations. Every write that must not cross a union closing takes the
union's row here first, before any other row (see members/locks.py for the whole order);
several organisations are locked in primary-key order, so two requests locking the same
pair can never wait on each other. Employers come next (a closing moves its union's
employers; changing an employer's union locks that union, then the employer), also in
primary-key order. On SQLite, which has no row locks, a write transaction already excludes
the others."""

from gonghui.organisations.models import Employer, Organisation


def lock_organisations(*organisations: Organisation) -> list[Organisation]:
    """The organisations re-read under lock, in the order given.

    The lock is PostgreSQL's FOR NO KEY UPDATE: it excludes the same lock taken by another
    writer, but not the key-share lock that inserting a row which merely refers to the union
    takes (a membership event naming it as the counterpart of a transfer out). With a plain
    FOR UPDATE, a transfer out of a closing union would wait on the union while holding the
    membership the closing waits for. Django has no FOR SHARE, so writers into one union wait
    for each other too; each holds the lock for one short transaction (an import locks its
    union once, for its one save), and a closing must exclude them all anyway."""
    pks = sorted({org.pk for org in organisations})
    rows = Organisation.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
    locked = {org.pk: org for org in rows}
    return [locked[org.pk] for org in organisations]


def lock_organisation(organisation: Organisation) -> Organisation:
    return lock_organisations(organisation)[0]


def lock_employers_of(union: Organisation) -> list[Employer]:
    """The employers the union covers, locked in primary-key order, after the union itself.
    FOR NO KEY UPDATE, like the unions: a membership naming the employer may still be saved."""
    return list(Employer.objects.select_for_update(no_key=True).filter(union=union).order_by("pk"))


def lock_employer(employer: Employer) -> Employer:
    return Employer.objects.select_for_update(no_key=True).get(pk=employer.pk)
