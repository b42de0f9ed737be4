"""The main job: bring each tenant's LMS up to date with the catalog.

For one tenant a sync reads the catalog, keeps what the tenant licensed, builds
every package in memory, and compares each package's fingerprint with what was
last delivered: *added*, *changed*, *unchanged*, or, for a course delivered
before and no longer selected (removed, inactive, deselected), *retired*. The
added and changed packages (every package with ``full``) go into a new outbox
bundle, and the store records them in the same step that closes the run.

A row the catalog rejects keeps whatever was delivered for it: a broken row never
retires a course learners may be using.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from aiccbridge import outbox
from aiccbridge.builder import (
    BuildSettings,
    BuiltPackage,
    Transliteration,
    build_entry,
    input_key,
    member_problem,
    package_file_name,
)
from aiccbridge.catalog import Catalog, CatalogEntry, RejectedRow
from aiccbridge.config import Config, LibraryConfig, TenantConfig
from aiccbridge.core import AiccBridgeError, PackageError
from aiccbridge.delivery import (
    DeliveryJob,
    DeliveryOutcome,
    Retirement,
    Upload,
    VendorApi,
)
from aiccbridge.store import DeliveredCourse, PendingRun, StateStore, utc_now
from aiccbridge.vendor import Vendor

__all__ = [
    "PlanItem",
    "TenantPlan",
    "TenantResult",
    "build_settings",
    "annotate_outbox",
    "deliver_by_api",
    "file_name_clashes",
    "launchable_entries",
    "plan_tenant",
    "recover_runs",
    "select_entries",
    "sync_tenant",
    "try_build",
]

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

#: A run retiring at least this many courses, and half the library or more, stops.
MASS_RETIRE_MIN = 5


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One course's fate in a run."""

    action: str  # "add" | "replace" | "unchanged" | "retire"
    course_id: str
    title: str
    built: BuiltPackage | None = None
    input_key: str = ""


@dataclass
class TenantPlan:
    """What a run would do for one tenant."""

    tenant: str
    vendor: str
    settings: BuildSettings
    by_id: Mapping[str, CatalogEntry]
    items: list[PlanItem] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    transliterated: list[Transliteration] = field(default_factory=list)
    #: entries planned unchanged from their input key alone, not built
    unbuilt: dict[str, CatalogEntry] = field(default_factory=dict)
    #: course id -> what an admin must do with its package (from an API vendor)
    instructions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    def to_write(self, full: bool) -> list[PlanItem]:
        """The items whose packages go into the bundle, each built."""
        wanted = {"add", "replace", "unchanged"} if full else {"add", "replace"}
        return [self._built(i) for i in self.items if i.action in wanted]

    def _built(self, item: PlanItem) -> PlanItem:
        if item.built is not None:
            return item
        built = build_entry(self.unbuilt[item.course_id], self.settings, self.by_id)
        self.transliterated.extend(built.transliterations)
        return replace(item, built=built)

    def retired(self) -> list[PlanItem]:
        return [i for i in self.items if i.action == "retire"]

    def sorted_transliterations(self) -> list[Transliteration]:
        return sorted(self.transliterated, key=lambda t: (t.line, t.field))

    def mass_retirement(self, delivered: int) -> str | None:
        """Why this plan retires suspiciously much (half the library, 5 or more)."""
        count = len(self.retired())
        if count < MASS_RETIRE_MIN or count * 2 < delivered:
            return None
        return (
            f"would retire {count} of {delivered} delivered courses; nothing was "
            "delivered for this tenant. If the catalog is right, run again with "
            "--allow-mass-retire"
        )


@dataclass
class TenantResult:
    """What a run did for one tenant: the ``sync --json`` record."""

    plan: TenantPlan
    bundle: Path | None = None
    failed: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: "outbox" or "api": how this run delivered
    route: str = "outbox"

    def to_dict(self) -> dict[str, object]:
        plan = self.plan
        return {
            "tenant": plan.tenant,
            "vendor": plan.vendor,
            "added": plan.count("add"),
            "changed": plan.count("replace"),
            "unchanged": plan.count("unchanged"),
            "retired": plan.count("retire"),
            "rejected": [_rejected_dict(r) for r in plan.rejected],
            "transliterated": [t.to_dict() for t in plan.sorted_transliterations()],
            "failed": self.failed,
            "notes": self.notes,
            "route": self.route,
            "bundle": str(self.bundle) if self.bundle else None,
        }

    @property
    def needs_attention(self) -> bool:
        return bool(self.plan.rejected or self.failed)


