from pathlib import Path

import polib
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def test_every_string_has_an_english_translation():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert (untranslated, fuzzy) == ([], [])


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    key = lambda e: (e.msgctxt or "", e.msgid)  # noqa: E731
    compiled = {key(e): e.msgstr or dict(e.msgstr_plural) for e in mo}
    source = {key(e): e.msgstr or {int(k): v for k, v in e.msgstr_plural.items()} for e in po if not e.obsolete}
    assert compiled == source, "run compilemessages after editing the .po file"


def test_member_pages_read_in_english(client, fed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(fed.town_a_staff)
    page = client.get(reverse("members:list")).content.decode()
    assert "Member search" in page and "Export to Excel" in page and "1 member" in page
    assert "Town federation staff" in page
    detail = client.get(reverse("members:detail", args=[fed.member_a1.person_id])).content.decode()
    assert "Membership history" in detail and "Joined" in detail and "会籍记录" not in detail


def test_refusals_read_in_english(client, fed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(fed.town_b_staff)
    response = client.get(reverse("members:detail", args=[fed.member_a1.person_id]))
    assert response.status_code == 404
    assert "Member not found, or not within your jurisdiction" in response.content.decode()
