"""The window around every page: sign-in, first run, the session bar, the idle lock, the forced
password change and the start-up recovery dialog. Nothing here is imported until ``ui.app``
needs it."""
