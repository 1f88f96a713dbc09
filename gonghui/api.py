"""The API under /api/v1/. Each app keeps its own router; this module only mounts them."""

from ninja import NinjaAPI

from gonghui.members.api import router as members_router
from gonghui.members.api_imports import router as imports_router
from gonghui.organisations.api import router as organisations_router
from gonghui.reports.api import router as reports_router

api = NinjaAPI(title="Gonghui API", version="1", urls_namespace="api")
api.add_router("/v1/organisations", organisations_router)
api.add_router("/v1/members", members_router)
api.add_router("/v1/imports", imports_router)
api.add_router("/v1/reports", reports_router)
