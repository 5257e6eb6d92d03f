"""The validation report: findings with their stage and severity, the exit code they give, the summary line."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Store

from jasic_kg.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK

SEVERITIES = ("Violation", "Warning", "Info")  # Violation and Warning fail the run; Info does not


@dataclass
class ValidationFinding:
    """One problem. Terms are pyoxigraph terms; `path` is a NamedNode or the BlankNode of a complex SHACL path
    in the shapes graph."""

    stage: str  # "syntax" | "shacl" | "check" | "meta"
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    focus: object = None
    path: object = None
    value: object = None
    shape: object = None  # sh:sourceShape
    component: object = None  # sh:sourceConstraintComponent
    check: str | None = None  # the check query or meta-check name
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class ValidationReport:
    findings: list[ValidationFinding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0
    shapes: int = 0
    checks: list[str] = field(default_factory=list)
    engine: str = "native"
    inference: str = "none"
    data: Store | None = None  # for labels in reports
    shapes_graph: Store | None = None  # for shape names and complex paths
    # top-level shapes the native engine could not compile, validated by pySHACL instead: (shape, reason)
    fallback_shapes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity in ("Violation", "Warning") for f in self.findings)

    @property
    def exit_code(self) -> int:
        if any(f.stage == "syntax" for f in self.findings):
            return EXIT_INPUT
        return EXIT_OK if self.conforms else EXIT_FINDINGS

    def summary(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        what = ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        head = "conforms" if self.conforms else "does not conform"
        return (f"{head}: {len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}"
                + (f" ({what})" if what else "")
                + f"; {len(self.files)} files, {self.triples} triples, {self.shapes} shapes, "
                f"{len(self.checks)} checks; engine {self.engine}, inference {self.inference}"
                + (f" ({len(self.fallback_shapes)} shape{'s' if len(self.fallback_shapes) != 1 else ''} by pySHACL: "
                   f"{', '.join(s for s, _ in self.fallback_shapes)})" if self.fallback_shapes else ""))
