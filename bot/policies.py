"""The engine's one policy: after a person speaks, the turn action answers (ENGINE runtime).

The conversation is decided in the app runtime (``chuangkou.dialogue``), where the whole
memory lives in one slot; Rasa's policies would only have to say "run the turn action,
then listen". This policy learns that from the training stories (the action each intent
is followed by) and predicts it without featurising the conversation, so its cost does
not grow with the conversation's length — Rasa's RulePolicy and MemoizationPolicy turn
every earlier event into features on every turn.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

ACTIONS_FILE = "turn_policy.json"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class TurnPolicy(Policy):
    """Run the action the stories give for the last intent (default: the turn action)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Priority above Rasa's own policies; the action to run when no story names one."""
        return {"priority": 6, "default_action": "action_turn"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any = None,
        actions: dict[str, str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.actions = actions or {}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Read from the stories which action follows each intent."""
        for tracker in training_trackers:
            intent = None
            for event in tracker.events:
                if isinstance(event, UserUttered):
                    intent = event.intent_name
                elif isinstance(event, ActionExecuted) and intent:
                    if event.action_name != ACTION_LISTEN_NAME:
                        self.actions.setdefault(intent, event.action_name or "")
                    intent = None
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Keep the intent → action table with the model."""
        import json

        with self._model_storage.write_to(self._resource) as path:
            (path / ACTIONS_FILE).write_text(json.dumps(self.actions), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TurnPolicy:
        """Load the intent → action table kept with the model."""
        import json

        actions: dict[str, str] = {}
        try:
            with model_storage.read_from(resource) as path:
                actions = json.loads((path / ACTIONS_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError, OSError):
            actions = {}
        return cls(config, model_storage, resource, execution_context, actions=actions)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The turn action right after a message, then listen."""
        probabilities = self._default_predictions(domain)
        latest = None
        for event in reversed(tracker.events):
            if isinstance(event, (UserUttered, ActionExecuted)):
                latest = event
                break
        if isinstance(latest, UserUttered):
            name = self.actions.get(latest.intent_name or "", self.config["default_action"])
        else:
            name = ACTION_LISTEN_NAME
        if name in domain.action_names_or_texts:
            probabilities[domain.index_for_action(name)] = 1.0
        return self._prediction(probabilities)