def build_settings(
    config: Config, tenant: TenantConfig, vendor: Vendor
) -> BuildSettings:
    """The package settings for a tenant: its own choices over the vendor's."""
    forbidden = tenant.forbidden_chars
    return BuildSettings(
        tenant=tenant.name,
        launch_url=config.launch_url_for(tenant),
        provider=config.provider.name,
        aicc_version=tenant.aicc_version or vendor.aicc_version,
        encoding=tenant.encoding or vendor.encoding,
        forbidden_chars=vendor.forbidden_chars if forbidden is None else forbidden,
    )


def select_entries(catalog: Catalog, library: LibraryConfig) -> list[CatalogEntry]:
    """The active entries a tenant licensed, in catalog order."""
    kinds = set(library.kinds) if library.kinds is not None else None
    languages = _folded(library.languages)
    subjects = _folded(library.subjects)
    return [
        e
        for e in catalog.entries
        if e.active
        and (kinds is None or e.kind in kinds)
        and (languages is None or e.language.casefold() in languages)
        and (subjects is None or e.subject.casefold() in subjects)
    ]


def launchable_entries(
    catalog: Catalog, library: LibraryConfig
) -> dict[str, CatalogEntry]:
    """What a tenant's learners may launch, by id: its library, plus the members of
    the learning paths in it (a path's AUs launch with the member's id)."""
    by_id = catalog.by_id()
    chosen = select_entries(catalog, library)
    courses = {entry.id: entry for entry in chosen}
    for entry in chosen:
        for child in entry.children if entry.kind == "learning_path" else ():
            if child in by_id:
                courses.setdefault(child, by_id[child])
    return courses


def plan_tenant(
    catalog: Catalog,
    settings: BuildSettings,
    tenant: TenantConfig,
    delivered: Mapping[str, DeliveredCourse],
    progress: Progress | None = None,
) -> TenantPlan:
    """Build every selected package in memory and compare with what was delivered."""
    plan = TenantPlan(
        tenant.name,
        tenant.vendor,
        rejected=list(catalog.rejected),
        settings=settings,
        by_id=catalog.by_id(),
    )
    by_id = plan.by_id
    kept = {r.id for r in catalog.rejected if r.id}
    selected = select_entries(catalog, tenant.library)
    clashes = file_name_clashes(selected, first=set(delivered))
    for entry in selected:
        problem = member_problem(entry, by_id) or clashes.get(entry.id)
        if problem is None:
            problem = _plan_entry(plan, entry, settings, by_id, delivered)
        if problem is not None:
            plan.rejected.append(RejectedRow(entry.line, entry.id, problem))
            kept.add(entry.id)
        if progress:
            progress(1)
    seen = {item.course_id for item in plan.items} | kept
    for course_id in sorted(set(delivered) - seen):
        plan.items.append(PlanItem("retire", course_id, delivered[course_id].title))
    plan.rejected.sort(key=lambda r: r.line)
    return plan


def try_build(
    entry: CatalogEntry, settings: BuildSettings, by_id: Mapping[str, CatalogEntry]
) -> BuiltPackage | str:
    """The entry's package, or why it cannot be built (the run goes on)."""
    try:
        return build_entry(entry, settings, by_id)
    except PackageError as exc:
        return f"cannot build the package: {exc.message}"
    except ValueError as exc:
        return f"cannot build the package: {exc}"


def _plan_entry(
    plan: TenantPlan,
    entry: CatalogEntry,
    settings: BuildSettings,
    by_id: Mapping[str, CatalogEntry],
    delivered: Mapping[str, DeliveredCourse],
) -> str | None:
    """Plan one entry; return why it cannot be built, or None."""
    key = input_key(entry, settings, by_id)
    previous = delivered.get(entry.id)
    if previous is not None and previous.input_key == key:
        plan.items.append(PlanItem("unchanged", entry.id, previous.title, None, key))
        plan.unbuilt[entry.id] = entry
        return None
    built = try_build(entry, settings, by_id)
    if isinstance(built, str):
        return built
    if previous is None:
        action = "add"
    elif previous.fingerprint != built.fingerprint:
        action = "replace"
    else:
        action = "unchanged"
    plan.items.append(PlanItem(action, entry.id, built.title, built, key))
    plan.transliterated.extend(built.transliterations)
    return None


def file_name_clashes(
    entries: list[CatalogEntry], *, first: Collection[str] = ()
) -> dict[str, str]:
    """Entries whose package file name (ignoring case) another entry already has.

    Ids in ``first`` (already delivered) keep their name; among the rest the
    earlier row wins. Returns course id -> the reason it is rejected.
    """
    owners: dict[str, str] = {}
    ordered = sorted(entries, key=lambda e: (e.id not in first, e.line))
    problems = {}
    for entry in ordered:
        name = package_file_name(entry.id)
        other = owners.setdefault(name.casefold(), entry.id)
        if other != entry.id:
            problems[entry.id] = (
                f"package file {name} would clash with course {other!r}"
            )
    return problems


