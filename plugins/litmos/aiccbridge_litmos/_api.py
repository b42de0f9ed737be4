"""Litmos's API: it takes SCORM and Tin Can modules only, so it checks the key.

AICC modules are created in the Litmos admin UI from the outbox bundle. The API
host follows the tenant's region: a hostname under ``litmoseu.com`` means the EU
host, one under ``litmos.com.au`` the Australian one, anything else the US one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiccbridge import TenantConfig, VendorError
from aiccbridge.delivery import DeliveryJob, DeliveryOutcome
from aiccbridge.http import VendorHttp

if TYPE_CHECKING:
    import httpx

__all__ = ["SOURCE", "LitmosApi", "api_root"]

#: the ``source`` every Litmos call names (the calling application)
SOURCE = "aiccbridge"
_REGIONS = (
    ("litmoseu.com", "https://api.litmoseu.com/v1.svc/"),
    ("litmos.com.au", "https://api.litmos.com.au/v1.svc/"),
)
_US = "https://api.litmos.com/v1.svc/"


def api_root(tenant: TenantConfig) -> str:
    """The API root for the tenant's region, from its hostnames."""
    for host in tenant.hostnames:
        bare = host.removeprefix("*.")
        for domain, root in _REGIONS:
            if bare == domain or bare.endswith("." + domain):
                return root
    return _US


class LitmosApi:
    """A credential check; packages go to the outbox."""

    def ping(self, job: DeliveryJob) -> str:
        """Check the key with the cheapest list call (one user)."""
        key = job.credentials.get("api_key")
        if not key:
            raise VendorError(
                "litmos: credential api_key is not set",
                hint=f"map it in tenants.{job.tenant.name}.credentials",
            )
        root = api_root(job.tenant)
        with _http(job, root, key) as http:
            try:
                users = _json(
                    http.get("users", params={"limit": "1", "source": SOURCE})
                )
            except VendorError as exc:
                hint = "check the key (Account Owner > API); trial sites have no API"
                raise VendorError(exc.message, hint=hint) from None
        if not isinstance(users, list):
            raise VendorError("litmos: GET users: expected a JSON array")
        return f"Litmos accepts the API key ({root.split('/')[2]})"

    def deliver(self, job: DeliveryJob) -> DeliveryOutcome:
        """Hand every package to an admin: the API takes no AICC module."""
        outcome = DeliveryOutcome()
        for upload in job.uploads:
            outcome.manual[upload.course_id] = (
                f"in the Litmos admin UI, create an AICC module from {upload.file_name}"
            )
        for retirement in job.retirements:
            outcome.kept[retirement.course_id] = (
                "the Litmos API cannot retire AICC modules: deactivate it by hand"
            )
        return outcome


def _http(job: DeliveryJob, root: str, key: str) -> VendorHttp:
    return VendorHttp(
        job.vendor.id,
        root,
        headers={"apikey": key, "Accept": "application/json"},
        params={"format": "json"},
        secrets=[key],
        transport=job.transport,
        sleep=job.sleep,
    )


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise VendorError("litmos: GET users: the answer is not JSON") from None
