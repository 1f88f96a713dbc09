from ninja import NinjaAPI

api = NinjaAPI(title="Gonghui API", version="1", urls_namespace="api")