def recover_runs(store: StateStore, tenant: str, box: Path) -> list[str]:
    """Finish an interrupted run: adopt a complete bundle, drop a partial one."""
    notes = []
    for run in store.open_runs(tenant):
        if (box / run.bundle / "manifest.json").is_file():
            store.finish_run(run, str(box / run.bundle))
            notes.append(f"adopted bundle {run.bundle} from an interrupted run")
        else:
            outbox.remove_partial(box, run.bundle)
            store.abandon_run(run)
            notes.append(
                f"removed half-written bundle {run.bundle}; it is written again"
            )
    for note in notes:
        log.warning("%s: %s", tenant, note)
    return notes


def sync_tenant(
    plan: TenantPlan,
    store: StateStore,
    box: Path,
    *,
    full: bool = False,
    now: datetime | None = None,
) -> TenantResult:
    """Write the plan's bundle and record it; nothing is written for an empty plan."""
    result = TenantResult(plan, notes=list(plan.notes))
    store.update_input_keys(
        plan.tenant,
        {
            i.course_id: i.input_key
            for i in plan.items
            if i.action == "unchanged" and i.built is not None
        },
    )
    writes = plan.to_write(full)
    if not writes and not plan.retired():
        return result
    zips = [(item, item.built.zip_bytes()) for item in writes if item.built]
    try:
        box.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = f"cannot create the outbox {box}: {exc.strerror or exc}"
        result.failed.append({"bundle": "", "reason": reason})
        return result
    name = outbox.bundle_name(now or utc_now(), box)
    journal = _journal(zips, plan)
    run_id = store.begin_run(plan.tenant, name, journal)
    run = PendingRun(run_id, plan.tenant, name, journal)
    try:
        result.bundle = outbox.write_bundle(
            box,
            name,
            ((item.built.file_name, data) for item, data in zips if item.built),
            _manifest(plan, name, zips, full),
            _manifest_rows(plan, zips),
        )
    except OSError as exc:
        outbox.remove_partial(box, name)
        store.abandon_run(run)
        reason = f"cannot write bundle {box / name}: {exc.strerror or exc}"
        result.failed.append({"bundle": name, "reason": reason})
        return result
    store.finish_run(run, str(result.bundle))
    return result


def annotate_outbox(
    plan: TenantPlan, api: object, job: DeliveryJob, full: bool
) -> None:
    """Let an outbox vendor's API say, per course, what the LMS already has.

    The plugin's optional ``annotate(job) -> {course_id: instruction}`` fills the
    manifest's ``instruction`` fields; when it fails, the bundle is written
    without them and the failure is a note.
    """
    annotate = getattr(api, "annotate", None)
    missing = [k for k in job.vendor.credentials if not job.credentials.get(k)]
    if annotate is None or missing:
        return
    uploads = tuple(
        Upload(i.course_id, i.title, i.built.file_name, b"", "", i.action)
        for i in plan.to_write(full)
        if i.built
    )
    retire = tuple(Retirement(i.course_id, i.title) for i in plan.retired())
    try:
        plan.instructions.update(
            annotate(replace(job, uploads=uploads, retirements=retire))
        )
    except AiccBridgeError as exc:
        plan.notes.append(f"the LMS was not checked: {exc.message}")


def deliver_by_api(
    plan: TenantPlan,
    store: StateStore,
    box: Path,
    api: VendorApi,
    job: DeliveryJob,
    *,
    full: bool = False,
    now: datetime | None = None,
) -> TenantResult:
    """Deliver through the vendor's API; record what it confirmed, retry the rest.

    What the API cannot take (``manual``) goes into an outbox bundle. A course the
    API failed is not recorded, so the next run tries it again.
    """
    result = TenantResult(plan, route="api")
    writes = {i.course_id: i for i in plan.to_write(full)}
    retired = {i.course_id: i for i in plan.retired()}
    if not writes and not retired:
        return result
    missing = [k for k in job.vendor.credentials if not job.credentials.get(k)]
    if missing:
        reason = _missing_credentials(job, missing)
        result.failed = [
            {"course_id": c, "reason": reason} for c in {**writes, **retired}
        ]
        return result
    zips = {c: i.built.zip_bytes() for c, i in writes.items() if i.built}
    job = replace(
        job,
        uploads=tuple(_upload(writes[c], d) for c, d in zips.items()),
        retirements=tuple(Retirement(c, i.title) for c, i in retired.items()),
    )
    outcome = api.deliver(job)
    _record_api(store, plan, outcome, writes, zips, retired, now or utc_now())
    for course_id in [*writes, *retired]:
        reason = outcome.failed.get(course_id) or outcome.kept.get(course_id)
        if reason is None and course_id not in (
            *outcome.delivered,
            *outcome.retired,
            *outcome.manual,
        ):
            reason = "the vendor plugin did not report this course"
        if reason:
            result.failed.append({"course_id": course_id, "reason": reason})
    result.notes = list(outcome.notes)
    if outcome.manual:
        manual = TenantPlan(
            plan.tenant,
            plan.vendor,
            plan.settings,
            plan.by_id,
            items=[writes[c] for c in outcome.manual if c in writes],
            instructions=dict(outcome.manual),
        )
        manual_result = sync_tenant(manual, store, box, now=now)
        result.bundle = manual_result.bundle
        result.failed += manual_result.failed
    return result


