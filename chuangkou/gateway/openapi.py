"""The OpenAPI 3.1 document of the public API (a test keeps it in step with the routes)."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _json(schema: dict[str, Any], description: str = "ok") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_OFFICE_PARAM = {
    "name": "office",
    "in": "query",
    "required": True,
    "description": "the kiosk's office code (HG, TF …)",
    "schema": {"type": "string"},
}


def _ref_and_phone() -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["ref", "phone"],
                    "properties": {
                        "ref": {"type": "string", "description": "booking reference"},
                        "phone": {"type": "string", "description": "the phone it was made with"},
                    },
                }
            }
        },
    }


def _feedback_paths() -> dict[str, Any]:
    """好差评 on an answer (chuangkou.gateway.feedback)."""
    return {
        "/api/feedback": {
            "post": {
                "summary": "Rate one answered turn (有用 / 没用); a second vote on the same "
                "turn replaces the first. The answer's item, intent and response names "
                "are read from the conversation, not sent.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["session_id", "turn", "helpful"],
                                "additionalProperties": False,
                                "properties": {
                                    "session_id": {
                                        "type": "string",
                                        "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                    },
                                    "turn": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": 10000,
                                        "description": "the answered turn, counted from 1 "
                                        "(the greeting) in this conversation",
                                    },
                                    "helpful": {"type": "boolean"},
                                    "comment": {
                                        "type": "string",
                                        "maxLength": 200,
                                        "description": "optional; stored with numbers masked",
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
                                "stored": {"type": "boolean"},
                                "replaced": {"type": "boolean"},
                                "turn": {"type": "integer"},
                                "message": {"type": "string"},
                            },
                        }
                    ),
                    "400": _ERROR,
                    "404": _json(
                        {"$ref": "#/components/schemas/Error"},
                        "the conversation has no such answered turn",
                    ),
                    "413": _ERROR,
                    "415": _ERROR,
                    "429": _ERROR,
                    "503": _ERROR,
                },
            }
        }
    }


def _kiosk_paths() -> dict[str, Any]:
    """The hall kiosk's endpoints (chuangkou.gateway.kiosk)."""
    found = {
        "200": _json({"type": "object"}, "the booking, phone masked"),
        "400": _ERROR,
        "404": _json(
            {"$ref": "#/components/schemas/Error"},
            "no such booking for that phone (the same answer for a wrong phone)",
        ),
        "413": _ERROR,
        "415": _ERROR,
        "429": _ERROR,
        "503": _ERROR,
    }
    return {
        "/api/kiosk/start": {
            "get": {
                "summary": "The kiosk's office, home-screen shortcuts, and every item, "
                "marked whether this office accepts it.",
                "parameters": [_OFFICE_PARAM],
                "responses": {
                    "200": _json({"type": "object"}),
                    "400": _ERROR,
                    "404": _ERROR,
                    "503": _ERROR,
                },
            }
        },
        "/api/kiosk/items/{code}": {
            "get": {
                "summary": "The item JSON with what the kiosk can do with it: book, or why "
                "not and where to go instead.",
                "parameters": [
                    {
                        "name": "code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _OFFICE_PARAM,
                ],
                "responses": {
                    "200": _json({"type": "object"}),
                    "400": _ERROR,
                    "404": _ERROR,
                    "503": _ERROR,
                },
            }
        },
        "/api/kiosk/days": {
            "get": {
                "summary": "Days with free seats for an item at the kiosk's office, each with "
                "its free slots (start, end, morning or afternoon).",
                "parameters": [
                    _OFFICE_PARAM,
                    {
                        "name": "item",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                ],
                "responses": {
                    "200": _json({"type": "object"}),
                    "400": _ERROR,
                    "404": _ERROR,
                    "409": _json(
                        {"$ref": "#/components/schemas/Error"},
                        "the office does not take this item (the message says where to go)",
                    ),
                    "503": _ERROR,
                },
            }
        },
        "/api/kiosk/lookup": {
            "post": {
                "summary": "Find a booking by its reference and phone (rate-limited).",
                "requestBody": _ref_and_phone(),
                "responses": found,
            }
        },
        "/api/kiosk/cancel": {
            "post": {
                "summary": "Cancel a booking by its reference and phone (rate-limited).",
                "requestBody": _ref_and_phone(),
                "responses": {**found, "409": _ERROR},
            }
        },
    }


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
                        {
                            "name": "office",
                            "in": "query",
                            "description": "office code, on a booking ticket",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "ref",
                            "in": "query",
                            "description": "booking reference, on a booking ticket",
                            "schema": {"type": "string"},
                        },
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
                    "summary": "Who runs the site, the privacy notice, the number-masking "
                    "patterns and the longest chat message, for the pages.",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "site": {
                                        "type": "object",
                                        "description": "bureau, service, host, host_contact, "
                                        "hotline, hotline_note, complaint_hotline, filing",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "max_message_chars": {"type": "integer"},
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
            **_kiosk_paths(),
            **_feedback_paths(),
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
