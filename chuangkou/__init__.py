"""chuangkou (窗口助手): the app runtime — catalog, matching, actions' library and the CLI."""
