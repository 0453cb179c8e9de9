"""The conversation: one turn in, replies and the new state out (no Rasa in here).

Rasa classifies the intent; everything else a turn needs is read here from the words
(:mod:`.reading`), the conversation's memory (:mod:`.state`) and the catalog, and a
:class:`~chuangkou.dialogue.manager.Dialogue` decides what to answer. The Rasa action
(``actions/turn.py``) only hands a turn in and the replies out, so the whole
conversation can be tested in-process, and a catalog change needs no retraining.
"""
