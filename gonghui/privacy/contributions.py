"""What the privacy app adds to core's registries (core/registry.py)."""

from __future__ import annotations

from gonghui.core import personal_data
from gonghui.privacy import personal_data as privacy_data

personal_data.registry.register_all(privacy_data.PARTS)
