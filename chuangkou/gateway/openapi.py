"""The OpenAPI 3.1 document of the public API (a test keeps it in step with the routes)."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def spec() -> dict[str, Any]:
    """The document."""
    message = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "buttons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chuangkou gateway",
            "version": "0.1.0",
            "description": "Public API of the 窗口助手 gateway.",
        },
        "paths": {
            "/api/chat": {
                "post": {
                    "summary": "Send one chat message; the reply comes back in the response.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["message"],
                                    "properties": {
                                        "message": {"type": "string", "maxLength": 5000},
                                        "session_id": {
                                            "type": "string",
                                            "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                        },
                                        "channel": {"enum": ["widget", "kiosk", "clerk", "api"]},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "session_id": {"type": "string"},
                                    "available": {"type": "boolean"},
                                    "you": {
                                        "type": ["string", "null"],
                                        "description": "the message as stored: numbers masked",
                                    },
                                    "messages": {"type": "array", "items": message},
                                },
                            }
                        ),
                        "400": _ERROR,
                        "413": _ERROR,
                        "415": _ERROR,
                        "429": _ERROR,
                    },
                }
            },
            "/api/catalog/search": {
                "get": {
                    "summary": "Search items by name, alias, code or partial name.",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                        }
                    ],
                    "responses": {"200": _json({"type": "object"}), "400": _ERROR, "503": _ERROR},
                }
            },
            "/api/catalog/items/{ref}": {
                "get": {
                    "summary": "The item JSON by code, name or alias.",
                    "parameters": [
                        {
                            "name": "ref",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json({"type": "object"}),
                        "404": _ERROR,
                        "409": _json({"type": "object"}, "ambiguous: candidates"),
                        "503": _ERROR,
                    },
                }
            },
            "/api/catalog/items": {
                "get": {
                    "summary": "All items (code, name, category, status).",
                    "responses": {"200": _json({"type": "object"}), "503": _ERROR},
                }
            },
            "/api/bookings": {
                "post": {
                    "summary": "Book a slot (used by the hall kiosk).",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": [
                                        "item_code",
                                        "office",
                                        "slot",
                                        "name",
                                        "phone",
                                        "key",
                                    ],
                                    "properties": {
                                        "item_code": {"type": "string"},
                                        "office": {"type": "string"},
                                        "slot": {"type": "string"},
                                        "name": {"type": "string"},
                                        "phone": {"type": "string"},
                                        "key": {
                                            "type": "string",
                                            "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                        },
                                        "channel": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"type": "object"}),
                        "400": _ERROR,
                        "409": _ERROR,
                        "413": _ERROR,
                        "415": _ERROR,
                        "429": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/checklist-qr": {
                "get": {
                    "summary": "QR code (SVG) opening a checklist on a phone.",
                    "parameters": [
                        {
                            "name": "item",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "type", "in": "query", "schema": {"type": "string"}},
                        {"name": "have", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "SVG",
                            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
                        },
                        "400": _ERROR,
                    },
                }
            },
            "/api/offices": {
                "get": {
                    "summary": "Offices, windows, hours and addresses.",
                    "responses": {"200": _json({"type": "object"}), "503": _ERROR},
                }
            },
            "/api/slots": {
                "get": {
                    "summary": "Free seats per slot of a window on a day.",
                    "parameters": [
                        {
                            "name": "office",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "window",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "date",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {"200": _json({"type": "object"}), "400": _ERROR, "503": _ERROR},
                }
            },
            "/api/site": {
                "get": {
                    "summary": "Privacy notice and the number-masking patterns for the pages.",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "privacy_notice": {"type": "string"},
                                    "retention_days": {"type": "integer"},
                                    "mask_patterns": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                    },
                                },
                            }
                        )
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document.",
                    "responses": {"200": _json({"type": "object"})},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                }
            }
        },
    }
