pytest_plugins = ["myplugins.state", "myplugins.missing_module"]
