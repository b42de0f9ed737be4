"""The sandbox's HTML pages: courses and their structure, launches, records, log.

Plain server-rendered HTML without scripts: forms post to the sandbox and a
launch form opens the AU in a new window (``target="_blank"``). Every text
that came from a package, a learner or an AU is escaped.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from aiccbridge.sandbox._engine import CREDITS, LESSON_MODES
from aiccbridge.sandbox._importing import ImportResult
from aiccbridge.sandbox._profiles import PROFILES, LmsProfile
from aiccbridge.sandbox._store import Course, Exchange, Learner, Record

__all__ = [
    "course_page",
    "import_page",
    "index_page",
    "log_page",
    "message_page",
    "profiles_page",
    "record_page",
]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;
padding:.25em .5em;text-align:left;vertical-align:top}pre{background:#f5f5f5;
padding:.5em;overflow:auto;max-width:70em}form{margin:.5em 0}nav a{margin-right:1em}
.error{color:#a00}.warning{color:#a60}.note{color:#555}fieldset{margin:.5em 0}
"""


def _page(title: str, *body: str) -> str:
    nav = (
        '<nav><a href="/">Sandbox LMS</a><a href="/log">Exchange log</a>'
        '<a href="/profiles">Profiles</a><a href="/api/courses">JSON</a></nav>'
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"{nav}<h1>{escape(title)}</h1>{''.join(body)}</body></html>"
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _options(values: Iterable[str], chosen: str | None, blank: str = "") -> str:
    items = [f"<option value=''>{escape(blank)}</option>"] if blank else []
    for value in values:
        selected = " selected" if value == chosen else ""
        items.append(f"<option{selected}>{escape(value)}</option>")
    return "".join(items)


def _link(href: str, text: str) -> str:
    return f"<a href='{escape(href)}'>{escape(text)}</a>"


def _course_href(course_id: str) -> str:
    return "/courses/" + quote(course_id, safe="")


def _record_href(record: Record) -> str:
    query = {
        "student": record.student_id,
        "course": record.course_id,
        "au": record.au_id,
    }
    return "/record?" + urlencode(query)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _score(record: Record) -> str:
    score = record.score
    if score is None:
        return ""
    parts = [
        f"{part:g}" for part in (score.raw, score.max, score.min) if part is not None
    ]
    return escape(", ".join(parts))


def _when(stamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# ------------------------------------------------------------------ index


def index_page(
    default: LmsProfile, courses: list[Course], records: list[Record]
) -> str:
    """The front page: sandbox profile, upload, courses, a launch form, records."""
    return _page(
        "Sandbox LMS",
        _profile_form(default),
        _upload_form(),
        "<h2>Courses</h2>",
        _courses_table(courses) if courses else "<p>No course imported yet.</p>",
        _launch_form(courses, None) if courses else "",
        "<h2>Records</h2>",
        _records_table(records) if records else "<p>Nothing recorded yet.</p>",
    )


def _profile_form(default: LmsProfile) -> str:
    return (
        "<form method='post' action='/profile'><label>LMS profile of this sandbox "
        f"<select name='profile'>{_options(PROFILES, default.name)}</select></label> "
        "<button>Switch</button> <a href='/profiles'>what each profile does</a>"
        "</form>"
    )


def _upload_form() -> str:
    return (
        "<h2>Import a package</h2><form method='post' action='/courses' "
        "enctype='multipart/form-data'><input type='file' name='package' "
        "accept='.zip' multiple required> <label>profile <select name='profile'>"
        f"{_options(PROFILES, None, blank='(sandbox profile)')}</select></label> "
        "<button>Import</button></form>"
    )


def _courses_table(courses: list[Course]) -> str:
    rows = [
        [
            _link(_course_href(c.course_id), c.course_id),
            escape(c.title),
            str(len(c.aus)),
            escape(c.profile or "(sandbox)"),
            str(c.revision),
        ]
        for c in courses
    ]
    return _table(["Course", "Title", "AUs", "Profile", "Revision"], rows)


def _launch_form(courses: list[Course], course: Course | None) -> str:
    if course is None:
        target = "<label>course <select name='course_id'>"
        target += _options((c.course_id for c in courses), None) + "</select></label>"
    else:
        target = (
            f"<input type='hidden' name='course_id' value='{escape(course.course_id)}'>"
        )
        ids = [au["system_id"] for au in course.aus]
        target += (
            f"<label>AU <select name='au_id'>{_options(ids, None)}</select></label>"
        )
    return (
        "<h2>Launch</h2><form method='post' action='/launch' target='_blank'>"
        f"{target} <label>Student_ID <input name='student_id' value='learner-1' "
        "required></label> <label>name <input name='student_name' "
        "value='Learner, Ann' required></label> <label>mode <select "
        f"name='lesson_mode'>{_options(LESSON_MODES, 'normal')}</select></label> "
        f"<label>credit <select name='credit'>{_options(CREDITS, 'credit')}"
        "</select></label> <button>Launch in a new window</button></form>"
    )


def _records_table(records: list[Record]) -> str:
    rows = [
        [
            _link(_record_href(r), r.student_id),
            _link(_course_href(r.course_id), r.course_id),
            escape(r.au_id),
            escape(r.status),
            _score(r),
            _clock(r.total_seconds),
            escape(r.location),
            str(r.attempts),
        ]
        for r in records
    ]
    header = ["Learner", "Course", "AU", "Status", "Score", "Time", "Location"]
    return _table([*header, "Sessions"], rows)


# ------------------------------------------------------------------ course


def course_page(course: Course, profile: LmsProfile, records: list[Record]) -> str:
    """One course: settings, course structure, launch form, diagnostics, records."""
    facts = _table(
        ["Course_ID", "Version", "Source", "Revision", "Profile"],
        [
            [
                escape(course.course_id),
                escape(course.version),
                escape(course.source),
                str(course.revision),
                escape(profile.name + ("" if course.profile else " (sandbox)")),
            ]
        ],
    )
    return _page(
        course.title,
        facts,
        _course_profile_form(course),
        "<h2>Course structure</h2>",
        _structure(course),
        _launch_form([course], course) if not course.retired else "<p>Retired.</p>",
        "<h2>Diagnostics</h2>",
        _diagnostics(course.diagnostics),
        "<h2>Records</h2>",
        _records_table(records) if records else "<p>Nothing recorded yet.</p>",
    )


def _course_profile_form(course: Course) -> str:
    action = _course_href(course.course_id) + "/profile"
    options = _options(PROFILES, course.profile, blank="(sandbox profile)")
    return (
        f"<form method='post' action='{escape(action)}'><label>profile of this "
        f"course <select name='profile'>{options}</select></label> "
        "<button>Set</button></form>"
    )


def _structure(course: Course) -> str:
    blocks = {row["block"].lower(): row for row in course.structure}
    seen: set[str] = set()
    tree = _members(course, blocks, blocks.get("root", {}).get("members", []), seen)
    loose = [au for au in course.aus if au["system_id"].lower() not in seen]
    extra = ""
    if loose:
        extra = "<p>Outside the structure:</p>" + _au_list(course, loose)
    return f"<ul><li>Root{tree}</li></ul>{extra}"


def _members(
    course: Course, blocks: dict[str, Any], members: list[str], seen: set[str]
) -> str:
    items = []
    for member in members:
        if member.lower() in seen:
            continue
        seen.add(member.lower())
        au = course.au(member)
        if au is not None:
            items.append(_au_item(course, au))
            continue
        title = course.titles.get(member.lower(), "")
        inner = _members(
            course, blocks, blocks.get(member.lower(), {}).get("members", []), seen
        )
        items.append(f"<li>block {escape(member)} {escape(title)}{inner}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _au_list(course: Course, aus: list[dict[str, str]]) -> str:
    return "<ul>" + "".join(_au_item(course, au) for au in aus) + "</ul>"


def _au_item(course: Course, au: dict[str, str]) -> str:
    title = course.titles.get(au["system_id"].lower(), "")
    return (
        f"<li>AU {escape(au['system_id'])} <b>{escape(title)}</b> "
        f"<code>{escape(au['file_name'])}</code></li>"
    )


def _diagnostics(diagnostics: list[dict[str, Any]]) -> str:
    if not diagnostics:
        return "<p>None.</p>"
    rows = [
        [
            f"<span class='{escape(d['severity'])}'>{escape(d['severity'])}</span>",
            escape(d["code"]),
            escape(d["file"] + (f":{d['line']}" if d.get("line") else "")),
            escape(d["message"]),
        ]
        for d in diagnostics
    ]
    return _table(["Severity", "Code", "File", "Message"], rows)


def import_page(results: list[ImportResult]) -> str:
    """What happened to each uploaded package."""
    parts = []
    for result in results:
        name = result.course.course_id if result.course else result.source
        head = f"<h2>{escape(result.source)}: {escape(result.action)}</h2>"
        link = _link(_course_href(name), name) if result.course else ""
        reason = (
            f"<p class='error'>{escape(result.reason)}</p>" if result.reason else ""
        )
        parts.append(head + link + reason + _diagnostics(list(result.diagnostics)))
    return _page("Import", *parts, "<p><a href='/'>Back</a></p>")


# ------------------------------------------------------------------ records


def record_page(
    record: Record,
    learner: Learner | None,
    tables: dict[str, list[dict[str, str]]],
    exchanges: list[Exchange],
) -> str:
    """Everything recorded for one learner and AU, with its HACP exchanges."""
    name = learner.name if learner else record.student_id
    facts = _table(
        ["Status", "Score", "Time", "Location", "Last exit", "Sessions"],
        [
            [
                escape(record.status),
                _score(record),
                _clock(record.total_seconds),
                escape(record.location),
                escape(record.last_exit or ""),
                str(record.attempts),
            ]
        ],
    )
    return _page(
        f"{name}: {record.course_id} / {record.au_id}",
        facts,
        "<h2>Core lesson data</h2>",
        f"<pre>{escape(record.core_lesson)}</pre>",
        "<h2>Comments</h2>",
        f"<pre>{escape(record.comments)}</pre>",
        _objectives(record.objectives),
        *(_put_table(command, rows) for command, rows in tables.items()),
        "<h2>HACP exchanges</h2>",
        _exchanges(exchanges),
    )


def _objectives(objectives: list[dict[str, Any]]) -> str:
    if not objectives:
        return ""
    rows = [
        [
            escape(str(o["id"])),
            escape(str(o["score"] or "")),
            escape(str(o["status"] or "")),
        ]
        for o in objectives
    ]
    return "<h2>Objectives</h2>" + _table(["J_ID", "J_Score", "J_Status"], rows)


def _put_table(command: str, rows: list[dict[str, str]]) -> str:
    header = list(dict.fromkeys(name for row in rows for name in row))
    cells = [[escape(row.get(name, "")) for name in header] for row in rows]
    title = "Interactions" if command == "PutInteractions" else command
    return f"<h2>{escape(title)}</h2>" + _table(header, cells)


def _exchanges(exchanges: list[Exchange]) -> str:
    if not exchanges:
        return "<p>No exchange yet.</p>"
    rows = [
        [
            escape(_when(e.at)),
            escape(e.session),
            escape(e.profile),
            escape(e.command),
            escape("" if e.error is None else str(e.error)),
            f"<pre>{escape(e.request)}</pre>",
            f"<pre>{escape(e.response)}</pre>",
            "<br>".join(f"<span class='note'>{escape(n)}</span>" for n in e.notes),
        ]
        for e in exchanges
    ]
    header = ["When (UTC)", "Session", "Profile", "Command", "error", "Request"]
    return _table([*header, "Response", "Notes"], rows)


def log_page(exchanges: list[Exchange]) -> str:
    """The latest HACP exchanges, session ids masked."""
    return _page("Exchange log", _exchanges(exchanges))


def profiles_page(default: LmsProfile) -> str:
    """Every profile and its habits."""
    parts = []
    for profile in PROFILES.values():
        mark = " (this sandbox's profile)" if profile is default else ""
        habits = "".join(f"<li>{escape(habit)}</li>" for habit in profile.habits)
        parts.append(
            f"<h2 id='{profile.name}'>{escape(profile.name)}{escape(mark)}</h2>"
            f"<p>{escape(profile.title)}</p><ul>{habits}</ul>"
        )
    return _page("LMS profiles", *parts)


def message_page(title: str, message: str, hint: str | None = None) -> str:
    """A short page for an error or a refusal."""
    extra = f"<p>{escape(hint)}</p>" if hint else ""
    return _page(title, f"<p class='error'>{escape(message)}</p>{extra}")
