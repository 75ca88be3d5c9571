import copy

import pytest


def test_copy_dict(cfg):
    cfg = dict(cfg)
    cfg["users"] = ["x"]


def test_deepcopy(cfg):
    cfg = copy.deepcopy(cfg)
    cfg["users"].append("x")


def test_copy_to_other_name(cfg):
    mine = {**cfg}
    mine["users"] = []
    local = list(cfg["users"])
    local.append(1)


def test_rebound(cfg):
    cfg = {"users": []}
    cfg["users"].append("x")


def test_monkeypatch(cfg, monkeypatch):
    monkeypatch.setitem(cfg, "users", ["x"])


def test_read_only(cfg, names):
    assert cfg["users"] == [] and names[0] == "a"


def test_function_scoped(local_cfg):
    local_cfg["users"].append("x")


def test_ambiguous_method_on_opaque(engine_like):
    engine_like.update(x=1)
    engine_like.add("row")


@pytest.mark.parametrize("cfg", [{"users": []}])
def test_parametrize_shadows(cfg):
    cfg["users"].append("x")


def test_nested_function_not_called_here(cfg):
    def helper():
        cfg["users"].append("x")

    assert helper


def test_unknown_name(something_unresolvable):
    something_unresolvable.append(1)
