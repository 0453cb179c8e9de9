"""JSON errors of the gateway: a code and a Chinese message, never a stack trace."""

from __future__ import annotations

import json

from aiohttp import web

from chuangkou.gateway.texts import text

_CLASSES: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
    413: web.HTTPRequestEntityTooLarge,
    415: web.HTTPUnsupportedMediaType,
    429: web.HTTPTooManyRequests,
    503: web.HTTPServiceUnavailable,
}


def error_response(status: int, code: str, message: str) -> web.Response:
    """A JSON error body: ``{"error": code, "message": text}``."""
    return web.json_response({"error": code, "message": message}, status=status)


def http_error(status: int, code: str, **values: str) -> web.HTTPException:
    """An exception to raise from a handler: JSON body with the message of ``code``."""
    body = json.dumps({"error": code, "message": text(code, **values)}, ensure_ascii=False)
    cls = _CLASSES[status]
    if cls is web.HTTPRequestEntityTooLarge:
        return web.HTTPRequestEntityTooLarge(
            max_size=0, actual_size=0, text=body, content_type="application/json"
        )
    return cls(text=body, content_type="application/json")
