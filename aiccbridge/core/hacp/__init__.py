"""The HACP engine, AU side: typed CMI values, the message codec and the client.

Read leniently, write strictly: every reader accepts the shapes real LMSs and
AUs send; every writer follows a :class:`WriteProfile`.  Errors are the
:class:`HacpError` branch of :class:`aiccbridge.core.AiccBridgeError`::

    HacpError
    ├── HacpValueError, HacpNotHacpError, HacpRefusedError, HacpRedirectError,
    │   HacpHttpError, HacpNetworkError
    └── HacpLmsError (code, text)
        └── HacpInvalidCommand (1), HacpInvalidPassword (2), HacpInvalidSession (3)

Exchanges are logged on the ``aiccbridge.core.hacp`` logger, one INFO line each.
"""

from __future__ import annotations

from aiccbridge.core.hacp._client import HacpClient, SyncHacpClient
from aiccbridge.core.hacp._codec import (
    COMMANDS,
    INTERACTION_HEADER,
    AiccData,
    CoreData,
    Evaluation,
    HacpRequest,
    HacpResponse,
    Keywords,
    Objective,
    Objectives,
    build_putparam,
    encode_request,
    encode_response,
    format_aicc_data,
    format_csv_table,
    parse_aicc_data,
    parse_csv_table,
    parse_request,
    parse_response,
    unquote_lenient,
)
from aiccbridge.core.hacp._errors import (
    HacpError,
    HacpHttpError,
    HacpInvalidCommand,
    HacpInvalidPassword,
    HacpInvalidSession,
    HacpLmsError,
    HacpNetworkError,
    HacpNotHacpError,
    HacpRedirectError,
    HacpRefusedError,
    HacpValueError,
    is_already_exited,
    lms_error,
)
from aiccbridge.core.hacp._profiles import (
    DEFAULT_PROFILE,
    STATUS_FALLBACKS,
    WriteProfile,
)
from aiccbridge.core.hacp._values import (
    Credit,
    LessonMode,
    LessonStatus,
    Score,
    StatusFlag,
    StatusValue,
    format_cmi_time,
    format_lesson_status,
    format_score,
    format_timespan,
    parse_cmi_time,
    parse_credit,
    parse_lesson_mode,
    parse_lesson_status,
    parse_score,
    parse_timespan,
)

__all__ = [
    "COMMANDS",
    "DEFAULT_PROFILE",
    "INTERACTION_HEADER",
    "STATUS_FALLBACKS",
    "AiccData",
    "CoreData",
    "Credit",
    "Evaluation",
    "HacpClient",
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
    "HacpRequest",
    "HacpResponse",
    "HacpValueError",
    "Keywords",
    "LessonMode",
    "LessonStatus",
    "Objective",
    "Objectives",
    "Score",
    "StatusFlag",
    "StatusValue",
    "SyncHacpClient",
    "WriteProfile",
    "build_putparam",
    "encode_request",
    "encode_response",
    "format_aicc_data",
    "format_cmi_time",
    "format_csv_table",
    "format_lesson_status",
    "format_score",
    "format_timespan",
    "is_already_exited",
    "lms_error",
    "parse_aicc_data",
    "parse_cmi_time",
    "parse_credit",
    "parse_csv_table",
    "parse_lesson_mode",
    "parse_lesson_status",
    "parse_request",
    "parse_response",
    "parse_score",
    "parse_timespan",
    "unquote_lenient",
]
