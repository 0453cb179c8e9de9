"""好差评: whether an answer helped, stored per answer with its item, intent and responses."""
