"""Jieba tokenizer that first folds Traditional characters and full-width forms.

Engine runtime (Rasa 3.6 / CPython 3.10). People type 電梯使用登記 or ＣＭＡ as often as
电梯使用登记 or CMA; the classifier was trained on Simplified text, so the text is folded
(NFKC, then OpenCC t2s) before segmentation. Both are length-preserving for CJK and
full-width forms, so token offsets still point into the original message. Tokens that
are only spaces or punctuation are dropped, so "电梯 ，使用登记！！" features like the
clean sentence.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from common.folding import is_noise
from common.folding import to_simplified as fold


def _is_noise(word: str) -> bool:
    return all(is_noise(ch) for ch in word)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class NormalizingJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer over folded text, without noise tokens."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return JiebaTokenizer.get_default_config()

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute) or ""
        folded = fold(text)
        if len(folded) != len(text):
            # NFKC expanded something (e.g. a ligature): offsets would drift, so tokenize
            # the folded text alone; only entity offsets would care and we extract none.
            text = folded
        tokens = [
            Token(folded[start:end], start)
            for (_word, start, end) in jieba.tokenize(folded)
            if not _is_noise(folded[start:end])
        ]
        if not tokens:
            # Emoji-only or punctuation-only input still needs one token downstream.
            tokens = [Token(text or " ", 0)]
        return self._apply_token_pattern(tokens)
