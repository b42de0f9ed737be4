"""The HACP branch of the error tree.

::

    HacpError                   an HACP exchange or value that failed
    ├── HacpValueError          a value that cannot be read or must not be written
    ├── HacpNotHacpError        the LMS answered with something that is not HACP
    ├── HacpRefusedError        the endpoint is not allowed; nothing was sent
    ├── HacpRedirectError       the LMS answered with a redirect (never followed)
    ├── HacpHttpError           an HTTP error status (4xx, or 5xx after the retries)
    ├── HacpNetworkError        no answer at all after the retries
    └── HacpLmsError            the LMS answered ``error=<code>`` with a non-zero code
        ├── HacpInvalidCommand  code 1
        ├── HacpInvalidPassword code 2
        └── HacpInvalidSession  code 3

Every class has a ``code`` attribute: the HACP error code for the
:class:`HacpLmsError` family, ``None`` for the others.  No message ever holds
the session id.
"""

from __future__ import annotations

from aiccbridge.core._errors import AiccBridgeError

__all__ = [
    "HacpError",
    "HacpHttpError",
    "HacpInvalidCommand",
    "HacpInvalidPassword",
    "HacpInvalidSession",
    "HacpLmsError",
    "HacpNetworkError",
    "HacpNotHacpError",
    "HacpRedirectError",
    "HacpRefusedError",
    "HacpValueError",
    "is_already_exited",
    "lms_error",
]


class HacpError(AiccBridgeError):
    """Base class of every HACP failure."""

    code: int | None = None


class HacpValueError(HacpError, ValueError):
    """A CMI value that cannot be read, or a value the writer must not send."""


class HacpNotHacpError(HacpError):
    """The LMS answered with a body that is not an HACP message (an HTML page…)."""


class HacpRefusedError(HacpError):
    """The endpoint failed the ``allowed`` check, so no request was sent."""


class HacpRedirectError(HacpError):
    """The LMS answered with a 3xx redirect; HACP clients never follow one."""

    def __init__(self, message: str, *, host: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.host = host


class HacpHttpError(HacpError):
    """The LMS answered with an HTTP error status."""

    def __init__(self, message: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class HacpNetworkError(HacpError):
    """No HTTP answer at all (connection refused, timeout…) after the retries."""


class HacpLmsError(HacpError):
    """The LMS answered with a non-zero HACP error code."""

    def __init__(
        self, message: str, *, code: int, text: str = "", hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.text = text


class HacpInvalidCommand(HacpLmsError):
    """HACP error 1: the LMS did not accept the command (or not at this point)."""

    code = 1


class HacpInvalidPassword(HacpLmsError):
    """HACP error 2: the LMS rejected the AU password."""

    code = 2


class HacpInvalidSession(HacpLmsError):
    """HACP error 3: the LMS does not know the session id (expired or wrong)."""

    code = 3


_CLASSES: dict[int, type[HacpLmsError]] = {
    1: HacpInvalidCommand,
    2: HacpInvalidPassword,
    3: HacpInvalidSession,
}

_HINTS: dict[int, str] = {
    1: "the LMS refused this command here; check the order GetParam, PutParam, ExitAU",
    2: "the LMS expects an AU password; check the package's AU settings in the LMS",
    3: "the session is unknown or expired; launch the course again from the LMS",
}

_EXITED_CODES = frozenset({101})
_EXITED_WORDS = ("terminated", "exited", "already exit")


def lms_error(code: int, text: str) -> HacpLmsError:
    """Build the typed exception for HACP error ``code`` with the LMS's ``text``.

    ``text`` must already be free of the session id.
    """
    cls = _CLASSES.get(code, HacpLmsError)
    shown = f": {text}" if text else ""
    message = f"the LMS answered HACP error {code}{shown}"
    return cls(message, code=code, text=text, hint=_HINTS.get(code))


def is_already_exited(error: HacpError) -> bool:
    """Tell whether ``error`` says the session was already closed by an ExitAU.

    True for code 101 (whatever the text) and for any non-zero LMS code whose
    text mentions "terminated", "exited" or "already exit"; the AU can then
    treat a repeated ExitAU as done.  A plain error 3 (invalid session) is
    not taken as exited: a wrong or expired session answers the same.
    """
    if not isinstance(error, HacpLmsError):
        return False
    if error.code in _EXITED_CODES:
        return True
    text = error.text.casefold()
    return any(word in text for word in _EXITED_WORDS)
