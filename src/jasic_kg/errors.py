"""The toolkit's exceptions and the exit codes the CLI maps them to.

Library code raises these; only cli.py turns them into one line on stderr and an exit code.

    0  ok
    1  findings: validation results, failed saved-query tests, evidence problems
    2  usage or input error: bad file, bad parameter, bad query
    3  network error: endpoint unreachable, timed out, refused
    4  internal error (a bug): one line, rerun with --debug for the traceback
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_NETWORK = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130  # Ctrl-C, the shell's convention (128 + SIGINT)

EXIT_CODES = {
    EXIT_OK: "ok",
    EXIT_FINDINGS: "findings (validation results, failed query tests, evidence problems)",
    EXIT_INPUT: "usage or input error (bad file, parameter or query)",
    EXIT_NETWORK: "network error (endpoint unreachable, timed out or refused)",
    EXIT_INTERNAL: "internal error (rerun with --debug for the traceback)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}


class JasicError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = EXIT_INTERNAL


class InputError(JasicError):
    """A bad file, parameter or usage. Carries the location when there is one."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None):
        # Always one line (reports and the CLI print it as one): a parser message may quote input text with
        # line breaks in it.
        self.message = str(message).replace("\r", "\\r").replace("\n", "\\n")
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        # FILE:LINE:COLUMN: message, the form editors and CI annotate.
        where = [p for p in (self.path, self.line, self.column) if p is not None]
        if not where:
            return self.message
        return ":".join(str(p) for p in where) + ": " + self.message


class QueryError(InputError):
    """A SPARQL query that does not parse or cannot run."""


class NetworkError(JasicError):
    exit_code = EXIT_NETWORK


class FindingsError(JasicError):
    """Raised by the CLI when a command completed but found problems (exit 1).

    Library functions return findings as data; only the CLI turns them into this.
    """

    exit_code = EXIT_FINDINGS
