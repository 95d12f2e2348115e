"""Per-area label catalogs, merged by app.i18n into its one `_LABELS` dict (plain data, no Qt).

Each module holds `LABELS: dict[str, tuple[str, str]]`, key: (Vietnamese, English), like
app.i18n's own. Areas keep the catalog short enough to read and review per view.
"""
