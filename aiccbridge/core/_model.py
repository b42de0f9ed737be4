"""The AICC package model: the course files as frozen dataclasses.

The model holds what the course files say, nothing more. It checks only what a
value can never be (an unknown AICC version); whether a package is fit to be
uploaded is the writer's business (:func:`aiccbridge.core.package.render_package`),
and what is wrong with a package someone else made is the reader's
(:func:`aiccbridge.core.package.read_package`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AICC_VERSIONS",
    "ENCODINGS",
    "ROOT",
    "AssignableUnit",
    "CourseInfo",
    "Descriptor",
    "Package",
    "PackageFile",
    "StructureRow",
    "VersionRules",
    "version_rules",
]

AICC_VERSIONS: tuple[str, ...] = ("2.2", "2.5", "3.0", "3.5", "4.0")
"""The CMI001 versions a package can be written for (the ``Version=`` value)."""

ENCODINGS: tuple[str, ...] = ("ascii", "cp1252", "utf-8")
"""The character sets the writer can produce (utf-8 is written without a BOM)."""

ROOT = "Root"
"""The reserved id of the top block of the course structure."""


@dataclass(frozen=True, slots=True)
class VersionRules:
    """What the writer does differently for one AICC version.

    ========  ===========  ==============  =========================================
    version   spec_family  decimal_scores  notes
    ========  ===========  ==============  =========================================
    2.2       2.2          no              the published 2.x rules
    2.5       2.2          no              listed by providers; follows 2.2's rules
    3.0       3.0          yes             most tool exports say 3.0
    3.5       3.5          yes
    4.0       4.0          yes             the final revision
    ========  ===========  ==============  =========================================

    ``decimal_scores`` says whether ``Max_Score`` and ``Mastery_Score`` may carry a
    fraction; without it they must be whole numbers. ``Version=`` in the ``.crs``
    always carries the requested string, also for 2.5.
    """

    version: str
    spec_family: str
    decimal_scores: bool


_RULES = {
    "2.2": VersionRules("2.2", "2.2", decimal_scores=False),
    "2.5": VersionRules("2.5", "2.2", decimal_scores=False),
    "3.0": VersionRules("3.0", "3.0", decimal_scores=True),
    "3.5": VersionRules("3.5", "3.5", decimal_scores=True),
    "4.0": VersionRules("4.0", "4.0", decimal_scores=True),
}


def version_rules(version: str) -> VersionRules:
    """Return the writing rules of ``version`` (one of :data:`AICC_VERSIONS`).

    Raises ``ValueError`` for any other string.
    """
    try:
        return _RULES[version]
    except KeyError:
        raise ValueError(_unknown_version(version)) from None


def _unknown_version(version: str) -> str:
    known = ", ".join(AICC_VERSIONS)
    return f"unknown AICC version {version!r} (known: {known})"


@dataclass(frozen=True, slots=True)
class CourseInfo:
    """The course itself: the ``[Course]``, ``[Course_Behavior]`` and
    ``[Course_Description]`` groups of the ``.crs`` file.

    The counts (``Total_AUs``, ``Max_Fields_CST`` …) are not stored here: they
    are derived from the tables of the :class:`Package`.
    """

    course_id: str
    title: str
    version: str
    creator: str = ""
    system: str = ""
    level: str = "1"
    max_normal: str = "1"
    description: str = ""

    def __post_init__(self) -> None:
        if self.version not in AICC_VERSIONS:
            raise ValueError(_unknown_version(self.version))


@dataclass(frozen=True, slots=True)
class AssignableUnit:
    """One row of the ``.au`` table: a launchable unit and all twelve columns."""

    system_id: str
    file_name: str
    type: str = ""
    command_line: str = ""
    max_score: str = ""
    mastery_score: str = ""
    max_time_allowed: str = ""
    time_limit_action: str = ""
    system_vendor: str = ""
    core_vendor: str = ""
    web_launch: str = ""
    au_password: str = ""


@dataclass(frozen=True, slots=True)
class Descriptor:
    """One row of the ``.des`` table: the title of an AU, block or objective."""

    system_id: str
    title: str
    description: str = ""
    developer_id: str = ""


@dataclass(frozen=True, slots=True)
class StructureRow:
    """One row of the ``.cst`` (or ``.ort``) table: an element and its members.

    In the ``.cst`` the element is a block and the members are AU or block ids;
    in the ``.ort`` the element is an AU or block and the members objective ids.
    """

    block: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One rendered course file: its name inside the package and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Package:
    """A whole AICC course: the ``.crs`` and every table that goes with it.

    ``structure`` starts with the ``Root`` row; ``objectives`` are ``.ort`` rows,
    ``prerequisites`` ``.pre`` pairs (element, expression) and ``completions``
    ``.cmp`` rows (Structure_Element, Requirement, Result, Next, Return).
    """

    base_name: str
    course: CourseInfo
    aus: tuple[AssignableUnit, ...]
    descriptors: tuple[Descriptor, ...]
    structure: tuple[StructureRow, ...]
    objectives: tuple[StructureRow, ...] = ()
    prerequisites: tuple[tuple[str, str], ...] = ()
    completions: tuple[tuple[str, ...], ...] = ()

    @property
    def total_aus(self) -> int:
        """``Total_AUs``: the number of rows in the ``.au`` table."""
        return len(self.aus)

    @property
    def total_blocks(self) -> int:
        """``Total_Blocks``: the number of blocks other than ``Root``."""
        blocks = {row.block.lower() for row in self.structure}
        blocks.discard(ROOT.lower())
        return len(blocks)

    @property
    def max_fields_cst(self) -> int:
        """``Max_Fields_CST``: the ``.cst`` table's width, Block column included."""
        return 1 + max((len(row.members) for row in self.structure), default=1)

    @property
    def max_fields_ort(self) -> int:
        """``Max_Fields_ORT``: the width of the ``.ort`` table (0 without one)."""
        if not self.objectives:
            return 0
        return 1 + max(len(row.members) for row in self.objectives)

    @property
    def total_objectives(self) -> int:
        """``Total_Objectives``: the distinct objective ids named in the ``.ort``."""
        return len({m.lower() for row in self.objectives for m in row.members})

    @property
    def block_ids(self) -> tuple[str, ...]:
        """The ids of the blocks, ``Root`` first, in table order."""
        return tuple(row.block for row in self.structure)
