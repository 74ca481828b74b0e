"""The FastAPI shape of a ``Refusal``: an ``HTTPException`` that FastAPI answers with the refusal's status and headers."""

from __future__ import annotations

from starlette.exceptions import HTTPException

from .refusal import Refusal


class GuardHTTPException(HTTPException):
    """An ``HTTPException`` carrying a ``Refusal`` (``detail`` holds ``error`` and ``error_description``)."""

    def __init__(self, refusal: Refusal) -> None:
        detail = {"error": refusal.error, "error_description": refusal.description} if refusal.error else None
        super().__init__(status_code=refusal.status, detail=detail, headers=refusal.headers)  # type: ignore[arg-type]
        self.refusal = refusal


def http_exception(refusal: Refusal) -> GuardHTTPException:
    """The exception FastAPI turns into the refusal's answer."""
    return GuardHTTPException(refusal)
