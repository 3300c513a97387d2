"""Every admin page a secretariat member can reach by following links reads as Thai, not as the machine.

The crawler starts at the home page of the loaded demo (FY 2564's recorded evidence, the programme's points,
groups and units), follows every same-site link under /admin/ that a GET may open, and reads each page's
visible text: no ISO dates or times, no Python values (None, True, False, {...}), no English codes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from bot import demo
from models import Role
from tests.test_admin_support import login, make_staff

# what a Thai reader should never see on a page
MACHINE = {
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "an ISO time": re.compile(r"T\d{2}:\d{2}"),
    "a Python value": re.compile(r"\b(None|True|False)\b|\{'|'\}"),
    # a letter template's {placeholder} is the syntax the clerk edits, each one explained in Thai beside it
    "a code with an underscore or hyphen": re.compile(r"(?<!\{)\b[a-z]+(?:[_-][a-z0-9]+)+\b(?!\})"),
    "a fiscal quarter code": re.compile(r"\b25\d\d-Q\d\b"),
    "days as a decimal": re.compile(r"\b\d+\.\d+ วัน"),
    "an English error": re.compile(r"Bad Request|Not Found|Internal Server Error|Method Not Allowed"),
}
SKIP_PATH = re.compile(r"\.(docx|pdf|xlsx|csv|zip|png|jpg|json)$|/media/|/photos/|/files/|/vendor/|/logout")
# words FieldLine's own Thai uses on purpose: product and platform names, units of measure
ALLOWED = {"line-bot-sdk"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Page(HTMLParser):
    """The visible text and the links of one HTML page."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        elif self._hidden or "data-technical" in dict(attrs):  # the audit log's verbatim detail, kept for forensics
            self._hidden += 1 if tag not in VOID else 0
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if self._hidden and tag not in VOID:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _crawl(client, start: str = "/admin/", limit: int = 160) -> tuple[dict[str, list[str]], int]:
    """Follow same-site admin links breadth first; return each page's machine words and how many pages were read."""
    seen, queue, found = {start}, [start], {}
    while queue and len(seen) <= limit:
        path = queue.pop(0)
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if not response.content_type.startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        text = " ".join(page.text)
        problems = [
            f"{what}: …{text[max(0, match.start() - 30) : match.end() + 10]}…"
            for what, pattern in MACHINE.items()
            for match in pattern.finditer(text)
            if match.group(0) not in ALLOWED
        ]
        if problems:
            found[path] = problems
        for href in page.links:
            target = urlsplit(urljoin(path, href))
            if target.netloc or not target.path.startswith("/admin/") or SKIP_PATH.search(target.path):
                continue
            # one page per list is enough: each paging or filter variant shows the same kind of rows
            key = target.path + ("?" + target.query if target.query and "page=" not in target.query else "")
            if key not in seen and len(seen) < limit:
                seen.add(key)
                queue.append(key)
    return found, len(seen)


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN])
def test_every_page_reached_from_home_reads_as_thai(services, client, role):
    with services.sessions.begin() as session:
        demo.load(session)
    make_staff(services, "crawler", role)
    assert login(client, "crawler").status_code == 302
    found, pages = _crawl(client)
    assert pages > 40  # the crawl reached the pages, not only the home page
    summary = sorted({(path.split("?")[0], problem) for path, problems in found.items() for problem in problems})
    assert summary == [], "\n".join(f"{path}: {problem}" for path, problem in summary)


def test_a_clerk_adds_a_category_an_occupation_and_an_agency_by_name_and_never_invents_a_code(services, client):
    from sqlalchemy import select

    from models import Occupation, ReportCategory
    from models.workgroup import Agency
    from tests.test_admin_support import post_form

    make_staff(services, "clerk", Role.ADMIN)
    assert login(client, "clerk").status_code == 302
    settings = "/admin/network/settings"
    page = client.get(settings).get_data(as_text=True)
    assert 'name="code"' not in page and "รหัส" not in page  # the form asks for names only
    for path, name in (("/admin/network/categories", "การค้ามนุษย์"), ("/admin/network/occupations", "คนขับแท็กซี่")):
        answer = post_form(client, path, {"name": name, "sort_order": "90", "is_active": "1"}, form_page=settings)
        assert answer.status_code == 302
    agencies = "/admin/workgroup/agencies"
    assert 'name="code"' not in client.get(agencies).get_data(as_text=True)
    for name in ("สถานีตำรวจนครบาลชนะสงคราม", "สำนักงานตรวจคนเข้าเมือง ด่านท่าเรือ"):
        answer = post_form(client, agencies, {"name": name, "kind": "outside", "is_active": "1"}, form_page=agencies)
        assert answer.status_code == 302
    with services.sessions() as session:
        category = session.scalar(select(ReportCategory).where(ReportCategory.name == "การค้ามนุษย์"))
        occupation = session.scalar(select(Occupation).where(Occupation.name == "คนขับแท็กซี่"))
        made = session.scalars(select(Agency.code).where(Agency.name.like("สถานีตำรวจ%") | Agency.name.like("สำนักงาน%")))
        codes = list(made)
    assert category.code.startswith("category_") and occupation.code.startswith("occupation_")
    assert len(codes) == 2 and len(set(codes)) == 2 and all(code.startswith("agency-") for code in codes)
