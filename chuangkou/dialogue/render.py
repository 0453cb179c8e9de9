"""Compose answers from the domain's fragment responses (``utter_fmt_*``).

Every Chinese word the bot says lives in the domain files. Lists (documents, offices,
steps) have a variable length, so they are built line by line from one-line fragment
templates, then handed to a full response as a variable. The app reads the fragments
from ``bot/domain/*.yml`` itself (:func:`domain_responses`), so the engine need not send
the domain with every action call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from chuangkou.booking.calendar import DayStatus
from chuangkou.catalog.doccheck import Gap
from chuangkou.catalog.model import Catalog, DocumentRequirement, Fee, Hours, Item, Office
from chuangkou.catalog.requirements import Resolved
from chuangkou.settings import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"
_cache: dict[str, tuple[tuple[float, ...], dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def domain_responses(domain_dir: Path = DOMAIN_DIR) -> dict[str, Any]:
    """Every response of the domain files, re-read when a file changed."""
    paths = sorted(domain_dir.glob("*.yml"))
    stamp = tuple(p.stat().st_mtime for p in paths)
    key = str(domain_dir)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        responses: dict[str, Any] = {}
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            responses.update(data.get("responses") or {})
        _cache[key] = (stamp, responses)
        return responses


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


class Renderer:
    """Renders fragments of one domain."""

    def __init__(self, responses: Mapping[str, Any] | None = None) -> None:
        self._responses: Mapping[str, Any] = (
            responses if responses is not None else domain_responses()
        )

    def fragment(self, response: str, /, **values: Any) -> str:
        """Render the first variation of a fragment response with ``values``.

        Args:
            response: The response name (``utter_fmt_…``).
            **values: Template variables; missing ones render empty.

        Returns:
            The text, or "" when the domain lacks the fragment.
        """
        variations = self._responses.get(response) or [{}]
        template = str(variations[0].get("text", ""))
        return template.format_map(_Blank({k: "" if v is None else v for k, v in values.items()}))

    def join(self, parts: Iterable[str]) -> str:
        """Join short names with the domain's list separator."""
        return self.fragment("utter_fmt_list_sep").join(parts)

    def item_label(self, item: Item, sub_item_code: str | None = None) -> str:
        """The item's label, with the sub-item when one is known."""
        sub = item.sub_item(sub_item_code)
        if sub is None:
            return self.fragment("utter_fmt_item_label", name=item.name)
        return self.fragment("utter_fmt_item_with_sub", name=item.name, sub=sub.name)

    def business_type_label(self, business_type: str | None) -> str:
        """The business type label when one is chosen, else an empty string."""
        if not business_type:
            return ""
        return self.fragment("utter_fmt_business_type", type=business_type)

    def _doc_tail(self, doc: DocumentRequirement) -> str:
        tail = self.fragment("utter_fmt_doc_note", note=doc.note) if doc.note else ""
        if doc.deferrable:
            tail += self.fragment("utter_fmt_mark_deferrable")
        if "告知承诺" in doc.marks:
            tail += self.fragment("utter_fmt_mark_pledge")
        return tail

    def not_submitted_line(self, docs: Iterable[DocumentRequirement]) -> str:
        """The line naming documents nobody brings (免提交), or ""."""
        names = [d.name for d in docs]
        return self.fragment("utter_fmt_not_submitted", docs=self.join(names)) if names else ""

    def deferrable_block(self, gaps: Iterable[Gap]) -> str:
        """Missing documents the window accepts later (可容缺: 可先受理、后补), or ""."""
        names = [g.requirement.name for g in gaps]
        return self.fragment("utter_fmt_deferrable_block", docs=self.join(names)) if names else ""

    def document_lines(self, docs: Iterable[DocumentRequirement]) -> str:
        """Numbered document lines: name, form, copies, note."""
        return "\n".join(
            self.fragment(
                "utter_fmt_doc_line",
                index=i,
                name=d.name,
                form=d.form,
                copies=d.copies,
                note=self._doc_tail(d),
            )
            for i, d in enumerate(docs, 1)
        )

    def conditional_block(self, docs: Iterable[DocumentRequirement]) -> str:
        """The "provide when …" block, or "" when there are none."""
        lines = "\n".join(
            self.fragment(
                "utter_fmt_doc_condition_line",
                name=d.name,
                form=d.form,
                copies=d.copies,
                condition=d.condition,
                note=self._doc_tail(d),
            )
            for d in docs
        )
        return self.fragment("utter_fmt_conditional_block", lines=lines) if lines else ""

    def gap_lines(self, gaps: Iterable[Gap]) -> str:
        """Numbered missing-document lines with the reason."""
        return "\n".join(
            self.fragment(
                "utter_fmt_doc_line",
                index=i,
                name=g.requirement.name,
                form=g.requirement.form,
                copies=g.requirement.copies,
                note=self.fragment(f"utter_fmt_reason_{g.reason}") + self._doc_tail(g.requirement),
            )
            for i, g in enumerate(gaps, 1)
        )

    def statutory(self, days: int | None) -> str:
        """The statutory time limit clause, or an empty string when the law sets none."""
        return self.fragment("utter_fmt_statutory", days=days) if days is not None else ""

    def fee(self, fee: Fee) -> str:
        """The fee sentence: free, an amount, or "by the published standard"."""
        if fee.amount == 0:
            return self.fragment("utter_fmt_fee_free", basis=fee.basis)
        if fee.amount is None:
            return self.fragment("utter_fmt_fee_standard", basis=fee.basis, note=fee.note or "")
        return self.fragment("utter_fmt_fee_amount", amount=f"{fee.amount:g}", basis=fee.basis)

    def where(self, catalog: Catalog, item: Item) -> str:
        """Which offices accept the item."""
        offices = catalog.accepting_offices(item)
        if len(offices) == len(catalog.offices):
            return self.fragment("utter_fmt_where_all", count=len(offices), window=item.window)
        return self.fragment(
            "utter_fmt_where_some", offices=self.join(o.name for o in offices), window=item.window
        )

    def hours(self, office: Office) -> str:
        """Office hours, with the summer variant when the office has one."""
        text = self._session(office.hours, "utter_fmt_hours")
        if office.summer_hours is not None:
            text += self._session(office.summer_hours, "utter_fmt_hours_summer")
        return text

    def _session(self, hours: Hours, name: str) -> str:
        return self.fragment(
            name,
            m1=hours.morning[0],
            m2=hours.morning[1],
            a1=hours.afternoon[0],
            a2=hours.afternoon[1],
            season_from=hours.season_from,
            season_to=hours.season_to,
        )

    def office_line(self, office: Office, window_type: str) -> str:
        """One office: name, address, window location and phone."""
        window = office.window(window_type)
        return self.fragment(
            "utter_fmt_office_line",
            name=office.name,
            address=office.address,
            location=window.location if window else "",
            phone=window.phone if window else office.phone,
        )

    def steps(self, item: Item) -> str:
        """Numbered process steps."""
        return "\n".join(
            self.fragment("utter_fmt_process_step", index=i, step=s)
            for i, s in enumerate(item.process, 1)
        )

    def reason(self, decision: Any, reason: str, desk: Any, office: Office) -> str:
        """Why an asked time cannot be booked, in the domain's words."""
        status: DayStatus | None = decision.day_status if decision else None
        name = reason
        if reason == "closed" and status is not None:
            name = f"closed_{status.reason}"
        text = self.fragment(
            f"utter_fmt_reason_{name}",
            detail=status.detail if status else "",
            hours=self.hours(office),
            days=desk.policy.horizon_days,
        )
        if status is not None and not status.schedule_known:
            text += self.fragment("utter_fmt_reason_schedule_unknown")
        return text

    def checklist(self, resolved: Resolved, held: Mapping[str, Any]) -> str:
        """The documents to bring, numbered, marking those the person said they lack."""
        lines = []
        for index, doc in enumerate(resolved.to_bring, 1):
            entry = held.get(doc.name)
            lacking = bool(held) and not (isinstance(entry, dict) and entry.get("has"))
            lines.append(
                self.fragment(
                    "utter_fmt_checklist_line",
                    index=index,
                    name=doc.name,
                    form=doc.form,
                    copies=doc.copies,
                    missing=self.fragment("utter_fmt_checklist_missing") if lacking else "",
                )
            )
        return "\n".join(lines)
