"""Code both runtimes import: text folding and the privacy rules (masking, sealing).

The engine (Rasa 3.6 on CPython 3.10) and the app (current CPython) each import this
package from the project root, so a rule lives here once instead of being mirrored in
each runtime. It depends only on the standard library, OpenCC and ``cryptography``,
which both runtimes install; nothing here may import Rasa, rasa-sdk or SQLAlchemy.
"""
