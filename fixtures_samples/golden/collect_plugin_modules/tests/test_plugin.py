from common import env, offline


def test_debug(app_config):
    app_config["plugins"].append("debugger")  # expect: SLK201


def test_ids(seen_ids):
    seen_ids.add(1)  # expect: SLK201


def test_offline():
    with offline():
        pass


def test_env():
    with env(APP="1"):
        pass
