"""A value saved before a ``try`` and put back in its ``finally`` is restored (datasette's
``previous = client.ds._metadata_local ... finally: client.ds._metadata_local = previous``)."""


def test_saved_and_put_back(cfg):
    previous = cfg["users"]
    try:
        cfg["users"] = ["alice"]
        assert cfg["users"]
    finally:
        cfg["users"] = previous


def test_put_back_but_another_item_written(cfg):
    previous = cfg["users"]
    try:
        cfg["users"] = ["alice"]
        cfg["admins"] = ["root"]  # expect: SLK201
    finally:
        cfg["users"] = previous


def test_put_back_but_the_saved_value_mutated(cfg):
    previous = cfg["users"]
    try:
        cfg["users"].append("alice")  # expect: SLK201
    finally:
        cfg["users"] = previous


def test_put_back_only_if_it_passes(cfg):
    previous = cfg["users"]
    cfg["users"] = ["alice"]  # expect: SLK201
    cfg["users"] = previous  # expect: SLK201


def test_added_then_removed(cfg):
    cfg["allow"] = {"id": "root"}  # expect: SLK201
    assert cfg["allow"]
    del cfg["allow"]


def test_removed_only(cfg):
    del cfg["users"]  # expect: SLK201


def test_read_through_a_method_and_put_back(cfg):
    previous = cfg["client"].metadata()
    try:
        cfg["client"].meta = {"allow": False}
    finally:
        cfg["client"].meta = previous


def test_read_of_another_object_put_back(cfg):
    previous = cfg["other"].metadata()
    try:
        cfg["client"].meta = {"allow": False}  # expect: SLK201
    finally:
        cfg["client"].meta = previous  # expect: SLK201


def test_memo_filled_once(cfg, request):
    kind = request.node.name
    if kind not in cfg:
        cfg[kind] = object()


def test_memo_of_another_key(cfg):
    kind = "a"
    if kind not in cfg:
        cfg["b"] = object()  # expect: SLK201


def test_memo_then_overwritten(cfg):
    kind = "a"
    if kind not in cfg:
        cfg[kind] = object()
    cfg[kind] = None  # expect: SLK201
