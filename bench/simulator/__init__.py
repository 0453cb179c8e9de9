"""A goal-driven user simulator for the chatbot: citizens with goals, in many styles.

It plays people who want a booking or a document check against the real running stack
(engine + action server) and scores success from outcomes: the row in ``bookings``, and
the missing-document list the bot reports (read from the tracker, not from its wording).

Modules: :mod:`.world` (the only one importing the project's library), :mod:`.goals`,
:mod:`.grammar` and :mod:`.surface` (words), :mod:`.styles`, :mod:`.timeexpr`,
:mod:`.wants` (the one table of the bot's response names), :mod:`.agent`,
:mod:`.client`, :mod:`.driver`, :mod:`.scoring`, :mod:`.report`.

Run it: ``.venv-app/bin/python -m bench.simulator --start-stack -n 300 --seed 7``.
"""
