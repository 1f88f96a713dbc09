"""The report's background job: its spreadsheet with the records behind every figure."""

from gonghui.core.jobs import register_job_kind
from gonghui.reports.exports import EXPORT_KIND, report_export_work

register_job_kind(EXPORT_KIND, label="报表导出", run=report_export_work)
