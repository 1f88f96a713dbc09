"""The API under /api/v1/. Each app keeps its own router; this module only mounts them and
sets what all of them share: sign-in (session or bearer token) and the error shape."""

from ninja import NinjaAPI

from gonghui.accounts.api import router as accounts_router
from gonghui.accounts.api_auth import API_AUTH
from gonghui.core.api_audit import router as audit_router
from gonghui.core.api_jobs import router as jobs_router
from gonghui.core.api_notifications import router as notifications_router
from gonghui.core.api_support import LocalTimeRenderer, install_error_handlers
from gonghui.enrolment.api import router as public_applications_router
from gonghui.members.api import router as members_router
from gonghui.members.api_imports import router as imports_router
from gonghui.organisations.api import employers_router
from gonghui.organisations.api import router as organisations_router
from gonghui.privacy.api import consents_router, my_data_router
from gonghui.reports.api import router as reports_router

# The URLs are relative to the mount point "api/": the schema is /api/openapi.json.
api = NinjaAPI(
    title="Gonghui API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    renderer=LocalTimeRenderer(),
)
install_error_handlers(api)
api.add_router("/v1/organisations", organisations_router)
api.add_router("/v1/employers", employers_router)
api.add_router("/v1/members", members_router)
api.add_router("/v1/imports", imports_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/audit", audit_router)
api.add_router("/v1/accounts", accounts_router)
api.add_router("/v1/jobs", jobs_router)
api.add_router("/v1/notifications", notifications_router)
api.add_router("/v1/me/consents", consents_router)
api.add_router("/v1/members/me/data", my_data_router)
api.add_router("/v1/public", public_applications_router)  # no sign-in: rate-limited instead
