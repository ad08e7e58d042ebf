"""``vpchecklist`` command line: parse, call a service, print.

Exit codes (one table, :class:`vpchecklist.cli.context.Exit`): 0 ok; 1 a check or sign-off
failed, or was refused; 2 bad usage or input. Every failure is one plain sentence on stderr;
tracebacks go to the log file only.

Layout: ``app`` builds the parser and runs a command; ``context`` is what a command gets (args,
store, the acting user, output); ``arguments`` holds the shared argument types and the one
``--user``/``--password-stdin`` pair; each other module is one command group and registers its
commands with ``register``.
"""

from vpchecklist.cli.app import main

__all__ = ["main"]
