"""The PySide6 desktop app: windows, pages, widgets and Qt item models over the core services."""
