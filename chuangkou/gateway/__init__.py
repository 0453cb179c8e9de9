"""The public gateway (app runtime): the only process people reach; engine stays on 127.0.0.1."""
