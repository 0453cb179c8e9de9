"""The styles of simulated citizens: one small record each, read by the agent.

A style says which register of :mod:`bench.simulator.grammar` the person speaks, how they
order and bundle facts, whether they correct themselves, pick buttons by number, write in
Traditional characters, mistype, digress, and so on. Every dialogue has exactly one
style, and the report is broken down by it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.simulator.grammar import DIALECT_WORDS, TYPOS
from bench.simulator.surface import Utterance, add_typo, dialect_words, script_variant


@dataclass(frozen=True)
class Style:
    """How one kind of person talks.

    Attributes:
        name: The style's name in the report.
        register: The grammar register (plain, terse, chatty, dialect).
        bundle: Give every fact in the first message.
        extra_facts: Give a fact that was not asked yet along with each answer.
        dodge: Answer a different question than the one asked (a few times).
        correction: Give one wrong value, then correct it.
        ordinal: Pick among buttons by number, "最早那个" or the typed title; never tap.
        script: Traditional characters and full-width digits and letters.
        typos: Mistype words (near-homophones, dropped characters).
        digression: Ask something else in the middle of the form, then go on.
        dialect_words: Replace plain words by dialect ones.
        vague_share: Share of booking goals whose time is only a day and half-day.
        tap_share: Share of button choices made by tapping.
        short_times: Prefer short time expressions ("明天9点").
        description: One line for the report.
    """

    name: str
    register: str = "plain"
    bundle: bool = False
    extra_facts: bool = False
    dodge: bool = False
    correction: bool = False
    ordinal: bool = False
    script: bool = False
    typos: bool = False
    digression: bool = False
    dialect_words: bool = False
    vague_share: float = 0.2
    tap_share: float = 0.6
    short_times: bool = False
    description: str = ""

    def surface(
        self, u: Utterance, rng: random.Random, *, careful: bool = False, first: bool = False
    ) -> Utterance:
        """Apply the style's surface transformations to an utterance.

        Args:
            u: The utterance in plain Simplified Chinese.
            rng: The dialogue's random source.
            careful: The person is repeating after not being understood: no new typos.
            first: The dialogue's first message (a typist's first message has a typo).

        Returns:
            The utterance as this person types it.
        """
        if self.dialect_words:
            u = dialect_words(u, DIALECT_WORDS)
        if self.typos and not careful and (first or rng.random() < 0.6):
            u = add_typo(u, rng, TYPOS)
        if self.script:
            u = script_variant(u)
        return u


STYLES: dict[str, Style] = {
    s.name: s
    for s in (
        Style("terse", register="terse", short_times=True, description="bare values"),
        Style("chatty", register="chatty", description="long polite sentences with background"),
        Style("multi", bundle=True, description="several facts in one message"),
        Style("out_of_order", extra_facts=True, description="facts before they are asked"),
        Style("dodge", dodge=True, description="answers a different question than asked"),
        Style("correction", correction=True, description="a wrong value, then corrected"),
        Style(
            "ordinal",
            ordinal=True,
            vague_share=0.7,
            tap_share=0.0,
            description="picks buttons by number or typed title",
        ),
        Style("script", script=True, description="Traditional characters, full-width digits"),
        Style("typos", typos=True, description="near-homophones and dropped characters"),
        Style("digression", digression=True, description="asks something else mid-form"),
        Style(
            "dialect",
            register="dialect",
            dialect_words=True,
            description="dialect and colloquial words",
        ),
    )
}
STYLE_NAMES: tuple[str, ...] = tuple(STYLES)
