from django.urls import path

from gonghui.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_report, name="export"),
    path("exports/", views.export_start, name="export_start"),
    path("compare/", views.compare, name="compare"),
    path("compare/export.xlsx", views.compare_export, name="compare_export"),
    path("breakdowns/", views.breakdowns, name="breakdowns"),
    path("print/", views.print_view, name="print"),
    path("figures/<str:name>/", views.records, name="records"),
    path("figures/<str:name>/export.xlsx", views.export_records, name="records_export"),
    path("figures/<str:name>/exports/", views.records_export_start, name="records_export_start"),
]