def _missing_credentials(job: DeliveryJob, missing: list[str]) -> str:
    names = [
        f"{k} (${job.tenant.credentials[k]})"
        if k in job.tenant.credentials
        else f"{k} (not mapped in tenants.{job.tenant.name}.credentials)"
        for k in missing
    ]
    return "credentials not set: " + ", ".join(names)


def _upload(item: PlanItem, data: bytes) -> Upload:
    assert item.built is not None
    return Upload(
        item.course_id,
        item.title,
        item.built.file_name,
        data,
        hashlib.sha256(data).hexdigest(),
        item.action,
    )


def _record_api(
    store: StateStore,
    plan: TenantPlan,
    outcome: DeliveryOutcome,
    writes: dict[str, PlanItem],
    zips: dict[str, bytes],
    retired: dict[str, PlanItem],
    now: datetime,
) -> None:
    done = [(writes[c], zips[c]) for c in outcome.delivered if c in zips]
    gone = TenantPlan(
        plan.tenant,
        plan.vendor,
        plan.settings,
        plan.by_id,
        items=[retired[c] for c in outcome.retired if c in retired],
    )
    if not done and not gone.items:
        return
    journal = _journal(done, gone)
    name = "api-" + now.strftime("%Y%m%dT%H%M%SZ")
    run_id = store.begin_run(plan.tenant, name, journal)
    store.finish_run(PendingRun(run_id, plan.tenant, name, journal), "")


def _journal(zips: list[tuple[PlanItem, bytes]], plan: TenantPlan) -> dict[str, object]:
    deliver = [
        {
            "course_id": item.course_id,
            "title": item.title,
            "action": item.action,
            "fingerprint": item.built.fingerprint,
            "input_key": item.input_key,
            "package": item.built.file_name,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        for item, data in zips
        if item.built
    ]
    retire = [{"course_id": i.course_id, "title": i.title} for i in plan.retired()]
    return {"deliver": deliver, "retire": retire}


def _entry_dict(item: PlanItem, data: bytes, plan: TenantPlan) -> dict[str, object]:
    assert item.built is not None
    entry: dict[str, object] = {
        "course_id": item.course_id,
        "title": item.title,
        "package": item.built.file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if item.course_id in plan.instructions:
        entry["instruction"] = plan.instructions[item.course_id]
    return entry


def _manifest(
    plan: TenantPlan, name: str, zips: list[tuple[PlanItem, bytes]], full: bool
) -> dict[str, object]:
    by_action: dict[str, list[dict[str, object]]] = {
        "add": [],
        "replace": [],
        "unchanged": [],
    }
    for item, data in zips:
        by_action[item.action].append(_entry_dict(item, data, plan))
    return {
        "bundle": name,
        "tenant": plan.tenant,
        "vendor": plan.vendor,
        "full": full,
        **by_action,
        "retire": [_retire_dict(i, plan) for i in plan.retired()],
        "rejected": [_rejected_dict(r) for r in plan.rejected],
        "transliterated": [t.to_dict() for t in plan.sorted_transliterations()],
    }


def _manifest_rows(
    plan: TenantPlan, zips: list[tuple[PlanItem, bytes]]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"action": item.action, **_entry_dict(item, data, plan)} for item, data in zips
    ]
    rows += [{"action": "retire", **_retire_dict(i, plan)} for i in plan.retired()]
    rows += [
        {"action": "rejected", "course_id": r.id, "line": r.line, "reason": r.reason}
        for r in plan.rejected
    ]
    return rows


def _retire_dict(item: PlanItem, plan: TenantPlan) -> dict[str, object]:
    entry: dict[str, object] = {"course_id": item.course_id, "title": item.title}
    if item.course_id in plan.instructions:
        entry["instruction"] = plan.instructions[item.course_id]
    return entry


def _rejected_dict(row: RejectedRow) -> dict[str, object]:
    return {"line": row.line, "id": row.id, "reason": row.reason}


def _folded(values: list[str] | None) -> set[str] | None:
    return None if values is None else {v.casefold() for v in values}
